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

/// Test set-up: an account with one site and one empty cluster, for article tests.
pub async fn article_site(
    db: &Db,
    name: &str,
) -> (
    pressroom_domain::AccountId,
    pressroom_domain::SiteId,
    pressroom_domain::ClusterId,
) {
    use pressroom_domain::*;
    let account = db.create_account(name, Credits(0)).await.unwrap().id;
    let site = db
        .create_site(account, "blog", None, "en", &SiteSettings::default())
        .await
        .unwrap()
        .id;
    let cluster = new_cluster(db, account, site, "topic").await;
    (account, site, cluster)
}

/// Test set-up: an empty cluster called `name`.
pub async fn new_cluster(
    db: &Db,
    account: pressroom_domain::AccountId,
    site: pressroom_domain::SiteId,
    name: &str,
) -> pressroom_domain::ClusterId {
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .insert_cluster(
            account,
            site,
            name,
            "",
            pressroom_domain::ClusterMethod::Manual,
            None,
        )
        .await
        .unwrap()
        .expect("a cluster name the site does not have");
    tx.commit().await.unwrap();
    id
}

/// Test set-up: an idea for `cluster` whose primary keyword is `keyword` (one per site).
pub async fn plan_idea(
    db: &Db,
    account: pressroom_domain::AccountId,
    site: pressroom_domain::SiteId,
    cluster: pressroom_domain::ClusterId,
    keyword: &str,
) -> pressroom_domain::Idea {
    let item = pressroom_domain::ai::IdeaItem {
        title: format!("All about {keyword}"),
        description: String::new(),
        content_structure: pressroom_domain::ContentStructure::Article,
        outline: vec!["One".into()],
        primary_keyword: keyword.into(),
        secondary_keywords: Vec::new(),
        target_words: 800,
    };
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .insert_idea(account, site, cluster, &item, keyword)
        .await
        .unwrap()
        .expect("a primary keyword the site has no idea for");
    tx.commit().await.unwrap();
    db.idea(account, id).await.unwrap()
}

/// Test set-up: the draft article written for `idea`, through its task as stages 3-4 do.
pub async fn write_article(
    db: &Db,
    idea: &pressroom_domain::Idea,
    offline: bool,
) -> pressroom_domain::Content {
    let mut tx = db.begin().await.unwrap();
    let task = tx.create_task_for_idea(idea).await.unwrap();
    tx.move_status(
        idea.account_id,
        task,
        pressroom_domain::TaskStatus::InProgress,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let task = db.task(idea.account_id, task).await.unwrap();
    let body = format!("Intro about {}.\n\n## One\n\nMore.", idea.primary_keyword);
    let content = crate::NewContent {
        title: idea.title.clone(),
        slug: idea.primary_keyword.replace(' ', "-"),
        meta_title: idea.title.clone(),
        meta_description: format!("Read about {}.", idea.primary_keyword),
        excerpt: "An excerpt.".into(),
        body_html: format!("<p>{body}</p>"),
        body_markdown: body,
        word_count: 6,
        primary_keyword: idea.primary_keyword.clone(),
        secondary_keywords: vec![format!("{} tips", idea.primary_keyword)],
        offline,
    };
    let mut tx = db.begin().await.unwrap();
    let id = tx.insert_content(&task, &content).await.unwrap();
    tx.commit().await.unwrap();
    db.content(idea.account_id, id).await.unwrap()
}

/// Test set-up: [`plan_idea`] then [`write_article`].
pub async fn seed_article(
    db: &Db,
    account: pressroom_domain::AccountId,
    site: pressroom_domain::SiteId,
    cluster: pressroom_domain::ClusterId,
    keyword: &str,
) -> pressroom_domain::Content {
    let idea = plan_idea(db, account, site, cluster, keyword).await;
    write_article(db, &idea, false).await
}

/// Test time travel for the queue: makes every waiting job of `kind` due now (a retry
/// scheduled minutes ahead runs at once). Returns how many.
pub async fn make_jobs_due(db: &Db, kind: &str) -> u64 {
    crate::on_db!(db, p => sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = $1 AND state = 'available'")
        .bind(kind).execute(p).await.map(|r| r.rows_affected()))
    .expect("make jobs due")
}

/// One text column of one row, read raw (to show what is really stored, e.g. sealed secrets).
pub async fn raw_text(db: &Db, sql: &str, id: i64) -> String {
    crate::on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).bind(id).fetch_one(p).await)
        .expect("raw read")
}

/// Test crash: every publication forgets the post id its destination gave it, as if the
/// process died after the post was made and before the id was recorded.
pub async fn forget_external_ids(db: &Db) -> u64 {
    crate::on_db!(db, p => sqlx::query("UPDATE publications SET external_id = NULL")
        .execute(p).await.map(|r| r.rows_affected()))
    .expect("forget external ids")
}
