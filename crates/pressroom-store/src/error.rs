use pressroom_domain::{Credits, DomainError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error("{0}")]
    Io(String),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {name:?} already exists")]
    AlreadyExists { entity: &'static str, name: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("insufficient credits: this needs {needed}, the balance is {balance}")]
    InsufficientCredits { needed: Credits, balance: Credits },
    #[error("{entity} {id} was changed by someone else; try again")]
    Conflict { entity: &'static str, id: String },
    /// A rule of the account refuses the change (the last owner, a key still in use); the
    /// message says which rule and what to do.
    #[error("{0}")]
    Refused(String),
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

impl StoreError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> StoreError {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// True when the same call can succeed later: the database was unreachable, restarting,
    /// busy or locked, or picked this transaction as a deadlock victim; as opposed to an
    /// answer that will not change (a constraint violation, a bad statement, a missing row).
    /// The queue and the pipeline both classify database errors with this.
    pub fn is_transient(&self) -> bool {
        let StoreError::Database(e) = self else {
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

    /// True for a unique-constraint violation, which callers turn into "already exists".
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
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
