//! `POST /v1/chat/completions` in the OpenAI wire format.

use crate::faults::{Flavour, bad_request, gate, huge_body_response};
use crate::schema;
use crate::state::{Shared, Visit, lock, now_secs, random_id};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use pressroom_domain::ai::AiFunction;
use pressroom_providers::offline::text;
use serde_json::{Value, json};

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

pub(crate) async fn chat(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
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
    // The first user message is the prompt with the data; a later one asks for a correction.
    let user = messages
        .iter()
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
