//! Pressroom's durable job queue on SQLite and PostgreSQL, and the worker runtime.
//!
//! Jobs live in the `jobs` table (migration `0002_jobs.sql` of pressroom-store). A worker
//! claims a batch of due jobs in one statement and holds them by *lease* (owner + expiry),
//! extended by heartbeats; no transaction stays open while a job runs. Every write after the
//! claim matches the lease's owner and attempt number (fencing), so a worker whose lease
//! expired and was taken over writes nothing. Expired leases are rescued by any worker.
//! Handlers can complete their job in the same transaction as their effects
//! ([`JobContext::complete_in`]); the others are completed in batches.
//!
//! Delivery is at least once: a job whose worker dies mid-run runs again. Handlers make their
//! effects idempotent or commit them together with the completion.
//!
//! ```no_run
//! # async fn demo(db: pressroom_store::Db) -> Result<(), pressroom_queue::QueueError> {
//! use pressroom_queue::{JobContext, JobError, NewJob, Queue, Worker, shutdown_on_signal};
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Resize { image: i64 }
//! Queue::new(db.clone()).enqueue(NewJob::new("resize", &Resize { image: 7 })?.queue("images")).await?;
//! Worker::builder(db)
//!     .register("resize", |_ctx: JobContext, p: Resize| async move {
//!         let _ = p.image;
//!         Ok::<(), JobError>(())
//!     })
//!     .queue("images", 16)
//!     .build()
//!     .run(shutdown_on_signal())
//!     .await?;
//! # Ok(()) }
//! ```

mod error;
mod hold;
mod job;
mod queue;
mod signal;
mod wake;
mod worker;

pub use error::{QueueError, Result};
pub use hold::{HELD_AT, RunJobCounts};
pub use job::{
    ClaimedJob, DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE, JobRecord, Lease, NewJob, QueueCount, Rescued,
};
pub use queue::Queue;
pub use signal::{shutdown_on_signal, wait_for_signal};
pub use tokio_util::sync::CancellationToken;
pub use wake::PG_CHANNEL;
pub use worker::{
    JobContext, JobError, JobFuture, MetricsSnapshot, Worker, WorkerBuilder, WorkerConfig,
    WorkerMetrics, retry_backoff,
};
