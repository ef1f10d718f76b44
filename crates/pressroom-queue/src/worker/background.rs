//! The worker's helpers beside the claim loops: batched completion, heartbeats, rescue sweeps
//! and PostgreSQL wake-ups.

use super::config::Backoff;
use super::metrics::WorkerMetrics;
use super::state::{Inner, with_db_retry};
use crate::job::Lease;
use crate::wake::PG_CHANNEL;
use pressroom_domain::JobId;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, warn};

/// Marks done, in batches, the jobs whose handlers returned `Ok` without completing in their
/// own transaction. Batches form by themselves: whatever finished while the last statement
/// ran goes in the next.
pub(super) async fn completer(inner: Arc<Inner>, mut rx: mpsc::UnboundedReceiver<Lease>) {
    let max = inner.cfg.complete_batch.max(1);
    let mut buf: Vec<Lease> = Vec::with_capacity(max);
    while rx.recv_many(&mut buf, max).await > 0 {
        let pairs: Vec<(JobId, i64)> = buf.iter().map(|l| (l.job, l.attempt)).collect();
        let r = with_db_retry(&inner, "completing jobs", || {
            inner.queue.complete_many(&inner.owner, &pairs)
        })
        .await;
        match r {
            Ok(done) => {
                let lost = pairs.len() - done.len();
                WorkerMetrics::add(&inner.metrics.done, done.len() as u64);
                if lost > 0 {
                    WorkerMetrics::add(&inner.metrics.lease_lost, lost as u64);
                    warn!(
                        lost,
                        "some completed jobs had lost their lease; their results were not recorded"
                    );
                }
            }
            // Each job keeps its lease until it expires and is then rescued and run again.
            Err(e) => error!(
                jobs = ?pairs.iter().map(|p| p.0.get()).collect::<Vec<_>>(),
                error = %e,
                "completing jobs failed; they will be rescued when their leases expire"
            ),
        }
        inner.untrack(pairs.iter().map(|p| p.0));
        buf.clear();
    }
}

pub(super) async fn heartbeat_loop(inner: Arc<Inner>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(inner.cfg.heartbeat_every) => {}
            _ = stop.cancelled() => return,
        }
        let pairs: Vec<(JobId, i64)> = inner.inflight().iter().map(|(j, a)| (*j, *a)).collect();
        if pairs.is_empty() {
            continue;
        }
        match inner
            .queue
            .heartbeat(&inner.owner, &pairs, inner.cfg.lease)
            .await
        {
            Ok(kept) => debug!(held = pairs.len(), extended = kept.len(), "heartbeat"),
            Err(e) => {
                WorkerMetrics::add(&inner.metrics.db_errors, 1);
                warn!(error = %e, "heartbeat failed; leases may expire if this persists")
            }
        }
    }
}

pub(super) async fn rescue_loop(inner: Arc<Inner>, stop: CancellationToken) {
    loop {
        match inner.queue.rescue_expired().await {
            Ok(r) if r.requeued + r.dead > 0 => {
                WorkerMetrics::add(&inner.metrics.rescued, r.requeued + r.dead);
                WorkerMetrics::add(&inner.metrics.dead, r.dead);
                warn!(
                    requeued = r.requeued,
                    dead = r.dead,
                    "rescued jobs whose lease expired"
                );
            }
            Ok(_) => {}
            Err(e) => {
                WorkerMetrics::add(&inner.metrics.db_errors, 1);
                warn!(error = %e, "rescue sweep failed")
            }
        }
        // Jitter keeps many workers' sweeps apart.
        let wait = inner
            .cfg
            .rescue_every
            .mul_f64(0.75 + rand::random::<f64>() / 2.0);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.cancelled() => return,
        }
    }
}

/// Turns PostgreSQL notifications into local wake-ups; reconnects after errors and wakes
/// everyone after a reconnect, since notifications sent meanwhile are lost.
pub(super) async fn listen_loop(inner: Arc<Inner>, pool: sqlx::PgPool, stop: CancellationToken) {
    let wakers = inner.queue.wakers().clone();
    let mut backoff = Backoff::new();
    loop {
        let attempt = async {
            let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
            l.listen(PG_CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        let mut listener = tokio::select! {
            r = attempt => match r {
                Ok(l) => l,
                Err(e) => {
                    let wait = backoff.next();
                    warn!(error = %e, "LISTEN failed; polling meanwhile");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => continue,
                        _ = stop.cancelled() => return,
                    }
                }
            },
            _ = stop.cancelled() => return,
        };
        backoff.reset();
        wakers.wake_all();
        loop {
            tokio::select! {
                r = listener.try_recv() => match r {
                    Ok(Some(n)) => wakers.wake(n.payload()),
                    Ok(None) => wakers.wake_all(),
                    Err(e) => {
                        warn!(error = %e, "LISTEN connection lost; reconnecting");
                        break;
                    }
                },
                _ = stop.cancelled() => return,
            }
        }
    }
}
