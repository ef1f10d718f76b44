//! `POST /v1/images/generations` in the OpenAI wire format.

use crate::faults::{Flavour, bad_request, error_response, gate, huge_body_response};
use crate::pictures::{image_url, png_for, wants_b64};
use crate::state::{Shared, Visit, lock, now_secs};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

pub(crate) async fn images(
    State(inner): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
