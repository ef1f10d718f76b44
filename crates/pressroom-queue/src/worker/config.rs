//! A worker's timings and batch sizes, and the two backoffs: a failed job's retry delay and
//! the wait after a database error.

use std::time::Duration;

/// Timings and batch sizes of a worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How long a claim holds a job without a heartbeat.
    pub lease: Duration,
    /// How often leases of running jobs are extended; well under `lease`.
    pub heartbeat_every: Duration,
    /// How often an idle claim loop looks for due jobs without being woken (delayed jobs, jobs
    /// enqueued by another process on SQLite, missed notifications).
    pub poll_interval: Duration,
    /// How often expired leases are rescued.
    pub rescue_every: Duration,
    /// Most jobs claimed in one round trip.
    pub claim_batch: usize,
    /// Most jobs marked done in one statement.
    pub complete_batch: usize,
    /// After a shutdown signal, how long in-flight jobs may run before they are released.
    pub shutdown_grace: Duration,
    /// First retry delay; doubles per attempt, with jitter, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            lease: Duration::from_secs(30),
            heartbeat_every: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            rescue_every: Duration::from_secs(15),
            claim_batch: 200,
            complete_batch: 1000,
            shutdown_grace: Duration::from_secs(30),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(3600),
        }
    }
}

impl WorkerConfig {
    /// Sets the lease and derives heartbeat (a third) and rescue (a half) intervals from it.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self.heartbeat_every = lease / 3;
        self.rescue_every = lease / 2;
        self
    }
}

/// The retry delay before attempt `attempt + 1`: `base * 2^(attempt-1)` capped at `max`, then
/// jittered down to between half and all of it, so failures that happened together do not
/// retry together.
pub fn retry_backoff(attempt: i64, base: Duration, max: Duration) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base.saturating_mul(2u32.saturating_pow(exp)).min(max);
    let half = full / 2;
    half + half.mul_f64(rand::random::<f64>())
}

/// Exponential backoff for database errors: 100 ms doubling to 5 s, jittered.
pub(super) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(super) fn new() -> Backoff {
        Backoff {
            next: Duration::from_millis(100),
        }
    }
    pub(super) fn reset(&mut self) {
        self.next = Duration::from_millis(100);
    }
    pub(super) fn next(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(Duration::from_secs(5));
        d.mul_f64(0.5 + rand::random::<f64>() / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        for attempt in 1..=10 {
            let full = base * 2u32.pow(attempt as u32 - 1);
            let full = full.min(max);
            let d = retry_backoff(attempt, base, max);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
        assert!(retry_backoff(1000, base, max) <= max);
    }
}
