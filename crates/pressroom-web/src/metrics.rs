//! Every request observed once: a tracing span (method, route, status, latency) that the
//! handler's own logs nest in, and the HTTP series of `/metrics` (the handler that renders
//! them with the job and usage counts is in [`crate::ops`]). A leaf module.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::Instrument;

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

    pub(crate) fn render(&self, out: &mut String) {
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

/// Middleware: a span per request, and its time in the series of its route template (never
/// the raw path, which would make one series per id); paths no route matched are `other`.
pub async fn track(State(m): State<Arc<HttpMetrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "other".to_string());
    let method = method_label(req.method());
    let span = tracing::info_span!(
        "request",
        method,
        route = %route,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let start = Instant::now();
    let res = next.run(req).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    let status = res.status().as_u16();
    span.record("status", status);
    span.record("latency_ms", elapsed.as_millis() as u64);
    span.in_scope(|| tracing::debug!("request finished"));
    m.record(method, &route, status, elapsed.as_secs_f64());
    res
}
