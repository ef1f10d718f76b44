//! Fault injection, in front of every API endpoint: latency, the scripted answers, the rate
//! limit, random failures, auth; and the error bodies each wire format uses for them.

use crate::config::Step;
use crate::state::{Shared, lock};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    OpenAi,
    Runware,
}

/// What the API endpoints do before their real work: latency, script, rate limit, random
/// failures, auth. `Ok(step)` carries a content-changing scripted step for the handler.
pub(crate) async fn gate(
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
    if let Some(k) = header_key.or(body_key) {
        lock(&inner.keys).push(k.to_string());
    }
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

pub(crate) fn error_response(
    flavour: Flavour,
    status: u16,
    retry_after_ms: Option<u64>,
) -> Response {
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

pub(crate) fn bad_request(flavour: Flavour, message: &str, param: &str) -> Response {
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

pub(crate) fn huge_body_response() -> Response {
    // 80 MB: beyond any API client's sane cap.
    huge_stream(80, true)
}

pub(crate) fn huge_stream(mb: usize, chunked: bool) -> Response {
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
