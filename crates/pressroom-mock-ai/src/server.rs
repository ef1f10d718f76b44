//! Starting the server: the routes, and the handle a test holds.

use crate::chat::chat;
use crate::config::{MockConfig, Stats, Step};
use crate::embeddings::embeddings;
use crate::hooks::{
    get_last, get_stats, huge, not_an_image, redirect, reset, serve_image, set_script,
};
use crate::images::images;
use crate::runware::runware;
use crate::state::{Inner, Shared, lock};
use axum::Router;
use axum::routing::{get, post};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A running mock server.
pub struct MockHandle {
    addr: SocketAddr,
    inner: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }
    /// The OpenAI base URL (`.../v1`); Runware's endpoint is the same URL.
    pub fn v1(&self) -> String {
        format!("{}/v1", self.inner.base_url)
    }
    pub fn stats(&self) -> Stats {
        lock(&self.inner.stats).clone()
    }
    /// Requests seen by one endpoint.
    pub fn requests(&self, endpoint: &str) -> u64 {
        lock(&self.inner.stats)
            .get(endpoint)
            .map(|s| s.requests)
            .unwrap_or(0)
    }
    /// The last JSON body an API endpoint received (`chat_completions`, `images_generations`,
    /// `embeddings`, `runware`).
    pub fn last_request(&self, endpoint: &str) -> Option<Value> {
        lock(&self.inner.last).get(endpoint).cloned()
    }
    /// Every API key the API endpoints were called with, in order (tests check which key a
    /// client used).
    pub fn keys_seen(&self) -> Vec<String> {
        lock(&self.inner.keys).clone()
    }
    pub fn script(&self, steps: impl IntoIterator<Item = Step>) {
        lock(&self.inner.script).extend(steps);
    }
    pub fn reset(&self) {
        lock(&self.inner.script).clear();
        lock(&self.inner.stats).clear();
    }
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `config.addr` (port 0 for any) and serves in the background.
pub async fn spawn(config: MockConfig) -> std::io::Result<(SocketAddr, MockHandle)> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let bucket = config
        .rate_limit_rpm
        .filter(|&r| r > 0)
        .map(|rpm| Mutex::new((rpm as f64, Instant::now())));
    let inner = Arc::new(Inner {
        rng: Mutex::new(StdRng::seed_from_u64(config.seed)),
        config,
        base_url: format!("http://{addr}"),
        script: Mutex::new(VecDeque::new()),
        stats: Mutex::new(BTreeMap::new()),
        in_flight: Mutex::new(HashMap::new()),
        bucket,
        pngs: Mutex::new(HashMap::new()),
        last: Mutex::new(HashMap::new()),
        keys: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/images/generations", post(images))
        .route("/v1/embeddings", post(embeddings))
        .route("/v1", post(runware))
        .route("/images/{file}", get(serve_image))
        .route("/__script", post(set_script))
        .route("/__stats", get(get_stats))
        .route("/__last/{endpoint}", get(get_last))
        .route("/__reset", post(reset))
        .route("/__huge", get(huge))
        .route("/__text", get(not_an_image))
        .route("/__redirect", get(redirect))
        .with_state(inner.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok((
        addr,
        MockHandle {
            addr,
            inner,
            shutdown: Some(tx),
            task,
        },
    ))
}
