//! A running app on 127.0.0.1:0 over a fresh database with offline providers, two accounts
//! (A with an owner and a viewer, B with an owner) and their API tokens.

use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_providers::{DownloadConfig, Limits, ModelRegistry, ProviderEnv, Providers};
use pressroom_queue::CancellationToken;
use pressroom_store::Db;
use serde_json::{Value, json};
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery";
pub const KEYWORDS: &str = "Keyword,Volume\n\
    trail running shoes,900\nbest trail running shoes,700\ntrail running shoes for women,300\nwaterproof trail running shoes,200\n\
    cold brew coffee,800\ncold brew coffee ratio,400\nhow to make cold brew coffee,600\ncold brew coffee maker,350\n";

pub struct App {
    pub base: String,
    pub http: reqwest::Client,
    pub p: Pipeline,
    pub account: AccountId,
    pub site: SiteId,
    #[allow(dead_code)] // part of the fixture; no test reads it today
    pub owner: User,
    pub token: String,
    pub viewer_token: String,
    #[allow(dead_code)] // part of the fixture; no test reads it today
    pub other_account: AccountId,
    pub other_site: SiteId,
    pub other_token: String,
    pub stop: CancellationToken,
    pub server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
    _db: Option<pressroom_store::testing::TestDb>,
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Offline providers and a secret key; `downloads` are the outbound rules (a test reaching a
/// server on 127.0.0.1 allows loopback).
pub fn offline_pipeline(db: &Db, dir: &std::path::Path, downloads: DownloadConfig) -> Pipeline {
    let env = ProviderEnv::from_lookup(|_| None);
    let providers = Providers::new(env, ModelRegistry::seeded().shared(), Limits::new());
    // With a secret key, as `serve` always has one: provider keys can be stored.
    let secrets = pressroom_store::SecretBox::from_hex(&pressroom_store::SecretBox::generate_hex())
        .expect("a generated key is valid");
    Pipeline::new(db.clone(), providers, dir, downloads).with_secrets(secrets)
}

pub async fn start(db: Db) -> App {
    start_with(db, pressroom_web::WebConfig::default()).await
}

/// A user of account A with `role`, and an API token of theirs.
pub async fn add_user(app: &App, email: &str, role: Role) -> (User, String) {
    let db = app.p.db();
    let user = db
        .create_user(app.account, email, PASSWORD, role)
        .await
        .unwrap();
    let token = db
        .create_api_token(app.account, user.id, "mine")
        .await
        .unwrap()
        .secret;
    (user, token)
}

pub async fn start_with(db: Db, config: pressroom_web::WebConfig) -> App {
    start_full(db, config, DownloadConfig::default()).await
}

/// An app whose outbound connections may reach 127.0.0.1 (local test servers).
pub async fn start_loopback(db: Db) -> App {
    let downloads = DownloadConfig {
        allow_loopback: true,
        ..DownloadConfig::default()
    };
    start_full(db, pressroom_web::WebConfig::default(), downloads).await
}

pub async fn start_full(
    db: Db,
    config: pressroom_web::WebConfig,
    downloads: DownloadConfig,
) -> App {
    let dir = tempfile::tempdir().unwrap();
    let p = offline_pipeline(&db, dir.path(), downloads);
    let a = db
        .create_account("agency a", Credits(100_000))
        .await
        .unwrap();
    let b = db
        .create_account("agency b", Credits(100_000))
        .await
        .unwrap();
    let site = db
        .create_site(a.id, "blog", None, "en", &SiteSettings::default())
        .await
        .unwrap();
    let other_site = db
        .create_site(b.id, "rival", None, "en", &SiteSettings::default())
        .await
        .unwrap();
    let owner = db
        .create_user(a.id, "owner@a.example", PASSWORD, Role::Owner)
        .await
        .unwrap();
    let viewer = db
        .create_user(a.id, "viewer@a.example", PASSWORD, Role::Viewer)
        .await
        .unwrap();
    let other = db
        .create_user(b.id, "owner@b.example", PASSWORD, Role::Owner)
        .await
        .unwrap();
    let token = db
        .create_api_token(a.id, owner.id, "t")
        .await
        .unwrap()
        .secret;
    let viewer_token = db
        .create_api_token(a.id, viewer.id, "t")
        .await
        .unwrap()
        .secret;
    let other_token = db
        .create_api_token(b.id, other.id, "t")
        .await
        .unwrap()
        .secret;

    let stop = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = {
        let (p, stop) = (p.clone(), stop.clone());
        tokio::spawn(async move {
            pressroom_web::serve_with(p, "127.0.0.1:0", 4, config, stop, |addr| {
                let _ = tx.send(addr);
            })
            .await
            .unwrap();
        })
    };
    let addr = rx.await.unwrap();
    App {
        base: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        p,
        account: a.id,
        site: site.id,
        owner,
        token,
        viewer_token,
        other_account: b.id,
        other_site: other_site.id,
        other_token,
        stop,
        server,
        _dir: dir,
        _db: None,
    }
}

/// An app on its own SQLite database, kept alive as long as the app.
pub async fn start_sqlite() -> App {
    let t = pressroom_store::testing::TestDb::sqlite().await;
    let mut app = start(t.db.clone()).await;
    app._db = Some(t);
    app
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, &self.token, None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, &self.token, Some(body))
            .await
    }

    pub async fn import(&self) {
        self.import_csv(KEYWORDS).await;
    }

    /// Imports `csv` into the app's site through the API.
    pub async fn import_csv(&self, csv: &'static str) {
        let res = self
            .http
            .post(self.url(&format!("/api/v1/sites/{}/keywords/import", self.site)))
            .bearer_auth(&self.token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }

    /// Starts a run of the app's site and waits for it to reach the review gate; its id.
    pub async fn run_to_review(&self) -> i64 {
        let (st, started) = self
            .post(&format!("/api/v1/sites/{}/runs", self.site), json!({}))
            .await;
        assert_eq!(st, 201, "{started}");
        let run = started["run"]["id"].as_i64().unwrap();
        self.wait_run(run, |s| s == "awaiting_review").await;
        run
    }

    /// Polls the run until `done` says so (30 s at most).
    pub async fn wait_run(&self, run: i64, done: impl Fn(&str) -> bool) -> Value {
        for _ in 0..300 {
            let (st, v) = self.get(&format!("/api/v1/runs/{run}")).await;
            assert_eq!(st, 200, "{v}");
            if done(v["status"].as_str().unwrap()) {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("run {run} did not finish");
    }
}

/// Asserts an error answer's status and shape.
pub fn assert_error(got: &(u16, Value), status: u16, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], code, "{}", got.1);
    assert!(
        got.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
}
