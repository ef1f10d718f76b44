//! What a worker's tasks share: the queue, the handlers, the config, the counters and the
//! jobs in flight; and the retry through a database outage every write after a claim uses.

use super::config::{Backoff, WorkerConfig};
use super::context::Handler;
use super::metrics::WorkerMetrics;
use crate::error::Result;
use crate::job::Lease;
use crate::queue::Queue;
use pressroom_domain::JobId;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tracing::{error, warn};

pub(super) struct Inner {
    pub(super) queue: Queue,
    pub(super) owner: Arc<str>,
    pub(super) handlers: HashMap<String, Handler>,
    pub(super) cfg: WorkerConfig,
    pub(super) metrics: Arc<WorkerMetrics>,
    /// Jobs claimed and not yet finished in the database (including those waiting for the
    /// batched completion): the heartbeat extends exactly these.
    pub(super) inflight: Mutex<HashMap<JobId, i64>>,
}

impl Inner {
    pub(super) fn inflight(&self) -> MutexGuard<'_, HashMap<JobId, i64>> {
        // Plain inserts and removes: a panicking holder leaves the map usable.
        self.inflight.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn track(&self, lease: &Lease) {
        self.inflight().insert(lease.job, lease.attempt);
        WorkerMetrics::add(&self.metrics.in_flight, 1);
    }

    pub(super) fn untrack(&self, jobs: impl IntoIterator<Item = JobId>) {
        let mut map = self.inflight();
        let mut n = 0;
        for j in jobs {
            if map.remove(&j).is_some() {
                n += 1;
            }
        }
        self.metrics.in_flight.fetch_sub(n, Ordering::Relaxed);
    }
}

/// Retries a write through a database outage for up to one lease period; past that the lease
/// has expired, the job will be rescued, and the write would be refused anyway.
pub(super) async fn with_db_retry<T, F, Fut>(inner: &Inner, what: &str, mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let give_up = Instant::now() + inner.cfg.lease;
    let mut backoff = Backoff::new();
    loop {
        match op().await {
            Err(e) if e.is_transient() && Instant::now() < give_up => {
                WorkerMetrics::add(&inner.metrics.db_errors, 1);
                let wait = backoff.next();
                warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "{what} failed; retrying");
                tokio::time::sleep(wait).await;
            }
            Err(e) if e.is_transient() => {
                error!(error = %e, "{what} failed; giving up, the job will be rescued after its lease expires");
                return Err(e);
            }
            r => return r,
        }
    }
}
