//! A webhook receiver for tests: records every POST (headers and body) and answers with the
//! next scripted answer (a bare 200 when the script is empty): a status, or a status with a
//! body, headers and a delay before answering (to make the sender time out).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

/// One scripted answer.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
    /// Waited before answering (the request is recorded first).
    pub delay: std::time::Duration,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            ..Default::default()
        }
    }
    pub fn json(status: u16, body: serde_json::Value) -> Answer {
        Answer {
            status,
            body: body.to_string(),
            headers: vec![("content-type".into(), "application/json".into())],
            ..Default::default()
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn delayed(mut self, delay: std::time::Duration) -> Answer {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
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
        lock(&self.inner)
            .script
            .extend(statuses.into_iter().map(Answer::status));
    }
    /// Answers for the next requests, in order.
    pub fn script_answers(&self, answers: impl IntoIterator<Item = Answer>) {
        lock(&self.inner).script.extend(answers);
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

async fn receive(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let answer = {
        let mut g = lock(&inner);
        g.received.push(Received {
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        g.script.pop_front().unwrap_or_else(|| Answer::status(200))
    };
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let mut resp = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
        answer.body,
    )
        .into_response();
    for (name, value) in &answer.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            resp.headers_mut().insert(n, v);
        }
    }
    resp
}
