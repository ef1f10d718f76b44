//! The worker runtime: claim loops per queue, handlers by job kind, heartbeats, batched
//! completion, rescue sweeps, wake-ups and graceful shutdown.

use crate::error::{QueueError, Result};
use crate::job::{ClaimedJob, DEFAULT_QUEUE, Lease};
use crate::queue::Queue;
use crate::wake::PG_CHANNEL;
use futures::FutureExt;
use pressroom_domain::{AccountId, JobId, JobState, RunId, TimestampMs};
use pressroom_store::{Db, StoreError, Tx, now_ms};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info, info_span, warn};

/// How a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (after `after`, or the worker's backoff), while attempts remain.
    #[error("{message}")]
    Retryable {
        message: String,
        after: Option<Duration>,
    },
    /// No retry can fix it: the job is dead at once, with this message kept.
    #[error("{0}")]
    Permanent(String),
}

impl JobError {
    pub fn retry(message: impl Into<String>) -> JobError {
        JobError::Retryable {
            message: message.into(),
            after: None,
        }
    }
    pub fn retry_after(after: Duration, message: impl Into<String>) -> JobError {
        JobError::Retryable {
            message: message.into(),
            after: Some(after),
        }
    }
    pub fn permanent(message: impl Into<String>) -> JobError {
        JobError::Permanent(message.into())
    }
}

/// Queue and store errors inside a handler are retryable: the database may be back later, and
/// a lost lease makes the retry write nothing anyway.
impl From<QueueError> for JobError {
    fn from(e: QueueError) -> JobError {
        JobError::retry(e.to_string())
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> JobError {
        JobError::retry(e.to_string())
    }
}

/// What a handler knows about the job it runs, and the way to complete it in its own
/// transaction.
#[derive(Clone)]
pub struct JobContext {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    id: JobId,
    kind: String,
    queue: String,
    attempt: i64,
    max_attempts: i64,
    run_id: Option<RunId>,
    account_id: Option<AccountId>,
    created_at: TimestampMs,
    lease: Lease,
    db: Db,
    completed_in_tx: AtomicBool,
    stop: CancellationToken,
}

impl JobContext {
    pub fn id(&self) -> JobId {
        self.inner.id
    }
    pub fn kind(&self) -> &str {
        &self.inner.kind
    }
    pub fn queue(&self) -> &str {
        &self.inner.queue
    }
    /// 1 on the first run.
    pub fn attempt(&self) -> i64 {
        self.inner.attempt
    }
    pub fn max_attempts(&self) -> i64 {
        self.inner.max_attempts
    }
    pub fn is_last_attempt(&self) -> bool {
        self.inner.attempt >= self.inner.max_attempts
    }
    pub fn run_id(&self) -> Option<RunId> {
        self.inner.run_id
    }
    pub fn account_id(&self) -> Option<AccountId> {
        self.inner.account_id
    }
    pub fn created_at(&self) -> TimestampMs {
        self.inner.created_at
    }
    pub fn lease(&self) -> &Lease {
        &self.inner.lease
    }
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Begins a transaction for the handler's effects.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.inner.db.begin().await?)
    }

    /// Marks this job done inside `tx`, which also holds the handler's effects; commit `tx`
    /// afterwards and return `Ok(())`. If the lease was lost (the job was rescued and taken
    /// over, or cancelled) this fails with `LeaseLost`: return the error, and dropping `tx`
    /// rolls the effects back.
    pub async fn complete_in(&self, tx: &mut Tx) -> Result<()> {
        Queue::complete_in(tx, &self.inner.lease).await?;
        self.inner.completed_in_tx.store(true, Ordering::Release);
        Ok(())
    }

    /// Gives this job back held inside `tx` (see [`Queue::hold_in`]): for a handler whose run
    /// is paused. Commit `tx` and return `Ok(())`; the worker then leaves the job alone.
    pub async fn hold_in(&self, tx: &mut Tx) -> Result<()> {
        Queue::hold_in(tx, &self.inner.lease).await?;
        self.inner.completed_in_tx.store(true, Ordering::Release);
        Ok(())
    }

    /// Resolves when the worker begins to shut down. A long handler may watch it to wrap up
    /// early; one still running when the shutdown grace period ends is aborted and its job
    /// released (not counted as an attempt) for another worker.
    pub async fn shutdown_requested(&self) {
        self.inner.stop.cancelled().await
    }

    pub fn is_shutting_down(&self) -> bool {
        self.inner.stop.is_cancelled()
    }
}

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(JobContext, &str) -> Result<JobFuture, serde_json::Error> + Send + Sync>;

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

/// Counters of one worker, for a metrics endpoint.
#[derive(Debug, Default)]
pub struct WorkerMetrics {
    claimed: AtomicU64,
    done: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
    rescued: AtomicU64,
    lease_lost: AtomicU64,
    released: AtomicU64,
    db_errors: AtomicU64,
    in_flight: AtomicU64,
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

    fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
}

/// Builds a [`Worker`]: `Worker::builder(db).register(kind, handler).queue("images", 16).build()`.
pub struct WorkerBuilder {
    queue: Queue,
    handlers: HashMap<String, Handler>,
    queues: Vec<(String, usize)>,
    config: WorkerConfig,
    owner: Option<String>,
}

impl WorkerBuilder {
    /// Registers the handler for jobs of `kind`; their payload is decoded as `P` (a payload that
    /// does not decode makes the job dead at once).
    pub fn register<P, F, Fut>(mut self, kind: impl Into<String>, handler: F) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(JobContext, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let erased: Handler = Arc::new(move |ctx: JobContext, payload: &str| {
            let p: P = serde_json::from_str(payload)?;
            Ok(Box::pin(handler(ctx, p)) as JobFuture)
        });
        self.handlers.insert(kind.into(), erased);
        self
    }

    /// Works `queue` with at most `concurrency` jobs at once. Without any, the worker works
    /// the default queue with 8.
    pub fn queue(mut self, queue: impl Into<String>, concurrency: usize) -> Self {
        self.queues.push((queue.into(), concurrency.max(1)));
        self
    }

    pub fn config(mut self, config: WorkerConfig) -> Self {
        self.config = config;
        self
    }

    /// The lease owner name; by default `host:pid:random`, unique per worker.
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    pub fn build(self) -> Worker {
        let mut queues = self.queues;
        if queues.is_empty() {
            queues.push((DEFAULT_QUEUE.to_string(), 8));
        }
        let owner = self.owner.unwrap_or_else(default_owner);
        Worker {
            inner: Arc::new(Inner {
                queue: self.queue,
                owner: Arc::from(owner),
                handlers: self.handlers,
                cfg: self.config,
                metrics: Arc::new(WorkerMetrics::default()),
                inflight: Mutex::new(HashMap::new()),
            }),
            queues,
        }
    }
}

fn default_owner() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// A worker process's job runner. See [`Worker::run`].
pub struct Worker {
    inner: Arc<Inner>,
    queues: Vec<(String, usize)>,
}

struct Inner {
    queue: Queue,
    owner: Arc<str>,
    handlers: HashMap<String, Handler>,
    cfg: WorkerConfig,
    metrics: Arc<WorkerMetrics>,
    /// Jobs claimed and not yet finished in the database (including those waiting for the
    /// batched completion): the heartbeat extends exactly these.
    inflight: Mutex<HashMap<JobId, i64>>,
}

impl Inner {
    fn inflight(&self) -> MutexGuard<'_, HashMap<JobId, i64>> {
        // Plain inserts and removes: a panicking holder leaves the map usable.
        self.inflight.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn track(&self, lease: &Lease) {
        self.inflight().insert(lease.job, lease.attempt);
        WorkerMetrics::add(&self.metrics.in_flight, 1);
    }

    fn untrack(&self, jobs: impl IntoIterator<Item = JobId>) {
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

impl Worker {
    pub fn builder(db: Db) -> WorkerBuilder {
        WorkerBuilder {
            queue: Queue::new(db),
            handlers: HashMap::new(),
            queues: Vec::new(),
            config: WorkerConfig::default(),
            owner: None,
        }
    }

    /// The counters, live; keep a clone for a metrics endpoint before calling [`Worker::run`].
    pub fn metrics(&self) -> Arc<WorkerMetrics> {
        self.inner.metrics.clone()
    }

    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    pub fn queue_handle(&self) -> &Queue {
        &self.inner.queue
    }

    /// Runs until `shutdown` is cancelled, then stops claiming, lets in-flight jobs finish for
    /// up to `shutdown_grace`, releases the ones still running, flushes completions and
    /// returns. Database outages are logged and retried with backoff, never fatal.
    pub async fn run(self, shutdown: CancellationToken) -> Result<MetricsSnapshot> {
        let inner = self.inner;
        info!(owner = %inner.owner, queues = ?self.queues, engine = inner.queue.engine().as_str(), "worker started");
        let hard_stop = CancellationToken::new();
        let background = CancellationToken::new();
        let (done_tx, done_rx) = mpsc::unbounded_channel::<Lease>();

        let completer = tokio::spawn(completer(inner.clone(), done_rx));
        let mut helpers = JoinSet::new();
        helpers.spawn(heartbeat_loop(inner.clone(), background.clone()));
        helpers.spawn(rescue_loop(inner.clone(), background.clone()));
        if let Db::Postgres(pool) = inner.queue.db() {
            helpers.spawn(listen_loop(inner.clone(), pool.clone(), background.clone()));
        }
        {
            let (shutdown, hard_stop, grace) = (
                shutdown.clone(),
                hard_stop.clone(),
                inner.cfg.shutdown_grace,
            );
            helpers.spawn(async move {
                tokio::select! {
                    _ = shutdown.cancelled() => tokio::select! {
                        _ = tokio::time::sleep(grace) => hard_stop.cancel(),
                        _ = hard_stop.cancelled() => {}
                    },
                    _ = hard_stop.cancelled() => {}
                }
            });
        }

        let mut loops = JoinSet::new();
        for (name, concurrency) in &self.queues {
            loops.spawn(claim_loop(
                inner.clone(),
                name.clone(),
                *concurrency,
                shutdown.clone(),
                hard_stop.clone(),
                done_tx.clone(),
            ));
        }
        drop(done_tx);
        while loops.join_next().await.is_some() {}
        // Every sender is gone once the loops and their jobs are: the completer drains and ends.
        if let Err(e) = completer.await {
            error!(error = %e, "completion task failed");
        }
        hard_stop.cancel();
        background.cancel();
        while helpers.join_next().await.is_some() {}
        let snap = inner.metrics.snapshot();
        info!(owner = %inner.owner, ?snap, "worker stopped");
        Ok(snap)
    }
}

async fn claim_loop(
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
                        let _ = inner.queue.release(&job.lease).await;
                        continue;
                    };
                    inner.track(&job.lease);
                    let lease = job.lease.clone();
                    let span = info_span!("job", id = job.id.get(), kind = %job.kind, attempt = job.attempt);
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
        Err(_) => {}
    }
    inner.untrack([lease.job]);
}

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
        Err(_) => {}
    }
    inner.untrack([lease.job]);
}

/// Retries a write through a database outage for up to one lease period; past that the lease
/// has expired, the job will be rescued, and the write would be refused anyway.
async fn with_db_retry<T, F, Fut>(inner: &Inner, what: &str, mut op: F) -> Result<T>
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

/// Marks done, in batches, the jobs whose handlers returned `Ok` without completing in their
/// own transaction. Batches form by themselves: whatever finished while the last statement
/// ran goes in the next.
async fn completer(inner: Arc<Inner>, mut rx: mpsc::UnboundedReceiver<Lease>) {
    let max = inner.cfg.complete_batch.max(1);
    let mut buf: Vec<Lease> = Vec::with_capacity(max);
    while rx.recv_many(&mut buf, max).await > 0 {
        let pairs: Vec<(JobId, i64)> = buf.iter().map(|l| (l.job, l.attempt)).collect();
        let r = with_db_retry(&inner, "completing jobs", || {
            inner.queue.complete_many(&inner.owner, &pairs)
        })
        .await;
        if let Ok(done) = r {
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
        inner.untrack(pairs.iter().map(|p| p.0));
        buf.clear();
    }
}

async fn heartbeat_loop(inner: Arc<Inner>, stop: CancellationToken) {
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

async fn rescue_loop(inner: Arc<Inner>, stop: CancellationToken) {
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
async fn listen_loop(inner: Arc<Inner>, pool: sqlx::PgPool, stop: CancellationToken) {
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

/// Exponential backoff for database errors: 100 ms doubling to 5 s, jittered.
struct Backoff {
    next: Duration,
}

impl Backoff {
    fn new() -> Backoff {
        Backoff {
            next: Duration::from_millis(100),
        }
    }
    fn reset(&mut self) {
        self.next = Duration::from_millis(100);
    }
    fn next(&mut self) -> Duration {
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
