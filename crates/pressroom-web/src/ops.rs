//! The routes that are not pages or the API: health, metrics, generated images, unknown paths,
//! and the headers every answer carries.

use crate::auth::{Caller, same_secret};
use crate::error::{ApiError, error_page};
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pressroom_domain::Status;
use std::fmt::Write;

pub async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    match s.pipeline.db().ping().await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// Unknown paths: JSON under /api, an error page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found("no such API route; see /api/v1/openapi.json").into_response()
    } else {
        error_page(ApiError::not_found("There is no page here."))
    }
}

/// A generated image file, for its own account only. The path is looked up as stored by the
/// pipeline before it touches the file system, so request text never names a file by itself.
pub async fn media(
    State(s): State<AppState>,
    caller: Caller,
    Path(path): Path<String>,
) -> Response {
    let not_found = || ApiError::not_found("no such image").into_response();
    match s
        .pipeline
        .db()
        .image_by_file_path(caller.account(), &path)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
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
pub async fn security_headers(State(s): State<AppState>, req: Request, next: Next) -> Response {
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

/// With a metrics token configured, only `Authorization: Bearer <token>` may read the metrics.
fn authorised(s: &AppState, headers: &HeaderMap) -> bool {
    let Some(want) = s.config.metrics_token.as_deref() else {
        return true;
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    same_secret(want, sent.trim())
}

/// `/metrics` in the Prometheus text format: HTTP requests and latency by route, jobs by queue
/// and state, provider calls, errors and credits spent, and the embedded worker's counters.
pub async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if !authorised(&s, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need Authorization: Bearer <metrics token>\n",
        )
            .into_response();
    }
    let mut out = String::new();
    s.http_metrics.render(&mut out);
    match s.pipeline.queue().counts().await {
        Ok(counts) => {
            out.push_str(
                "# HELP pressroom_jobs Jobs by queue and state.\n# TYPE pressroom_jobs gauge\n",
            );
            for c in counts {
                let _ = writeln!(
                    out,
                    "pressroom_jobs{{queue=\"{}\",state=\"{}\"}} {}",
                    c.queue,
                    c.state.as_str(),
                    c.count
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: job counts unavailable"),
    }
    match s.pipeline.db().usage_totals().await {
        Ok(rows) => {
            out.push_str("# HELP pressroom_provider_calls_total AI provider calls by provider and function (all accounts).\n# TYPE pressroom_provider_calls_total counter\n");
            for r in &rows {
                let _ = writeln!(
                    out,
                    "pressroom_provider_calls_total{{provider=\"{}\",function=\"{}\"}} {}",
                    r.0, r.1, r.2
                );
            }
            out.push_str("# HELP pressroom_provider_errors_total Failed AI provider calls.\n# TYPE pressroom_provider_errors_total counter\n");
            for r in &rows {
                let _ = writeln!(
                    out,
                    "pressroom_provider_errors_total{{provider=\"{}\",function=\"{}\"}} {}",
                    r.0, r.1, r.3
                );
            }
            out.push_str("# HELP pressroom_credits_spent_total Credits charged for AI calls.\n# TYPE pressroom_credits_spent_total counter\n");
            for r in &rows {
                let _ = writeln!(
                    out,
                    "pressroom_credits_spent_total{{provider=\"{}\",function=\"{}\"}} {}",
                    r.0, r.1, r.4
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: usage totals unavailable"),
    }
    if let Some(w) = s.worker_metrics.get() {
        let m = w.snapshot();
        out.push_str("# HELP pressroom_worker_jobs_total Jobs handled by this process's worker.\n# TYPE pressroom_worker_jobs_total counter\n");
        for (k, v) in [
            ("claimed", m.claimed),
            ("done", m.done),
            ("retried", m.retried),
            ("dead", m.dead),
            ("rescued", m.rescued),
            ("lease_lost", m.lease_lost),
            ("released", m.released),
            ("db_errors", m.db_errors),
        ] {
            let _ = writeln!(out, "pressroom_worker_jobs_total{{event=\"{k}\"}} {v}");
        }
        let _ = writeln!(
            out,
            "# TYPE pressroom_worker_in_flight gauge\npressroom_worker_in_flight {}",
            m.in_flight
        );
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
        .into_response()
}
