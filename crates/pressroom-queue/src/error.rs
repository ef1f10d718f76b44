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
    /// True when retrying the same call later can succeed: the database was unreachable,
    /// restarting, busy or locked, or picked this transaction as a deadlock victim; as opposed
    /// to an answer that will not change (a constraint violation, a bad statement).
    pub fn is_transient(&self) -> bool {
        let QueueError::Store(StoreError::Database(e)) = self else {
            return false;
        };
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|c| transient_code(&c)),
            _ => false,
        }
    }
}

/// PostgreSQL SQLSTATEs are five characters: classes 08 (connection), 40 (serialization
/// failure, deadlock), 53 (insufficient resources), 57 (operator intervention, e.g. the server
/// shutting down or terminating the connection) and 55P03 (lock not available). SQLite codes
/// are numbers: BUSY (5) and LOCKED (6), extended codes included (their low byte).
fn transient_code(code: &str) -> bool {
    if code.len() == 5 {
        ["08", "40", "53", "57"].iter().any(|c| code.starts_with(c)) || code == "55P03"
    } else {
        code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
    }
}

pub type Result<T, E = QueueError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::transient_code;

    #[test]
    fn transient_codes() {
        for c in [
            "08006", "40001", "40P01", "57P01", "53300", "55P03", "5", "6", "517", "262",
        ] {
            assert!(transient_code(c), "{c}");
        }
        for c in ["23505", "23514", "42P01", "22P02", "19", "2067", "1"] {
            assert!(!transient_code(c), "{c}");
        }
    }
}
