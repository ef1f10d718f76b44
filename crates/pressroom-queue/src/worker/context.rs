//! What a handler sees: its job's context (ids, attempt, the way to complete it in its own
//! transaction) and the error it returns; and the type-erased handler the registry keeps.

use crate::error::{QueueError, Result};
use crate::job::Lease;
use crate::queue::Queue;
use pressroom_domain::{AccountId, JobId, RunId, TimestampMs};
use pressroom_store::{Db, StoreError, Tx};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

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
    pub(super) inner: Arc<ContextInner>,
}

pub(super) struct ContextInner {
    pub(super) id: JobId,
    pub(super) kind: String,
    pub(super) queue: String,
    pub(super) attempt: i64,
    pub(super) max_attempts: i64,
    pub(super) run_id: Option<RunId>,
    pub(super) account_id: Option<AccountId>,
    pub(super) created_at: TimestampMs,
    pub(super) lease: Lease,
    pub(super) db: Db,
    pub(super) completed_in_tx: AtomicBool,
    pub(super) stop: CancellationToken,
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
pub(super) type Handler =
    Arc<dyn Fn(JobContext, &str) -> Result<JobFuture, serde_json::Error> + Send + Sync>;
