//! What the pipeline tests share: a pipeline over a fresh database and the mock provider
//! server, with the example keywords imported, and workers run until a condition holds.

use pressroom_domain::*;
use pressroom_mock_ai::{MockConfig, MockHandle};
use pressroom_pipeline::{Pipeline, functions, runs, workers};
use pressroom_providers::{DownloadConfig, Limits, ModelRegistry, ProviderEnv, Providers};
use pressroom_queue::{CancellationToken, WorkerConfig};
use pressroom_store::Db;
use std::collections::HashMap;
use std::io::Cursor;
use std::time::Duration;

/// Two topics, each searched with two intents (so each cluster plans two articles).
const KEYWORDS: &str = "Keyword,Volume,Intent\n\
    trail running shoes,900,informational\nbest trail running shoes,700,commercial\ntrail running shoes for women,300,informational\nwaterproof trail running shoes,200,commercial\n\
    cold brew coffee,800,informational\ncold brew coffee ratio,400,informational\nhow to make cold brew coffee,600,informational\ncold brew coffee maker,350,transactional\n";

pub struct Harness {
    pub p: Pipeline,
    pub mock: MockHandle,
    pub limits: std::sync::Arc<Limits>,
    pub account: AccountId,
    pub site: Site,
    _dir: tempfile::TempDir,
}

/// `text`/`image`: "openai", "runware" or "offline" (which key the environment carries).
pub async fn harness(db: Db, mock: MockConfig, text: &str, image: &str) -> Harness {
    let (_, mock) = pressroom_mock_ai::spawn(mock).await.unwrap();
    let mut vars: HashMap<String, String> = HashMap::new();
    if text == "openai" || image == "openai" {
        vars.insert("OPENAI_API_KEY".into(), "sk-test".into());
        vars.insert("OPENAI_BASE_URL".into(), mock.v1());
    }
    if image == "runware" {
        vars.insert("RUNWARE_API_KEY".into(), "rw-test".into());
        vars.insert("RUNWARE_BASE_URL".into(), mock.v1());
    }
    let env = ProviderEnv::from_lookup(|k| vars.get(k).cloned());
    let limits = Limits::new();
    let providers = Providers::new(env, ModelRegistry::seeded().shared(), limits.clone());
    let dir = tempfile::tempdir().unwrap();
    let download = DownloadConfig {
        allow_loopback: true,
        ..DownloadConfig::default()
    };
    let p = Pipeline::new(db.clone(), providers, dir.path(), download);
    let (account, mut site) = db.local_default().await.unwrap();
    if text == "offline" {
        site.settings.text_provider = Some("offline".into());
    }
    if image == "offline" {
        site.settings.image_provider = Some("offline".into());
    }
    let site = db
        .update_site_settings(account.id, site.id, &site.settings)
        .await
        .unwrap();
    pressroom_pipeline::import::import_keywords(
        &db,
        account.id,
        site.id,
        "test",
        Cursor::new(KEYWORDS.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    Harness {
        p,
        mock,
        limits,
        account: account.id,
        site,
        _dir: dir,
    }
}

impl Harness {
    /// Changes the site's settings and saves them.
    pub async fn edit_settings(&mut self, edit: impl FnOnce(&mut SiteSettings)) {
        edit(&mut self.site.settings);
        self.site = self
            .p
            .db()
            .update_site_settings(self.account, self.site.id, &self.site.settings)
            .await
            .unwrap();
    }
}

pub fn test_worker_config() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(50),
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
        ..WorkerConfig::default().with_lease(Duration::from_secs(2))
    }
}

/// Runs a worker until `done` holds (bounded: panics after 10 minutes rather than hanging CI;
/// the scale test takes minutes on a loaded 2-core machine).
pub async fn work_until<F: AsyncFn() -> bool>(p: &Pipeline, done: F) {
    work_until_with_slots(p, 8, done).await
}

pub async fn work_until_with_slots<F: AsyncFn() -> bool>(
    p: &Pipeline,
    image_slots: usize,
    done: F,
) {
    let stop = CancellationToken::new();
    let handle =
        tokio::spawn(workers::worker(p, image_slots, test_worker_config()).run(stop.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "work did not finish in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    handle.await.unwrap().unwrap();
}

pub async fn run_to_end(h: &Harness) -> AutomationRun {
    run_scoped_to_end(h, &RunScope::default()).await
}

pub async fn run_scoped_to_end(h: &Harness, scope: &RunScope) -> AutomationRun {
    let (run, _) = runs::start_run(&h.p, h.account, h.site.id, RunTrigger::Manual, scope)
        .await
        .unwrap();
    work_until(&h.p, async || {
        !h.p.db()
            .run(h.account, run.id)
            .await
            .unwrap()
            .status
            .is_active()
    })
    .await;
    h.p.db().run(h.account, run.id).await.unwrap()
}

/// Adds `n` generated keywords (`n - n / 4` distinct searches) to the harness's site.
pub async fn import_generated(h: &Harness, n: usize) {
    pressroom_pipeline::import::import_keywords(
        h.p.db(),
        h.account,
        h.site.id,
        "generated",
        Cursor::new(pressroom_mock_ai::keywords::csv(n).into_bytes()),
    )
    .await
    .unwrap();
}

/// Content with pending images, made through stages 1-5's functions.
pub async fn content_with_pending_images(h: &Harness) -> (ContentId, Vec<ImageId>) {
    let db = h.p.db();
    let kws = db
        .keywords_by_status(h.account, h.site.id, KeywordStatus::New, 100)
        .await
        .unwrap();
    assert!(!kws.is_empty());
    let report = functions::cluster_keywords(&h.p, h.account, h.site.id, None)
        .await
        .unwrap();
    let ideas = functions::generate_ideas(&h.p, h.account, report.clusters[0], None)
        .await
        .unwrap()
        .ideas;
    let tasks = functions::create_tasks(&h.p, h.account, &ideas[..1])
        .await
        .unwrap();
    let (content, _) = functions::generate_content(&h.p, h.account, tasks[0], None)
        .await
        .unwrap();
    let (images, _) = functions::generate_image_prompts(&h.p, h.account, content, None)
        .await
        .unwrap();
    (content, images)
}

pub async fn ledger_charges(db: &Db, account: AccountId) -> Vec<CreditEntry> {
    db.credit_entries(account, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.delta.0 < 0)
        .collect()
}
