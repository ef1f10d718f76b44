//! `POST /v1` in the Runware wire format: a list of tasks, with an optional leading
//! `authentication` task.

use crate::faults::{Flavour, error_response, gate, huge_body_response};
use crate::pictures::{image_url, png_for, wants_b64};
use crate::state::{Shared, Visit, lock, uuid};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::Rng;
use serde_json::{Value, json};

pub(crate) async fn runware(
    State(inner): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let visit = Visit::start(&inner, "runware");
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        lock(&inner.last).insert("runware", v);
    }
    let resp = runware_inner(&inner, &headers, &body).await;
    visit.finish(resp)
}

fn runware_error(code: &str, message: &str, param: &str, task: Option<&str>) -> Response {
    let mut e = json!({"code": code, "message": message, "parameter": param});
    if let Some(t) = task {
        e["taskUUID"] = json!(t);
    }
    (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": [e]}))).into_response()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

async fn runware_inner(inner: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let f = Flavour::Runware;
    let parsed = serde_json::from_slice::<Value>(body).ok();
    // The key may come as a leading authentication task instead of the header.
    let auth_task = match &parsed {
        Some(Value::Array(tasks)) => tasks
            .first()
            .filter(|t| t.get("taskType").and_then(Value::as_str) == Some("authentication")),
        _ => None,
    };
    let body_key = auth_task.map(|t| t.get("apiKey").and_then(Value::as_str).unwrap_or(""));
    let step = match gate(inner, headers, body_key, f).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if step.as_deref() == Some("huge-body") {
        return huge_body_response();
    }
    let Some(Value::Array(tasks)) = &parsed else {
        return runware_error(
            "invalidPayload",
            "The request body must be a JSON array of tasks.",
            "body",
            None,
        );
    };
    let mut data = Vec::new();
    let tasks = match auth_task {
        Some(_) => {
            data.push(json!({"taskType": "authentication", "connectionSessionUUID": uuid(inner)}));
            &tasks[1..]
        }
        None => &tasks[..],
    };
    for task in tasks {
        let s = |k: &str| task.get(k).and_then(Value::as_str);
        let task_uuid = s("taskUUID");
        if s("taskType") != Some("imageInference") {
            return runware_error(
                "unsupportedTaskType",
                "Only imageInference is supported by the mock.",
                "taskType",
                task_uuid,
            );
        }
        let Some(task_uuid) = task_uuid.filter(|t| is_uuid(t)) else {
            return runware_error(
                "invalidTaskUUID",
                "taskUUID must be a UUID v4 string.",
                "taskUUID",
                None,
            );
        };
        let prompt = s("positivePrompt").unwrap_or("");
        if !(2..=3000).contains(&prompt.chars().count()) {
            return runware_error(
                "invalidPositivePrompt",
                "positivePrompt must be between 2 and 3000 characters.",
                "positivePrompt",
                Some(task_uuid),
            );
        }
        if let Some(neg) = task.get("negativePrompt")
            && neg.as_str().is_none_or(|n| n.chars().count() < 2)
        {
            return runware_error(
                "invalidNegativePrompt",
                "negativePrompt must be a string of at least 2 characters.",
                "negativePrompt",
                Some(task_uuid),
            );
        }
        let dim = |k: &str| {
            task.get(k)
                .and_then(Value::as_u64)
                .filter(|v| (128..=2048).contains(v) && v % 64 == 0)
        };
        let (Some(w), Some(h)) = (dim("width"), dim("height")) else {
            return runware_error(
                "invalidSize",
                "width and height must be multiples of 64 between 128 and 2048.",
                "width",
                Some(task_uuid),
            );
        };
        let Some(model) = s("model") else {
            return runware_error(
                "invalidModel",
                "model is required.",
                "model",
                Some(task_uuid),
            );
        };
        let n = task
            .get("numberResults")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 20);
        let output = s("outputType").unwrap_or("URL");
        if !["URL", "base64Data", "dataURI"].contains(&output) {
            return runware_error(
                "invalidOutputType",
                "outputType must be one of URL, base64Data, dataURI.",
                "outputType",
                Some(task_uuid),
            );
        }
        let b64 = wants_b64(inner, output == "base64Data" || output == "dataURI");
        let cost = match model {
            "runware:100@1" => 0.0013,
            "runware:101@1" => 0.0038,
            _ => 0.002,
        };
        for _ in 0..n {
            let mut item = json!({
                "taskType": "imageInference",
                "taskUUID": task_uuid,
                "imageUUID": uuid(inner),
                "seed": lock(&inner.rng).random_range(1..i64::from(i32::MAX)),
                "NSFWContent": false,
            });
            if b64 {
                let Some(png) = png_for(inner, w as u32, h as u32) else {
                    return error_response(f, 500, None);
                };
                let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
                if output == "dataURI" {
                    item["imageDataURI"] = json!(format!("data:image/png;base64,{encoded}"));
                } else {
                    item["imageBase64Data"] = json!(encoded);
                }
            } else {
                item["imageURL"] = json!(image_url(inner, w as u32, h as u32));
            }
            if task.get("includeCost").and_then(Value::as_bool) == Some(true) {
                item["cost"] = json!(cost);
            }
            data.push(item);
        }
    }
    axum::Json(json!({"data": data})).into_response()
}
