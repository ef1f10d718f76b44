//! The worker runtime: claim loops per queue, handlers by job kind, heartbeats, batched
//! completion, rescue sweeps, wake-ups and graceful shutdown.
//!
//! - `context`: what a handler gets and returns ([`JobContext`], [`JobError`]).
//! - `config`, `metrics`: the worker's settings and counters.
//! - `state`: what the worker's tasks share, and the retry through database outages.
//! - `claim`: the claim loop and one job's run; `background`: completion, heartbeat, rescue,
//!   wake-ups.
//!
//! Every job runs in a `job` span with its id, kind, attempt, account and run.

mod background;
mod claim;
mod config;
mod context;
mod metrics;
mod state;

pub use config::{WorkerConfig, retry_backoff};
pub use context::{JobContext, JobError, JobFuture};
pub use metrics::{MetricsSnapshot, WorkerMetrics};

use background::{completer, heartbeat_loop, listen_loop, rescue_loop};
use claim::claim_loop;
use context::Handler;
use state::Inner;

use crate::error::Result;
use crate::job::{DEFAULT_QUEUE, Lease};
use crate::queue::Queue;
use pressroom_store::Db;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

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
