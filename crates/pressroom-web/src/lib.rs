//! Pressroom's web app and REST API (`pressroom serve`): axum routes for `/api/v1` (with an
//! OpenAPI document generated from the code), server-rendered pages, Server-Sent Events for
//! run progress, health and Prometheus metrics. Handlers authenticate, check the caller's
//! role and call the same store and pipeline functions the CLI calls.
//!
//! Layers, each depending only on the ones before it: `error`, `metrics`, `throttle`, `dto`
//! (leaves) -> `state` -> `auth` -> `input`, `lists`, `actions` (what API and pages read and do alike) -> `api`, `pages`,
//! `ops` (handlers) -> `server` and this file (the router).

mod actions;
pub mod api;
pub mod auth;
pub mod dto;
pub mod error;
mod input;
mod lists;
mod metrics;
mod ops;
pub mod pages;
mod server;
mod state;
mod team;
pub mod throttle;

use axum::Router;
use axum::routing::get;

pub use metrics::HttpMetrics;
pub use server::{ServeError, serve, serve_with};
pub use state::{AppState, WebConfig};
pub use throttle::ThrottleConfig;

/// The whole app: API, pages, media, health and metrics.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/media/{*path}", get(ops::media))
        .merge(api::routes())
        .merge(pages::routes())
        .fallback(ops::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.http_metrics.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::security_headers,
        ))
        .with_state(state)
}
