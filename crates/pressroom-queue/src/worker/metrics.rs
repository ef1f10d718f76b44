//! A worker's counters, for a metrics endpoint.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one worker, for a metrics endpoint.
#[derive(Debug, Default)]
pub struct WorkerMetrics {
    pub(super) claimed: AtomicU64,
    pub(super) done: AtomicU64,
    pub(super) retried: AtomicU64,
    pub(super) dead: AtomicU64,
    pub(super) rescued: AtomicU64,
    pub(super) lease_lost: AtomicU64,
    pub(super) released: AtomicU64,
    pub(super) db_errors: AtomicU64,
    pub(super) in_flight: AtomicU64,
}

/// A point-in-time copy of [`WorkerMetrics`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    pub claimed: u64,
    pub done: u64,
    pub retried: u64,
    pub dead: u64,
    /// Expired leases this worker's sweeps returned to available or buried.
    pub rescued: u64,
    /// Writes refused because the lease had been taken over or the job cancelled.
    pub lease_lost: u64,
    /// Jobs handed back untouched at shutdown.
    pub released: u64,
    pub db_errors: u64,
    pub in_flight: u64,
}

impl WorkerMetrics {
    pub fn snapshot(&self) -> MetricsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MetricsSnapshot {
            claimed: g(&self.claimed),
            done: g(&self.done),
            retried: g(&self.retried),
            dead: g(&self.dead),
            rescued: g(&self.rescued),
            lease_lost: g(&self.lease_lost),
            released: g(&self.released),
            db_errors: g(&self.db_errors),
            in_flight: g(&self.in_flight),
        }
    }

    pub(super) fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
}
