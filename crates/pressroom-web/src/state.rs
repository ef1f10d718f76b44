//! What every handler shares: the pipeline, the server's configuration, and its counters.

use crate::metrics::HttpMetrics;
use crate::throttle::{LoginThrottle, ThrottleConfig};
use pressroom_pipeline::Pipeline;
use pressroom_queue::{CancellationToken, WorkerMetrics};
use std::sync::{Arc, OnceLock};

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
    pub login_throttle: Arc<LoginThrottle>,
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
            login_throttle: Arc::new(LoginThrottle::new(config.throttle.clone())),
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
        }
    }
}
