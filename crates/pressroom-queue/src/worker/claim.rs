//! The claim loop of one queue, and one job's run from its claim to its completion, retry or
//! burial.

use super::config::{Backoff, retry_backoff};
use super::context::{ContextInner, JobContext, JobError};
use super::metrics::WorkerMetrics;
use super::state::{Inner, with_db_retry};
use crate::error::QueueError;
use crate::job::{ClaimedJob, Lease};
use futures::FutureExt;
use pressroom_domain::JobState;
use pressroom_store::now_ms;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info, info_span, warn};

pub(super) async fn claim_loop(
    inner: Arc<Inner>,
    queue: String,
    concurrency: usize,
    shutdown: CancellationToken,
    hard_stop: CancellationToken,
    done_tx: mpsc::UnboundedSender<Lease>,
) {
    let sem = Arc::new(Semaphore::new(concurrency));
    let notify = inner.queue.notifier(&queue);
    let mut tasks: JoinSet<()> = JoinSet::new();
    let mut leases: HashMap<tokio::task::Id, Lease> = HashMap::new();
    let mut backoff = Backoff::new();
    loop {
        while let Some(r) = tasks.try_join_next_with_id() {
            reap(&mut leases, r);
        }
        if shutdown.is_cancelled() {
            break;
        }
        let first = tokio::select! {
            p = sem.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break, // never closed
            },
            _ = shutdown.cancelled() => break,
        };
        // Only this loop takes permits, so the ones free now stay free until we take them.
        let want = (1 + sem.available_permits()).min(inner.cfg.claim_batch);
        let mut permits = first;
        if want > 1
            && let Ok(more) = sem.clone().try_acquire_many_owned((want - 1) as u32)
        {
            permits.merge(more);
        }
        let want = permits.num_permits();
        // Registered before the claim, so an enqueue during the claim is not missed.
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        match inner
            .queue
            .claim(&queue, &inner.owner, want, inner.cfg.lease)
            .await
        {
            Ok(jobs) => {
                backoff.reset();
                let got = jobs.len();
                WorkerMetrics::add(&inner.metrics.claimed, got as u64);
                if got > 0 {
                    debug!(queue = %queue, got, "claimed");
                }
                for job in jobs {
                    let Some(permit) = permits.split(1) else {
                        // Unreachable: a claim returns at most `want` jobs. Give it back.
                        error!(
                            job = job.id.get(),
                            "claimed more jobs than asked for; releasing it"
                        );
                        if let Err(e) = inner.queue.release(&job.lease).await {
                            warn!(job = job.id.get(), error = %e, "release failed; the lease will expire and the job be rescued");
                        }
                        continue;
                    };
                    inner.track(&job.lease);
                    let lease = job.lease.clone();
                    let span = info_span!(
                        "job",
                        id = job.id.get(),
                        kind = %job.kind,
                        attempt = job.attempt,
                        account = job.account_id.map(|a| a.get()),
                        run = job.run_id.map(|r| r.get()),
                    );
                    let fut = run_job(inner.clone(), job, done_tx.clone(), shutdown.clone());
                    let handle = tasks.spawn(
                        async move {
                            fut.await;
                            drop(permit);
                        }
                        .instrument(span),
                    );
                    leases.insert(handle.id(), lease);
                }
                drop(permits);
                if got < want {
                    // Drained: sleep until woken, polled, or told to stop.
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(inner.cfg.poll_interval) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
            }
            Err(e) => {
                drop(permits);
                WorkerMetrics::add(&inner.metrics.db_errors, 1);
                let wait = backoff.next();
                warn!(queue = %queue, error = %e, retry_in_ms = wait.as_millis() as u64, "claiming jobs failed; backing off");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
        }
    }

    // Shutdown: no more claims. Let in-flight jobs finish until the hard stop.
    if !tasks.is_empty() {
        info!(queue = %queue, in_flight = tasks.len(), "waiting for in-flight jobs");
    }
    loop {
        tokio::select! {
            r = tasks.join_next_with_id() => match r {
                Some(r) => reap(&mut leases, r),
                None => break,
            },
            _ = hard_stop.cancelled() => break,
        }
    }
    if !tasks.is_empty() {
        warn!(queue = %queue, left = tasks.len(), "shutdown deadline passed; releasing unfinished jobs");
        tasks.abort_all();
        while let Some(r) = tasks.join_next_with_id().await {
            let cancelled = matches!(&r, Err(e) if e.is_cancelled());
            let id = match &r {
                Ok((id, _)) => *id,
                Err(e) => e.id(),
            };
            if let Some(lease) = leases.remove(&id)
                && cancelled
            {
                match inner.queue.release(&lease).await {
                    Ok(()) => WorkerMetrics::add(&inner.metrics.released, 1),
                    // Already finished or taken over: nothing to give back.
                    Err(QueueError::LeaseLost { .. }) => {}
                    Err(e) => {
                        warn!(job = lease.job.get(), error = %e, "release failed; the lease will expire and the job be rescued")
                    }
                }
                inner.untrack([lease.job]);
            }
        }
    }
}

fn reap(
    leases: &mut HashMap<tokio::task::Id, Lease>,
    r: std::result::Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) {
    let id = match r {
        Ok((id, ())) => id,
        Err(e) => {
            // run_job catches handler panics; this is a bug in the runtime itself.
            error!(error = %e, "job task failed");
            e.id()
        }
    };
    leases.remove(&id);
}

async fn run_job(
    inner: Arc<Inner>,
    job: ClaimedJob,
    done_tx: mpsc::UnboundedSender<Lease>,
    shutdown: CancellationToken,
) {
    let lease = job.lease.clone();
    let Some(handler) = inner.handlers.get(&job.kind).cloned() else {
        let msg = format!(
            "unknown job kind {:?}: no handler is registered for it",
            job.kind
        );
        warn!(error = %msg, "job is dead");
        finish_failed(&inner, &lease, &msg, Failure::Permanent).await;
        return;
    };
    let ctx = JobContext {
        inner: Arc::new(ContextInner {
            id: job.id,
            kind: job.kind,
            queue: job.queue,
            attempt: job.attempt,
            max_attempts: job.max_attempts,
            run_id: job.run_id,
            account_id: job.account_id,
            created_at: job.created_at,
            lease: lease.clone(),
            db: inner.queue.db().clone(),
            completed_in_tx: AtomicBool::new(false),
            stop: shutdown,
        }),
    };
    let fut = match handler(ctx.clone(), &job.payload) {
        Ok(f) => f,
        Err(e) => {
            let msg = format!("payload of a {:?} job does not decode: {e}", ctx.kind());
            warn!(error = %msg, "job is dead");
            finish_failed(&inner, &lease, &msg, Failure::Permanent).await;
            return;
        }
    };
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(Ok(())) => {
            if ctx.inner.completed_in_tx.load(Ordering::Acquire) {
                WorkerMetrics::add(&inner.metrics.done, 1);
                inner.untrack([lease.job]);
            } else if let Err(mpsc::error::SendError(lease)) = done_tx.send(lease) {
                // The completer outlives every job task; complete directly all the same.
                complete_one(&inner, &lease).await;
            }
        }
        Ok(Err(JobError::Permanent(msg))) => {
            warn!(error = %msg, "job failed permanently");
            finish_failed(&inner, &lease, &msg, Failure::Permanent).await;
        }
        Ok(Err(JobError::Retryable { message, after })) => {
            info!(error = %message, "job failed; will retry if attempts remain");
            finish_failed(&inner, &lease, &message, Failure::Retry(after)).await;
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let msg = format!("handler panicked: {what}");
            error!(error = %msg, "job failed");
            finish_failed(&inner, &lease, &msg, Failure::Retry(None)).await;
        }
    }
}

async fn complete_one(inner: &Inner, lease: &Lease) {
    let r = with_db_retry(inner, "completing a job", || inner.queue.complete(lease)).await;
    match r {
        Ok(()) => WorkerMetrics::add(&inner.metrics.done, 1),
        Err(QueueError::LeaseLost { .. }) => WorkerMetrics::add(&inner.metrics.lease_lost, 1),
        Err(e) => not_recorded(lease, "completion", &e),
    }
    inner.untrack([lease.job]);
}

#[derive(Clone, Copy)]
enum Failure {
    Permanent,
    Retry(Option<Duration>),
}

async fn finish_failed(inner: &Inner, lease: &Lease, msg: &str, how: Failure) {
    let r = match how {
        Failure::Permanent => {
            with_db_retry(inner, "burying a job", || inner.queue.bury(lease, msg))
                .await
                .map(|()| JobState::Dead)
        }
        Failure::Retry(after) => {
            let delay = after.unwrap_or_else(|| {
                retry_backoff(lease.attempt, inner.cfg.retry_base, inner.cfg.retry_max)
            });
            let at = now_ms().saturating_add(crate::job::ms(delay));
            with_db_retry(inner, "scheduling a retry", || {
                inner.queue.retry(lease, msg, at)
            })
            .await
        }
    };
    match r {
        Ok(JobState::Dead) => {
            warn!(job = lease.job.get(), error = %msg, "job is dead");
            WorkerMetrics::add(&inner.metrics.dead, 1)
        }
        Ok(_) => WorkerMetrics::add(&inner.metrics.retried, 1),
        Err(QueueError::LeaseLost { .. }) => {
            info!(
                job = lease.job.get(),
                "lease lost; the failure was not recorded"
            );
            WorkerMetrics::add(&inner.metrics.lease_lost, 1)
        }
        Err(e) => match how {
            Failure::Permanent => not_recorded(lease, "burial", &e),
            Failure::Retry(_) => not_recorded(lease, "retry", &e),
        },
    }
    inner.untrack([lease.job]);
}

/// A job's outcome that could not be written. The job keeps its lease until it expires; the
/// rescue sweep then runs it again (or buries it when out of attempts), so it is not lost,
/// but nothing else would say why it ran twice.
fn not_recorded(lease: &Lease, what: &str, e: &QueueError) {
    error!(
        job = lease.job.get(),
        attempt = lease.attempt,
        error = %e,
        "the job's {what} was not recorded; it will be rescued when its lease expires"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Worker;
    use pressroom_domain::JobId;
    use pressroom_store::Db;
    use std::io::Write;
    use std::sync::Mutex;

    /// Log lines written while the guard lives, as text.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    #[tokio::test]
    async fn outcomes_that_cannot_be_written_are_logged_with_the_job() {
        let t = pressroom_store::testing::TestDb::sqlite().await;
        let Db::Sqlite(pool) = &t.db else {
            unreachable!("a SQLite test database")
        };
        // Every write to the jobs table now fails, and not transiently.
        sqlx::query("ALTER TABLE jobs RENAME TO jobs_gone")
            .execute(pool)
            .await
            .unwrap();
        let worker = Worker::builder(t.db.clone()).build();
        let inner = worker.inner.clone();
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let lease = |job| Lease {
            job: JobId::new(job),
            owner: inner.owner.clone(),
            attempt: 1,
        };
        complete_one(&inner, &lease(41)).await;
        finish_failed(&inner, &lease(42), "boom", Failure::Permanent).await;
        finish_failed(&inner, &lease(43), "boom", Failure::Retry(None)).await;
        let text = logs.text();
        for (job, what) in [(41, "completion"), (42, "burial"), (43, "retry")] {
            let line = text
                .lines()
                .find(|l| l.contains(&format!("the job's {what} was not recorded")))
                .unwrap_or_else(|| panic!("no line for the {what}: {text}"));
            assert!(line.contains("ERROR"), "{line}");
            assert!(line.contains(&format!("job={job}")), "{line}");
            assert!(
                line.contains("jobs_gone") || line.contains("no such table"),
                "{line}"
            );
        }
    }
}
