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

    /// True for a unique-constraint violation, which callers turn into "already exists".
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
