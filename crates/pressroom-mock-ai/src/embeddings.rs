//! `POST /v1/embeddings` in the OpenAI wire format, answered with the offline provider's
//! deterministic vectors, so tests can compare what a client got with what it should get.
//! Scripted steps `wrong-count` (one vector fewer than inputs) and `mixed-dimensions` (the
//! last vector one number short) make broken answers for validation tests.

use crate::faults::{Flavour, bad_request, gate};
use crate::state::{Shared, Visit, lock};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use pressroom_providers::embeddings::offline_vector;
use serde_json::{Value, json};

pub(crate) async fn embeddings(
    State(inner): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let visit = Visit::start(&inner, "embeddings");
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        lock(&inner.last).insert("embeddings", v);
    }
    let resp = embeddings_inner(&inner, &headers, &body).await;
    visit.finish(resp)
}

async fn embeddings_inner(inner: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let step = match gate(inner, headers, None, Flavour::OpenAi).await {
        Ok(s) => s,
        Err(r) => return r,
    };
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
    let inputs: Vec<String> = match req.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) if !items.is_empty() => {
            match items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect()
            {
                Some(v) => v,
                None => {
                    return bad_request(
                        Flavour::OpenAi,
                        "'input' must be a string or an array of strings.",
                        "input",
                    );
                }
            }
        }
        _ => {
            return bad_request(
                Flavour::OpenAi,
                "'input' must be a non-empty string or array of strings.",
                "input",
            );
        }
    };
    let mut vectors: Vec<Vec<f32>> = inputs.iter().map(|s| offline_vector(s)).collect();
    match step.as_deref() {
        Some("wrong-count") => {
            vectors.pop();
        }
        Some("mixed-dimensions") => {
            if let Some(last) = vectors.last_mut() {
                last.pop();
            }
        }
        _ => {}
    }
    let tokens: i64 = inputs
        .iter()
        .map(|s| (s.chars().count() as i64 + 3) / 4)
        .sum();
    // Listed last first with their index, as servers are allowed to: clients must sort.
    let data: Vec<Value> = vectors
        .iter()
        .enumerate()
        .rev()
        .map(|(i, v)| json!({"object": "embedding", "index": i, "embedding": v}))
        .collect();
    axum::Json(json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }))
    .into_response()
}
