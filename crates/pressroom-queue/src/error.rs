use pressroom_domain::JobId;
use pressroom_store::StoreError;
use thiserror::Error;

/// What a queue operation can fail with.
#[derive(Debug, Error)]
pub enum QueueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job is no longer held by this claim: its lease expired and it was rescued (and maybe
    /// claimed by another worker), or it was cancelled. Nothing was written.
    #[error("lease on job {job} was lost (it expired or the job was cancelled); nothing written")]
    LeaseLost { job: JobId },
    #[error("job {0} not found")]
    NotFound(JobId),
    #[error("job payload does not serialize: {0}")]
    Payload(#[from] serde_json::Error),
    #[error("invalid job: {0}")]
    Invalid(String),
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> Self {
        QueueError::Store(StoreError::Database(e))
    }
}

impl QueueError {
    /// True when retrying the same call later can succeed: see [`StoreError::is_transient`].
    pub fn is_transient(&self) -> bool {
        matches!(self, QueueError::Store(e) if e.is_transient())
    }
}

pub type Result<T, E = QueueError> = std::result::Result<T, E>;
