//! Fresh databases for tests: a SQLite file in a temporary directory, or a PostgreSQL schema of
//! its own on the server named by `PRESSROOM_TEST_POSTGRES_URL`, so tests run in parallel
//! without sharing state.
//!
//! Without that variable the PostgreSQL half of a test reports that it was skipped; with
//! `CI=true` a missing or unreachable server fails the test instead, so CI cannot go green by
//! testing one engine.

use crate::{Db, Engine};
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

pub const POSTGRES_URL_VAR: &str = "PRESSROOM_TEST_POSTGRES_URL";

/// A migrated database that lives as long as this value (the SQLite directory is removed on
/// drop; PostgreSQL schemas are named uniquely and left for inspection).
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl TestDb {
    /// A fresh migrated database on `engine`; `None` when PostgreSQL is not configured outside CI.
    pub async fn new(engine: Engine) -> Option<TestDb> {
        match engine {
            Engine::Sqlite => Some(TestDb::sqlite().await),
            Engine::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.db");
        let db = Db::open_sqlite(&path).await.expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            url: format!("sqlite://{}", path.display()),
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let Ok(base) = std::env::var(POSTGRES_URL_VAR) else {
            if in_ci() {
                panic!(
                    "{POSTGRES_URL_VAR} is not set but CI=true: PostgreSQL tests must run in CI"
                );
            }
            eprintln!("SKIPPED: PostgreSQL half of this test ({POSTGRES_URL_VAR} not set)");
            return None;
        };
        let schema = format!("t_{}_{:08x}", std::process::id(), rand::random::<u32>());
        let admin = Db::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {POSTGRES_URL_VAR} unreachable: {e}"));
        if let Db::Postgres(p) = &admin {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(p)
                .await
                .expect("create test schema");
            p.close().await;
        }
        let opts = PgConnectOptions::from_str(&base)
            .expect("postgres url")
            .options([("search_path", schema.as_str())]);
        let db = Db::connect_postgres(opts).await.expect("connect postgres");
        db.migrate().await.expect("migrate postgres");
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(TestDb {
            db,
            url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
            _dir: None,
        })
    }
}

/// Runs an async test body once per engine: `engine_test!(name, |db: Db| async move { … })`
/// expands to `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! engine_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::TestDb::new($crate::Engine::Sqlite)
                    .await
                    .expect("sqlite");
                ($body)(t.db.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = $crate::testing::TestDb::new($crate::Engine::Postgres).await else {
                    return;
                };
                ($body)(t.db.clone()).await;
            }
        }
    };
}

/// Test set-up: links the `new` keywords with these normalised phrases to `cluster`, as stage 1
/// would (by id, through `Tx::map_keyword_ids`).
pub async fn map_phrases(
    tx: &mut crate::Tx,
    account: pressroom_domain::AccountId,
    site: pressroom_domain::SiteId,
    cluster: pressroom_domain::ClusterId,
    normalised: &[String],
) -> crate::Result<u64> {
    let mut ids = Vec::new();
    for phrase in normalised {
        let id: Option<i64> = crate::on_conn!(tx, c => sqlx::query_scalar(
            "SELECT id FROM keywords WHERE account_id = $1 AND site_id = $2 AND normalised = $3")
            .bind(account.get()).bind(site.get()).bind(phrase).fetch_optional(c).await)?;
        ids.extend(id.map(pressroom_domain::KeywordId::new));
    }
    tx.map_keyword_ids(account, site, cluster, &ids).await
}
