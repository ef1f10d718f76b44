//! A webhook receiver for tests: records every POST (headers and body) and answers with the
//! next scripted status (200 when the script is empty).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<u16>,
}

type Shared = Arc<Mutex<Inner>>;

/// A running receiver; dropped, it stops.
pub struct Receiver {
    url: String,
    inner: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// `http://127.0.0.1:PORT/hook`
    pub fn url(&self) -> &str {
        &self.url
    }
    pub fn received(&self) -> Vec<Received> {
        lock(&self.inner).received.clone()
    }
    /// Statuses for the next requests, in order.
    pub fn script(&self, statuses: impl IntoIterator<Item = u16>) {
        lock(&self.inner).script.extend(statuses);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(m: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts a receiver on 127.0.0.1 at a free port.
pub async fn spawn_receiver() -> std::io::Result<Receiver> {
    let inner: Shared = Arc::default();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(inner.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Receiver { url, inner, task })
}

async fn receive(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut g = lock(&inner);
    g.received.push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = g.script.pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}
