//! Pressroom storage on two engines with one behaviour.
//!
//! [`Db`] is an enum over a SQLite and a PostgreSQL pool. Repository functions write their SQL
//! once (both engines accept `$1` placeholders, `RETURNING` and `ON CONFLICT`) and run it on
//! whichever pool is live through [`on_db!`]/[`on_conn!`]; the few statements whose dialects
//! differ branch on [`Engine`]. Each engine has its own migrations directory, kept in lockstep
//! and checked by a test that compares the migrated schemas.
//!
//! Every repository function that reads or writes tenant data takes the [`AccountId`] it acts
//! for and puts it in the `WHERE` clause: there is no query that reads another account's rows.

mod accounts;
mod auth;
mod budget;
mod clustering_inputs;
mod error;
mod keywords;
mod ledger;
mod provider_keys;
mod publishing;
mod rows;
mod runs;
mod schedules;
mod secrets;
mod settings_log;
mod sites;
mod status;
#[cfg(feature = "testing")]
pub mod testing;
mod webhooks;
mod work;

pub use accounts::{LOCAL_ACCOUNT_NAME, LOCAL_SITE_NAME, LOCAL_STARTING_CREDITS};
pub use auth::{
    CreatedToken, MIN_PASSWORD_CHARS, NewSession, SessionUser, TOKEN_PREFIX, hash_password,
};
pub use clustering_inputs::SerpRow;
pub use error::StoreError;
pub use keywords::{KeywordFilter, KeywordUpsert, Page};
pub use ledger::Charge;
pub use provider_keys::{KEY_PROVIDERS, ProviderKeyInfo};
pub use publishing::{
    DestinationUpdate, DuePublication, NewDestination, PublicationOutcome, QueuedPublication,
};
pub use runs::{NewUsage, UsageSummary};
pub use schedules::{DueSite, ScheduleSlot, SlotOutcome};
pub use secrets::{SecretBox, SecretError};
pub use settings_log::{Actor, SettingsChange};
pub use status::StatusColumn;
pub use webhooks::Attempt;
pub use work::{
    ContentText, GeneratedImage, ImageCounts, LinkView, MergeCounts, NewContent, NewImage, NewLink,
    PipelineCounts,
};

use pressroom_domain::TimestampMs;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A connection pool on one of the two engines.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on one of the two engines. Dropping it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the live engine's pool. Each arm is compiled for its own
/// engine, so the same SQL text and binds are type-checked against both drivers.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut *tx`).
#[macro_export]
macro_rules! on_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Opens `url`: `postgres://…`/`postgresql://…` or `sqlite://PATH` (created if missing).
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts =
                PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redact(url)))?;
            Db::connect_postgres(opts).await
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Db::open_sqlite(Path::new(path)).await
        } else {
            Err(StoreError::BadUrl(redact(url)))
        }
    }

    pub async fn connect_postgres(opts: PgConnectOptions) -> Result<Db> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// A SQLite file in WAL mode: readers never wait for the writer, and a crash loses nothing
    /// that was committed.
    pub async fn open_sqlite(path: &Path) -> Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Io(format!("creating {}: {e}", dir.display())))?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies pending migrations of this engine; safe to call at every start.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATOR.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        self.backfill_primary_terms().await
    }

    /// Ideas planned before migration 0004 have no `primary_terms`: computed here (SQL cannot
    /// stem), a page at a time, so the one-article-per-search rule sees them. An idea whose
    /// terms another idea of its site already holds keeps NULL (the duplicate predates the
    /// rule); after the first start this finds nothing.
    async fn backfill_primary_terms(&self) -> Result<()> {
        let mut after = 0i64;
        loop {
            let page: Vec<(i64, String)> = on_db!(self, p => sqlx::query_as(
                "SELECT id, primary_keyword FROM ideas WHERE primary_terms IS NULL AND id > $1 ORDER BY id LIMIT 500")
                .bind(after).fetch_all(p).await)?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.0;
            let mut tx = self.begin().await?;
            let t = &mut tx;
            for (id, keyword) in &page {
                let key = pressroom_domain::clustering::terms_key(keyword);
                on_conn!(t, c => sqlx::query(
                    "UPDATE ideas SET primary_terms = $1 WHERE id = $2 AND primary_terms IS NULL
                       AND NOT EXISTS (SELECT 1 FROM ideas o WHERE o.site_id = ideas.site_id AND o.primary_terms = $1)")
                    .bind(&key).bind(id).execute(c).await.map(|_| ()))?;
            }
            tx.commit().await?;
        }
    }

    /// Begins a transaction. On SQLite it starts as a write transaction (`BEGIN IMMEDIATE`), so
    /// two writers queue on the lock instead of failing with SQLITE_BUSY halfway through.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

impl Tx {
    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// Wall-clock now in ms since the epoch, UTC.
pub fn now_ms() -> TimestampMs {
    // A clock before 1970 is a broken machine; 0 keeps ordering sane rather than panicking.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A database URL safe to print: the password, if any, is masked.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
