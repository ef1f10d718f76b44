//! `/metrics` in the Prometheus text format: HTTP requests and latency by route, jobs by queue
//! and state, provider calls, errors and credits spent, and the embedded worker's counters.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pressroom_domain::Status;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 9] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_secs: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request counts and latencies keyed by (method, route template, status).
#[derive(Default)]
pub struct HttpMetrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl HttpMetrics {
    fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        // A poisoned lock only means another request panicked mid-update; counts stay usable.
        let mut map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let s = map
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum_secs += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    fn render(&self, out: &mut String) {
        let map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP pressroom_http_requests_total HTTP requests by route and status.\n# TYPE pressroom_http_requests_total counter\n");
        for ((m, r, st), s) in map.iter() {
            let _ = writeln!(
                out,
                "pressroom_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{st}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP pressroom_http_request_duration_seconds HTTP latency by route.\n# TYPE pressroom_http_request_duration_seconds histogram\n");
        for ((m, r, st), s) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{st}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "pressroom_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "pressroom_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\npressroom_http_request_duration_seconds_sum{{{labels}}} {}\npressroom_http_request_duration_seconds_count{{{labels}}} {}",
                s.count, s.sum_secs, s.count
            );
        }
    }
}

/// The method as a label: the standard ones by name, anything a client invents as `other`, so
/// requests cannot mint new series.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: times every request and labels it by its route template (never the raw path,
/// which would make one series per id); paths no route matched are `other`.
pub async fn track(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "other".to_string());
    let method = method_label(req.method());
    let start = Instant::now();
    let res = next.run(req).await;
    s.http_metrics.record(
        method,
        &route,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
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
    crate::auth::same_secret(want, sent.trim())
}

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
