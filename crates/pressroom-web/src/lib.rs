//! Pressroom's web app and REST API (`pressroom serve`): axum routes for `/api/v1` (with an
//! OpenAPI document generated from the code), server-rendered pages, Server-Sent Events for
//! run progress, health and Prometheus metrics. Handlers authenticate, check the caller's
//! role and call the same store and pipeline functions the CLI calls.

pub mod api;
pub mod auth;
pub mod dto;
pub mod error;
mod metrics;
pub mod pages;
pub mod throttle;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use pressroom_pipeline::Pipeline;
use pressroom_queue::{CancellationToken, WorkerConfig, WorkerMetrics};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use thiserror::Error;

pub use metrics::HttpMetrics;
pub use throttle::ThrottleConfig;

/// How the server presents itself: set by `pressroom serve`'s flags.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Served behind HTTPS: cookies are marked `Secure` and answers carry HSTS.
    pub secure_cookies: bool,
    /// When set, `/metrics` needs `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Take the client address from the last `X-Forwarded-For` entry (the one a reverse proxy
    /// in front added) instead of the socket. Only for a server reachable through that proxy
    /// alone; otherwise clients choose their own address.
    pub trust_forwarded_for: bool,
    pub throttle: ThrottleConfig,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub pipeline: Pipeline,
    pub http_metrics: Arc<HttpMetrics>,
    /// The embedded worker's counters, once it runs.
    pub worker_metrics: Arc<OnceLock<Arc<WorkerMetrics>>>,
    pub config: Arc<WebConfig>,
    pub login_throttle: Arc<throttle::LoginThrottle>,
    /// Cancelled at shutdown, so long-lived event streams end and the server can stop.
    pub shutdown: CancellationToken,
}

impl AppState {
    pub fn new(pipeline: Pipeline) -> AppState {
        AppState::with_config(pipeline, WebConfig::default())
    }

    pub fn with_config(pipeline: Pipeline, config: WebConfig) -> AppState {
        AppState {
            pipeline,
            http_metrics: Arc::new(HttpMetrics::default()),
            worker_metrics: Arc::new(OnceLock::new()),
            login_throttle: Arc::new(throttle::LoginThrottle::new(config.throttle.clone())),
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
        }
    }
}

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
    #[error("the embedded worker failed: {0}")]
    Worker(String),
}

/// The whole app: API, pages, media, health and metrics.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/media/{*path}", get(media))
        .merge(api::routes())
        .merge(pages::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

async fn healthz(axum::extract::State(s): axum::extract::State<AppState>) -> impl IntoResponse {
    match s.pipeline.db().ping().await {
        Ok(_) => (axum::http::StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable\n",
            )
        }
    }
}

/// Unknown paths: JSON under /api, an error page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        error::ApiError::not_found("no such API route; see /api/v1/openapi.json").into_response()
    } else {
        pages::error_page(error::ApiError::not_found("There is no page here."))
    }
}

/// A generated image file, for its own account only. The path is looked up as stored by the
/// pipeline before it touches the file system, so request text never names a file by itself.
async fn media(
    axum::extract::State(s): axum::extract::State<AppState>,
    caller: auth::Caller,
    axum::extract::Path(path): axum::extract::Path<String>,
) -> axum::response::Response {
    let not_found = || error::ApiError::not_found("no such image").into_response();
    match s
        .pipeline
        .db()
        .image_by_file_path(caller.account(), &path)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return error::ApiError::from(e).into_response(),
    }
    let content_type = match path.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(s.pipeline.media().root().join(&path)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, path, "image file missing");
            not_found()
        }
    }
}

/// No inline scripts, no framing, no plugins, on every answer; HSTS when served over HTTPS.
/// Answers that set no caching of their own (everything but static assets and images) are
/// `no-store`: they show one signed-in user's data, or a form with a fresh CSRF token.
async fn security_headers(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if s.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Finished jobs are kept a week for inspection, then deleted, hourly; nothing else removes them.
async fn purge_finished_jobs(pipeline: Pipeline, shutdown: CancellationToken) {
    const KEEP_MS: i64 = 7 * 24 * 3600 * 1000;
    loop {
        let before = pressroom_store::now_ms() - KEEP_MS;
        match pipeline.queue().purge_finished(before).await {
            Ok(n) if n > 0 => tracing::info!(purged = n, "finished jobs purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging finished jobs failed; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Binds `addr`, then serves the app until `shutdown`, with an embedded worker running the
/// same jobs `pressroom worker` runs. Returns the bound address through `on_bound` (useful
/// with port 0).
pub async fn serve(
    pipeline: Pipeline,
    addr: &str,
    image_concurrency: usize,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    serve_with(
        pipeline,
        addr,
        image_concurrency,
        WebConfig::default(),
        shutdown,
        on_bound,
    )
    .await
}

/// [`serve`] with a [`WebConfig`].
pub async fn serve_with(
    pipeline: Pipeline,
    addr: &str,
    image_concurrency: usize,
    config: WebConfig,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    on_bound(listener.local_addr()?);
    let mut state = AppState::with_config(pipeline.clone(), config);
    state.shutdown = shutdown.clone();
    let worker = pressroom_pipeline::workers::worker(
        &pipeline,
        image_concurrency,
        WorkerConfig {
            poll_interval: Duration::from_millis(250),
            ..WorkerConfig::default()
        },
    );
    // Set once, before any request can read it.
    let _ = state.worker_metrics.set(worker.metrics());
    let worker = tokio::spawn(worker.run(shutdown.clone()));
    tokio::spawn(purge_finished_jobs(pipeline.clone(), shutdown.clone()));
    let stop = shutdown.clone();
    // The socket's address reaches handlers as `ConnectInfo` (sign-in throttling keys on it).
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;
    shutdown.cancel();
    match worker.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(ServeError::Worker(e.to_string())),
        Err(e) => Err(ServeError::Worker(e.to_string())),
    }
}
