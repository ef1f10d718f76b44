//! A local stand-in for the OpenAI chat/images APIs and Runware, for tests and benchmarks.
//!
//! Wire formats follow the real services (OpenAI replies validate against the `openai` Python
//! package's types and the published OpenAPI document). A `json_schema` request always gets an
//! instance of the schema it sent: for Pressroom's own schemas, content from the offline
//! generator (read back from the `- ` bullet lines of the prompt), for any other schema, or
//! one whose bounds the offline content misses, a generated instance ([`schema::instance`]).
//! Runware takes its key in the `Authorization` header or as a leading `authentication`
//! task, and answers `outputType` `URL`, `base64Data` or `dataURI`.
//!
//! Test hooks: `POST /__script` queues responses for the next API calls (`[429, 500, 400,
//! "malformed-json", "insufficient-quota", "out-of-bounds", "out-of-bounds:target_words",
//! ...]`, consumed in order), `GET /__stats` gives
//! per-endpoint request counts, peak concurrency and statuses, `POST /__reset` clears both.
//! `GET /__huge?mb=N[&chunked=1]`, `GET /__text` and `GET /__redirect?to=URL` serve bodies for
//! downloader tests.

pub mod keywords;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use pressroom_domain::ImageType;
use pressroom_domain::ai::{AiFunction, ImageSubject};
use pressroom_providers::offline::{card, text};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub mod schema;

/// How image replies carry the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageMode {
    /// As the request asks (`response_format`, `outputType`), like the real services.
    #[default]
    Request,
    /// Always a URL to `GET /images/...` (gpt-image models still answer base64, as real).
    Url,
    /// Always base64.
    B64,
}

#[derive(Debug, Clone)]
pub struct MockConfig {
    pub addr: SocketAddr,
    /// Added before every API answer.
    pub latency: Duration,
    /// Fraction of API requests answered 500 (0.0 - 1.0).
    pub fail_rate: f64,
    /// Requests per minute across the API endpoints; past it, 429 with `retry-after`.
    pub rate_limit_rpm: Option<u32>,
    pub image_mode: ImageMode,
    /// `false` behaves like a server without structured outputs: 400 on `json_schema`.
    pub json_schema_supported: bool,
    /// Seeds the fail-rate dice, so a run can be repeated.
    pub seed: u64,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit_rpm: None,
            image_mode: ImageMode::Request,
            json_schema_supported: true,
            seed: 1,
        }
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Step {
    /// An HTTP status: 429 (with retry-after), 500, 400, 401, 200 (normal answer) ...
    Status(u16),
    /// `malformed-json`, `insufficient-quota`, `json-schema-unsupported`, `refusal`,
    /// `truncated`, `huge-body`, `ok`; `out-of-bounds` (a chat answer that breaks the first
    /// bound of the schema sent) and `out-of-bounds:FIELD` (the first bounded property named
    /// FIELD), see [`schema::break_bound`].
    Named(String),
    /// A status with an explicit wait for 429/503.
    Detailed {
        status: u16,
        #[serde(default)]
        retry_after_ms: Option<u64>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointStats {
    pub requests: u64,
    pub max_in_flight: u64,
    /// Answers by status code.
    pub statuses: BTreeMap<String, u64>,
}

/// `GET /__stats`: per endpoint (`chat_completions`, `images_generations`, `runware`,
/// `images_get`, `huge`, `redirect`, `text`).
pub type Stats = BTreeMap<String, EndpointStats>;

struct Inner {
    config: MockConfig,
    base_url: String,
    script: Mutex<VecDeque<Step>>,
    stats: Mutex<Stats>,
    in_flight: Mutex<HashMap<&'static str, u64>>,
    bucket: Option<Mutex<(f64, Instant)>>,
    rng: Mutex<StdRng>,
    pngs: Mutex<HashMap<(u32, u32), Bytes>>,
    /// The last request body per API endpoint, for tests that check what a client sent.
    last: Mutex<HashMap<&'static str, Value>>,
}

type Shared = Arc<Inner>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain counters and queues: still consistent after a panicking handler.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

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
    /// `runware`).
    pub fn last_request(&self, endpoint: &str) -> Option<Value> {
        lock(&self.inner.last).get(endpoint).cloned()
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
    });
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/images/generations", post(images))
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

// ---------------------------------------------------------------------------------------
// Bookkeeping

/// Counts a request and its concurrency; records the status when finished.
struct Visit {
    inner: Shared,
    endpoint: &'static str,
}

impl Visit {
    fn start(inner: &Shared, endpoint: &'static str) -> Visit {
        let now = {
            let mut f = lock(&inner.in_flight);
            let n = f.entry(endpoint).or_default();
            *n += 1;
            *n
        };
        let mut stats = lock(&inner.stats);
        let s = stats.entry(endpoint.to_string()).or_default();
        s.requests += 1;
        s.max_in_flight = s.max_in_flight.max(now);
        Visit {
            inner: inner.clone(),
            endpoint,
        }
    }

    fn finish(self, resp: Response) -> Response {
        let code = resp.status().as_u16().to_string();
        let mut stats = lock(&self.inner.stats);
        *stats
            .entry(self.endpoint.to_string())
            .or_default()
            .statuses
            .entry(code)
            .or_default() += 1;
        resp
    }
}

impl Drop for Visit {
    fn drop(&mut self) {
        if let Some(n) = lock(&self.inner.in_flight).get_mut(self.endpoint) {
            *n = n.saturating_sub(1);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    OpenAi,
    Runware,
}

/// What the API endpoints do before their real work: latency, script, rate limit, random
/// failures, auth. `Ok(step)` carries a content-changing scripted step for the handler.
async fn gate(
    inner: &Shared,
    headers: &HeaderMap,
    body_key: Option<&str>,
    flavour: Flavour,
) -> Result<Option<String>, Response> {
    if !inner.config.latency.is_zero() {
        tokio::time::sleep(inner.config.latency).await;
    }
    let step = lock(&inner.script).pop_front();
    match step {
        Some(Step::Status(200)) | None => {}
        Some(Step::Status(s)) => return Err(error_response(flavour, s, None)),
        Some(Step::Detailed {
            status,
            retry_after_ms,
        }) => return Err(error_response(flavour, status, retry_after_ms)),
        Some(Step::Named(name)) => match step_name(&name).as_str() {
            "ok" => {}
            "insufficient-quota" => return Err(quota_response(flavour)),
            other => return Ok(Some(other.to_string())),
        },
    }
    if let Some(wait) = take_token(inner) {
        return Err(error_response(
            flavour,
            429,
            Some(wait.as_millis() as u64 + 1),
        ));
    }
    let fail =
        inner.config.fail_rate > 0.0 && lock(&inner.rng).random::<f64>() < inner.config.fail_rate;
    if fail {
        return Err(error_response(flavour, 500, None));
    }
    let header_key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let authorised = header_key
        .or(body_key)
        .is_some_and(|k| !k.trim().is_empty() && k != "invalid");
    if !authorised {
        return Err(error_response(flavour, 401, None));
    }
    Ok(None)
}

/// `out_of_bounds:target_words` -> `out-of-bounds:target_words`: underscores become dashes in
/// the step's name, never in the field it names.
fn step_name(name: &str) -> String {
    match name.split_once(':') {
        Some((step, field)) => format!("{}:{field}", step.replace('_', "-")),
        None => name.replace('_', "-"),
    }
}

/// Token bucket of `rpm` capacity refilled at rpm/60 per second; `Some(wait)` when empty.
fn take_token(inner: &Shared) -> Option<Duration> {
    let rpm = inner.config.rate_limit_rpm? as f64;
    let mut b = lock(inner.bucket.as_ref()?);
    let now = Instant::now();
    let per_sec = rpm / 60.0;
    b.0 = (b.0 + now.duration_since(b.1).as_secs_f64() * per_sec).min(rpm);
    b.1 = now;
    if b.0 >= 1.0 {
        b.0 -= 1.0;
        None
    } else {
        Some(Duration::from_secs_f64((1.0 - b.0) / per_sec))
    }
}

fn error_response(flavour: Flavour, status: u16, retry_after_ms: Option<u64>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (message, kind, err_code) = match status {
        400 => (
            "Invalid request (scripted by the mock).",
            "invalid_request_error",
            Value::Null,
        ),
        401 => (
            "Incorrect API key provided. You can find your API key at your provider's dashboard.",
            "invalid_request_error",
            json!("invalid_api_key"),
        ),
        403 => (
            "You are not allowed to use this model.",
            "invalid_request_error",
            Value::Null,
        ),
        404 => (
            "The model does not exist.",
            "invalid_request_error",
            json!("model_not_found"),
        ),
        408 => ("Request timed out.", "timeout", Value::Null),
        409 => ("Conflict; try again.", "conflict", Value::Null),
        429 => (
            "Rate limit reached for requests. Please try again shortly.",
            "requests",
            json!("rate_limit_exceeded"),
        ),
        _ => (
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            Value::Null,
        ),
    };
    let body = match flavour {
        Flavour::OpenAi => {
            json!({"error": {"message": message, "type": kind, "param": null, "code": err_code}})
        }
        Flavour::Runware => json!({"errors": [{
            "code": err_code.as_str().unwrap_or(kind),
            "message": message,
        }]}),
    };
    let mut resp = (code, axum::Json(body)).into_response();
    if status == 429 || status == 503 || retry_after_ms.is_some() {
        let ms = retry_after_ms.unwrap_or(100);
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&ms.to_string()) {
            h.insert("retry-after-ms", v);
        }
        if let Ok(v) = HeaderValue::from_str(&ms.div_ceil(1000).to_string()) {
            h.insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

fn quota_response(flavour: Flavour) -> Response {
    let message = "You exceeded your current quota, please check your plan and billing details.";
    let body = match flavour {
        Flavour::OpenAi => {
            json!({"error": {"message": message, "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}})
        }
        Flavour::Runware => {
            json!({"errors": [{"code": "insufficientCredits", "message": message}]})
        }
    };
    (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
}

fn bad_request(flavour: Flavour, message: &str, param: &str) -> Response {
    let body = match flavour {
        Flavour::OpenAi => {
            json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": null}})
        }
        Flavour::Runware => {
            json!({"errors": [{"code": format!("invalid{}", capitalise(param)), "message": message, "parameter": param}]})
        }
    };
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn random_id(inner: &Shared, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = lock(&inner.rng);
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn uuid(inner: &Shared) -> String {
    let mut b: [u8; 16] = lock(&inner.rng).random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn huge_body_response() -> Response {
    // 80 MB: beyond any API client's sane cap.
    huge_stream(80, true)
}

fn huge_stream(mb: usize, chunked: bool) -> Response {
    let chunk = Bytes::from(vec![b' '; 1024 * 1024]);
    let stream =
        futures::stream::iter((0..mb).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    if !chunked && let Ok(v) = HeaderValue::from_str(&(mb * 1024 * 1024).to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    resp
}

// ---------------------------------------------------------------------------------------
// Chat completions

fn message_text(m: &Value) -> String {
    match m.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The answer to a `json_schema` request: the offline generator's for Pressroom's own
/// schemas when it fits the schema sent, else a generated instance; a scripted
/// `out-of-bounds[:FIELD]` step then breaks one bound.
fn schema_answer(
    function: Option<AiFunction>,
    sent: &Value,
    user: &str,
    step: Option<&str>,
) -> String {
    let offline = function
        .and_then(|f| text::generate(f, &Value::Null, user).ok())
        .and_then(|c| serde_json::from_str::<Value>(&c).ok())
        .filter(|v| pressroom_domain::ai::schema::violations(sent, v).is_empty());
    let mut value = offline.unwrap_or_else(|| schema::instance(sent));
    if let Some(rest) = step.and_then(|s| s.strip_prefix("out-of-bounds")) {
        let field = rest.strip_prefix(':').filter(|f| !f.is_empty());
        schema::break_bound(sent, &mut value, field);
    }
    value.to_string()
}

async fn chat(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let visit = Visit::start(&inner, "chat_completions");
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        lock(&inner.last).insert("chat_completions", v);
    }
    let resp = chat_inner(&inner, &headers, &body).await;
    visit.finish(resp)
}

async fn chat_inner(inner: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let step = match gate(inner, headers, None, Flavour::OpenAi).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if step.as_deref() == Some("huge-body") {
        return huge_body_response();
    }
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return bad_request(
            Flavour::OpenAi,
            "We could not parse the JSON body of your request.",
            "body",
        );
    };
    let Some(model) = req.get("model").and_then(Value::as_str) else {
        return bad_request(
            Flavour::OpenAi,
            "you must provide a model parameter",
            "model",
        );
    };
    let messages = req
        .get("messages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if messages.is_empty() {
        return bad_request(
            Flavour::OpenAi,
            "'messages' must be a non-empty array.",
            "messages",
        );
    }
    let all_text: String = messages
        .iter()
        .map(message_text)
        .collect::<Vec<_>>()
        .join("\n");
    let user = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(message_text)
        .unwrap_or_default();
    let format = req.get("response_format");
    let kind = format
        .and_then(|f| f.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("text");
    let function = match kind {
        "json_schema" => {
            if !inner.config.json_schema_supported
                || step.as_deref() == Some("json-schema-unsupported")
            {
                return bad_request(
                    Flavour::OpenAi,
                    "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                    "response_format",
                );
            }
            let name = format
                .and_then(|f| f.get("json_schema"))
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str);
            let Some(name) = name.filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            }) else {
                return bad_request(
                    Flavour::OpenAi,
                    "Missing required parameter: 'response_format.json_schema.name'.",
                    "response_format",
                );
            };
            AiFunction::from_schema_name(name)
        }
        "json_object" => {
            if !all_text.to_lowercase().contains("json") {
                return bad_request(
                    Flavour::OpenAi,
                    "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                    "messages",
                );
            }
            AiFunction::ALL
                .iter()
                .copied()
                .find(|f| f.schema_name().is_some_and(|n| all_text.contains(n)))
        }
        _ => None,
    };
    let json_mode = kind != "text";
    let sent_schema = format
        .and_then(|f| f.get("json_schema"))
        .and_then(|s| s.get("schema"))
        .filter(|_| kind == "json_schema");
    let mut content = match (function, sent_schema) {
        (f, Some(schema)) => schema_answer(f, schema, &user, step.as_deref()),
        (Some(f), None) => text::generate(f, &Value::Null, &user).unwrap_or_else(|_| "{}".into()),
        (None, None) if json_mode => json!({"answer": "This is a mock reply."}).to_string(),
        (None, None) => "This is a mock reply from pressroom-mock-ai.".to_string(),
    };
    let mut finish = "stop";
    let mut refusal = Value::Null;
    let mut content_value = Value::Null;
    match step.as_deref() {
        Some("malformed-json") => {
            // Cut mid-value: the kind of broken JSON a model produces.
            let cut = content
                .char_indices()
                .nth(content.chars().count() / 2)
                .map(|(i, _)| i)
                .unwrap_or(0);
            content.truncate(cut);
            content_value = json!(content);
        }
        Some("truncated") => {
            let cut = content
                .char_indices()
                .nth(content.chars().count() / 3)
                .map(|(i, _)| i)
                .unwrap_or(0);
            content.truncate(cut);
            content_value = json!(content);
            finish = "length";
        }
        Some("refusal") => {
            refusal = json!("I'm sorry, but I can't help with that request.");
            content.clear();
        }
        _ => content_value = json!(content),
    }
    let prompt_tokens = (all_text.chars().count() as i64 + 3) / 4 + 7 * messages.len() as i64;
    let completion_tokens = (content.chars().count() as i64 + 3) / 4;
    let reply = json!({
        "id": format!("chatcmpl-{}", random_id(inner, 29)),
        "object": "chat.completion",
        "created": now_secs(),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content_value, "refusal": refusal, "annotations": []},
            "logprobs": null,
            "finish_reason": finish,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_pressroom_mock",
    });
    axum::Json(reply).into_response()
}

// ---------------------------------------------------------------------------------------
// Images

fn png_for(inner: &Shared, w: u32, h: u32) -> Option<Bytes> {
    if let Some(b) = lock(&inner.pngs).get(&(w, h)) {
        return Some(b.clone());
    }
    let subject = ImageSubject {
        image_type: ImageType::Featured,
        post_title: "pressroom-mock-ai image".into(),
        site_name: "mock".into(),
        colour_seed: u64::from(w) * 31 + u64::from(h),
    };
    let png = Bytes::from(card::render_title_card(&subject, w, h).ok()?);
    lock(&inner.pngs).insert((w, h), png.clone());
    Some(png)
}

fn image_url(inner: &Shared, w: u32, h: u32) -> String {
    format!("{}/images/{}-{w}x{h}.png", inner.base_url, uuid(inner))
}

fn wants_b64(inner: &Shared, requested_b64: bool) -> bool {
    match inner.config.image_mode {
        ImageMode::Request => requested_b64,
        ImageMode::Url => false,
        ImageMode::B64 => true,
    }
}

async fn images(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let visit = Visit::start(&inner, "images_generations");
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        lock(&inner.last).insert("images_generations", v);
    }
    let resp = images_inner(&inner, &headers, &body).await;
    visit.finish(resp)
}

async fn images_inner(inner: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let f = Flavour::OpenAi;
    let step = match gate(inner, headers, None, f).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if step.as_deref() == Some("huge-body") {
        return huge_body_response();
    }
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return bad_request(
            f,
            "We could not parse the JSON body of your request.",
            "body",
        );
    };
    let model = req
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("dall-e-2")
        .to_string();
    let Some(prompt) = req.get("prompt").and_then(Value::as_str) else {
        return bad_request(f, "Missing required parameter: 'prompt'.", "prompt");
    };
    let gpt_image = model.starts_with("gpt-image");
    let (limit, sizes, qualities): (usize, &[&str], &[&str]) = match model.as_str() {
        "dall-e-2" => (1000, &["256x256", "512x512", "1024x1024"], &["standard"]),
        "dall-e-3" => (
            4000,
            &["1024x1024", "1792x1024", "1024x1792"],
            &["standard", "hd"],
        ),
        _ if gpt_image => (
            32000,
            &["1024x1024", "1536x1024", "1024x1536", "auto"],
            &["low", "medium", "high", "auto"],
        ),
        _ => (32000, &[], &[]),
    };
    if prompt.chars().count() > limit {
        return bad_request(
            f,
            &format!(
                "Invalid 'prompt': string too long. Expected a string with maximum length {limit}."
            ),
            "prompt",
        );
    }
    let size = req
        .get("size")
        .and_then(Value::as_str)
        .unwrap_or("1024x1024");
    if !sizes.is_empty() && !sizes.contains(&size) {
        return bad_request(
            f,
            &format!(
                "Invalid value: '{size}'. Supported values are: {}.",
                sizes.join(", ")
            ),
            "size",
        );
    }
    if let Some(q) = req.get("quality").and_then(Value::as_str)
        && !qualities.is_empty()
        && !qualities.contains(&q)
        && q != "auto"
    {
        return bad_request(f, &format!("Invalid value: '{q}' for quality."), "quality");
    }
    let format = req.get("response_format").and_then(Value::as_str);
    if gpt_image && format.is_some() {
        return bad_request(
            f,
            "Unknown parameter: 'response_format'.",
            "response_format",
        );
    }
    if let Some(fmt) = format
        && fmt != "url"
        && fmt != "b64_json"
    {
        return bad_request(
            f,
            &format!("Invalid value: '{fmt}'. Supported values are: 'url' and 'b64_json'."),
            "response_format",
        );
    }
    let n = req.get("n").and_then(Value::as_u64).unwrap_or(1);
    if !(1..=10).contains(&n) || (model == "dall-e-3" && n != 1) {
        return bad_request(
            f,
            "Invalid 'n': must be between 1 and 10 (1 for dall-e-3).",
            "n",
        );
    }
    let (w, h) = match size
        .split_once('x')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
    {
        Some((w, h)) if (16..=4096).contains(&w) && (16..=4096).contains(&h) => (w, h),
        _ => (1024, 1024),
    };
    let b64 = gpt_image || wants_b64(inner, format == Some("b64_json"));
    let mut data = Vec::new();
    for _ in 0..n {
        let mut item = serde_json::Map::new();
        if b64 {
            let Some(png) = png_for(inner, w, h) else {
                return error_response(f, 500, None);
            };
            item.insert(
                "b64_json".into(),
                json!(base64::engine::general_purpose::STANDARD.encode(&png)),
            );
        } else {
            item.insert("url".into(), json!(image_url(inner, w, h)));
        }
        if model == "dall-e-3" {
            item.insert(
                "revised_prompt".into(),
                json!(format!("A detailed, realistic rendering: {prompt}")),
            );
        }
        data.push(Value::Object(item));
    }
    let mut reply = json!({"created": now_secs(), "data": data});
    if gpt_image {
        let text_tokens = (prompt.chars().count() as i64 + 3) / 4;
        let output_tokens = 1056 * n as i64;
        reply["background"] = json!("opaque");
        reply["output_format"] = json!("png");
        reply["size"] = json!(format!("{w}x{h}"));
        reply["quality"] = json!(
            req.get("quality")
                .and_then(Value::as_str)
                .filter(|q| *q != "auto")
                .unwrap_or("medium")
        );
        reply["usage"] = json!({
            "input_tokens": text_tokens,
            "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": 0},
            "output_tokens": output_tokens,
            "total_tokens": text_tokens + output_tokens,
        });
    }
    axum::Json(reply).into_response()
}

// ---------------------------------------------------------------------------------------
// Runware

async fn runware(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let visit = Visit::start(&inner, "runware");
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        lock(&inner.last).insert("runware", v);
    }
    let resp = runware_inner(&inner, &headers, &body).await;
    visit.finish(resp)
}

fn runware_error(code: &str, message: &str, param: &str, task: Option<&str>) -> Response {
    let mut e = json!({"code": code, "message": message, "parameter": param});
    if let Some(t) = task {
        e["taskUUID"] = json!(t);
    }
    (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": [e]}))).into_response()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

async fn runware_inner(inner: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let f = Flavour::Runware;
    let parsed = serde_json::from_slice::<Value>(body).ok();
    // The key may come as a leading authentication task instead of the header.
    let auth_task = match &parsed {
        Some(Value::Array(tasks)) => tasks
            .first()
            .filter(|t| t.get("taskType").and_then(Value::as_str) == Some("authentication")),
        _ => None,
    };
    let body_key = auth_task.map(|t| t.get("apiKey").and_then(Value::as_str).unwrap_or(""));
    let step = match gate(inner, headers, body_key, f).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if step.as_deref() == Some("huge-body") {
        return huge_body_response();
    }
    let Some(Value::Array(tasks)) = &parsed else {
        return runware_error(
            "invalidPayload",
            "The request body must be a JSON array of tasks.",
            "body",
            None,
        );
    };
    let mut data = Vec::new();
    let tasks = match auth_task {
        Some(_) => {
            data.push(json!({"taskType": "authentication", "connectionSessionUUID": uuid(inner)}));
            &tasks[1..]
        }
        None => &tasks[..],
    };
    for task in tasks {
        let s = |k: &str| task.get(k).and_then(Value::as_str);
        let task_uuid = s("taskUUID");
        if s("taskType") != Some("imageInference") {
            return runware_error(
                "unsupportedTaskType",
                "Only imageInference is supported by the mock.",
                "taskType",
                task_uuid,
            );
        }
        let Some(task_uuid) = task_uuid.filter(|t| is_uuid(t)) else {
            return runware_error(
                "invalidTaskUUID",
                "taskUUID must be a UUID v4 string.",
                "taskUUID",
                None,
            );
        };
        let prompt = s("positivePrompt").unwrap_or("");
        if !(2..=3000).contains(&prompt.chars().count()) {
            return runware_error(
                "invalidPositivePrompt",
                "positivePrompt must be between 2 and 3000 characters.",
                "positivePrompt",
                Some(task_uuid),
            );
        }
        if let Some(neg) = task.get("negativePrompt")
            && neg.as_str().is_none_or(|n| n.chars().count() < 2)
        {
            return runware_error(
                "invalidNegativePrompt",
                "negativePrompt must be a string of at least 2 characters.",
                "negativePrompt",
                Some(task_uuid),
            );
        }
        let dim = |k: &str| {
            task.get(k)
                .and_then(Value::as_u64)
                .filter(|v| (128..=2048).contains(v) && v % 64 == 0)
        };
        let (Some(w), Some(h)) = (dim("width"), dim("height")) else {
            return runware_error(
                "invalidSize",
                "width and height must be multiples of 64 between 128 and 2048.",
                "width",
                Some(task_uuid),
            );
        };
        let Some(model) = s("model") else {
            return runware_error(
                "invalidModel",
                "model is required.",
                "model",
                Some(task_uuid),
            );
        };
        let n = task
            .get("numberResults")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 20);
        let output = s("outputType").unwrap_or("URL");
        if !["URL", "base64Data", "dataURI"].contains(&output) {
            return runware_error(
                "invalidOutputType",
                "outputType must be one of URL, base64Data, dataURI.",
                "outputType",
                Some(task_uuid),
            );
        }
        let b64 = wants_b64(inner, output == "base64Data" || output == "dataURI");
        let cost = match model {
            "runware:100@1" => 0.0013,
            "runware:101@1" => 0.0038,
            _ => 0.002,
        };
        for _ in 0..n {
            let mut item = json!({
                "taskType": "imageInference",
                "taskUUID": task_uuid,
                "imageUUID": uuid(inner),
                "seed": lock(&inner.rng).random_range(1..i64::from(i32::MAX)),
                "NSFWContent": false,
            });
            if b64 {
                let Some(png) = png_for(inner, w as u32, h as u32) else {
                    return error_response(f, 500, None);
                };
                let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
                if output == "dataURI" {
                    item["imageDataURI"] = json!(format!("data:image/png;base64,{encoded}"));
                } else {
                    item["imageBase64Data"] = json!(encoded);
                }
            } else {
                item["imageURL"] = json!(image_url(inner, w as u32, h as u32));
            }
            if task.get("includeCost").and_then(Value::as_bool) == Some(true) {
                item["cost"] = json!(cost);
            }
            data.push(item);
        }
    }
    axum::Json(json!({"data": data})).into_response()
}

// ---------------------------------------------------------------------------------------
// Files and test hooks

async fn serve_image(State(inner): State<Shared>, Path(file): Path<String>) -> Response {
    let visit = Visit::start(&inner, "images_get");
    let size = file
        .strip_suffix(".png")
        .and_then(|s| s.rsplit_once('-'))
        .and_then(|(_, wh)| wh.split_once('x'))
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|(w, h)| (16..=4096).contains(w) && (16..=4096).contains(h));
    let resp = match size.and_then(|(w, h)| png_for(&inner, w, h)) {
        Some(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        None => (StatusCode::NOT_FOUND, "no such image").into_response(),
    };
    visit.finish(resp)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScriptBody {
    Steps(Vec<Step>),
    Wrapped { steps: Vec<Step> },
}

async fn set_script(
    State(inner): State<Shared>,
    axum::Json(body): axum::Json<ScriptBody>,
) -> Response {
    let steps = match body {
        ScriptBody::Steps(s) | ScriptBody::Wrapped { steps: s } => s,
    };
    let mut q = lock(&inner.script);
    q.extend(steps);
    axum::Json(json!({"queued": q.len()})).into_response()
}

async fn get_stats(State(inner): State<Shared>) -> Response {
    axum::Json(lock(&inner.stats).clone()).into_response()
}

async fn get_last(State(inner): State<Shared>, Path(endpoint): Path<String>) -> Response {
    match lock(&inner.last).get(endpoint.as_str()) {
        Some(v) => axum::Json(v.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn reset(State(inner): State<Shared>) -> Response {
    lock(&inner.script).clear();
    lock(&inner.stats).clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct HugeQuery {
    mb: Option<usize>,
    chunked: Option<u8>,
}

async fn huge(State(inner): State<Shared>, Query(q): Query<HugeQuery>) -> Response {
    let visit = Visit::start(&inner, "huge");
    let resp = huge_stream(q.mb.unwrap_or(50).min(1024), q.chunked.unwrap_or(0) == 1);
    visit.finish(resp)
}

async fn not_an_image(State(inner): State<Shared>) -> Response {
    let visit = Visit::start(&inner, "text");
    let resp = (
        [(header::CONTENT_TYPE, "image/png")],
        "<html><body>This is not an image, whatever the header says.</body></html>",
    )
        .into_response();
    visit.finish(resp)
}

#[derive(Deserialize)]
struct RedirectQuery {
    to: String,
}

async fn redirect(State(inner): State<Shared>, Query(q): Query<RedirectQuery>) -> Response {
    let visit = Visit::start(&inner, "redirect");
    let resp = match HeaderValue::from_str(&q.to) {
        Ok(loc) => (StatusCode::FOUND, [(header::LOCATION, loc)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "bad target").into_response(),
    };
    visit.finish(resp)
}
