//! Runware: `POST {base}` (https://api.runware.ai/v1) with a JSON array of tasks; one
//! `imageInference` task per image, cost reported per result (`includeCost`).

use crate::error::ProviderError;
use crate::http::{ProviderDeps, send, uuid_v4};
use crate::limits::Limiter;
use crate::registry::{ModelKind, ProviderKind, lookup, shorten_prompt};
use crate::retry;
use crate::types::{
    BoxFuture, ImageData, ImageProvider, ImageRequest, ImageResponse, Outcome, UsageRecord,
};
use base64::Engine;
use pressroom_domain::{AiFunction, Credits, UsdMicros};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

pub const PROVIDER: &str = "runware";
pub const DEFAULT_BASE_URL: &str = "https://api.runware.ai/v1";

#[derive(Clone)]
pub struct RunwareConfig {
    pub base_url: String,
    pub api_key: String,
    pub account: i64,
    /// Ask for base64 in the response instead of a URL to download.
    pub base64: bool,
}

impl std::fmt::Debug for RunwareConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunwareConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .field("account", &self.account)
            .field("base64", &self.base64)
            .finish()
    }
}

pub struct Runware {
    config: RunwareConfig,
    deps: ProviderDeps,
    limiter: Arc<Limiter>,
}

struct TaskResult {
    data: ImageData,
    cost: Option<UsdMicros>,
    image_uuid: Option<String>,
}

impl Runware {
    pub fn new(config: RunwareConfig, deps: ProviderDeps) -> Runware {
        let limiter = deps.limits.limiter("runware", config.account);
        Runware {
            config,
            deps,
            limiter,
        }
    }

    async fn attempt(&self, body: &Value, task_uuid: &str) -> Result<TaskResult, ProviderError> {
        let _permit = self.limiter.acquire().await;
        let request = self
            .deps
            .client
            .post(self.config.base_url.trim_end_matches('/'))
            .bearer_auth(&self.config.api_key)
            .json(body);
        let (_, _, bytes) =
            send(PROVIDER, request, self.deps.timeout, &self.config.api_key).await?;
        parse_response(&bytes, task_uuid)
    }
}

fn invalid(message: impl Into<String>) -> ProviderError {
    ProviderError::InvalidResponse {
        provider: PROVIDER,
        message: message.into(),
    }
}

fn parse_response(bytes: &[u8], task_uuid: &str) -> Result<TaskResult, ProviderError> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| invalid(format!("response is not JSON: {e}")))?;
    if let Some(err) = v.get("errors").and_then(|e| e.get(0)) {
        let s = |k: &str| err.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        return Err(ProviderError::TaskFailed {
            provider: PROVIDER,
            code: s("code"),
            message: s("message"),
        });
    }
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("response has no data array"))?;
    // Results are matched by taskUUID: a response may carry other tasks' results.
    let item = data
        .iter()
        .find(|d| {
            d.get("taskUUID").and_then(Value::as_str) == Some(task_uuid)
                && d.get("taskType")
                    .and_then(Value::as_str)
                    .unwrap_or("imageInference")
                    == "imageInference"
        })
        .ok_or_else(|| invalid("no result for our taskUUID"))?;
    let data = if let Some(url) = item.get("imageURL").and_then(Value::as_str) {
        ImageData::Url(url.to_string())
    } else if let Some(b64) = item.get("imageBase64Data").and_then(Value::as_str) {
        ImageData::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| invalid(format!("imageBase64Data is not base64: {e}")))?,
        )
    } else {
        return Err(invalid("result has neither imageURL nor imageBase64Data"));
    };
    Ok(TaskResult {
        data,
        cost: item.get("cost").and_then(usd_from_json),
        image_uuid: item
            .get("imageUUID")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// A JSON number of US dollars (`0.0013`, `1.3e-3`) as micro-dollars, rounded up, without
/// going through a float.
pub fn usd_from_json(v: &Value) -> Option<UsdMicros> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text.as_str(), 0),
    };
    if mantissa.starts_with('-') {
        return None;
    }
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(whole.chars().all(|c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let digits: String = format!("{whole}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return None;
    }
    let mut value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    // value * 10^(exp - frac_len + 6) micro-dollars.
    let shift = exp - frac.len() as i32 + 6;
    if shift >= 0 {
        for _ in 0..shift {
            value = value.checked_mul(10)?;
        }
    } else {
        let mut div: i128 = 1;
        for _ in 0..(-shift).min(38) {
            div = div.checked_mul(10)?;
        }
        value = (value + div - 1) / div;
    }
    i64::try_from(value).ok().map(UsdMicros)
}

impl ImageProvider for Runware {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn generate<'a>(&'a self, req: &'a ImageRequest) -> BoxFuture<'a, Outcome<ImageResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.deps.registry,
                ProviderKind::Runware,
                ModelKind::Image,
                &req.model,
            );
            let prompt = match spec.prompt_limit {
                Some(limit) => shorten_prompt(&req.prompt, limit),
                None => req.prompt.clone(),
            };
            let (width, height) = spec.sizes.closest(req.width, req.height);
            let (r, attempts) = retry::run(&self.deps.retry, |_| {
                // A fresh taskUUID per attempt: Runware treats a repeated one as a duplicate.
                let task_uuid = uuid_v4();
                let mut task = json!({
                    "taskType": "imageInference",
                    "taskUUID": task_uuid,
                    "positivePrompt": prompt,
                    "width": width,
                    "height": height,
                    "model": req.model,
                    "outputType": if self.config.base64 { "base64Data" } else { "URL" },
                    "numberResults": 1,
                    "includeCost": true,
                });
                if spec.negative_prompt
                    && let Some(neg) = req
                        .negative_prompt
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                {
                    task["negativePrompt"] = json!(neg);
                }
                let body = json!([task]);
                async move { self.attempt(&body, &task_uuid).await }
            })
            .await;
            let latency = start.elapsed();
            let ok = r.is_ok();
            let reported = r.as_ref().ok().and_then(|t| t.cost);
            let usage = UsageRecord {
                function: AiFunction::GenerateImage,
                provider: PROVIDER.into(),
                model: req.model.clone(),
                tokens_in: 0,
                tokens_out: 0,
                images: i64::from(ok),
                cost: match (ok, reported) {
                    (true, Some(c)) => c,
                    (true, None) => spec.image_cost(1),
                    (false, _) => UsdMicros(0),
                },
                credits: if ok {
                    spec.image_credits(1)
                } else {
                    Credits::ZERO
                },
                latency_ms: latency.as_millis() as i64,
                attempts,
                success: ok,
                error: r.as_ref().err().map(|e| format!("{}: {e}", e.kind())),
            };
            Outcome {
                result: r.map(|t| ImageResponse {
                    data: t.data,
                    provider: PROVIDER.into(),
                    model: req.model.clone(),
                    width,
                    height,
                    prompt_sent: prompt.clone(),
                    revised_prompt: None,
                    reported_cost: t.cost,
                    provider_image_id: t.image_uuid,
                    latency,
                }),
                usage,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_costs_without_floats() {
        assert_eq!(usd_from_json(&json!(0.0013)), Some(UsdMicros(1300)));
        assert_eq!(usd_from_json(&json!(1.5)), Some(UsdMicros(1_500_000)));
        assert_eq!(usd_from_json(&json!(2)), Some(UsdMicros(2_000_000)));
        assert_eq!(usd_from_json(&json!("0.0000001")), Some(UsdMicros(1)));
        assert_eq!(usd_from_json(&json!("1.3e-3")), Some(UsdMicros(1300)));
        assert_eq!(usd_from_json(&json!(-1)), None);
        assert_eq!(usd_from_json(&json!("abc")), None);
    }

    #[test]
    fn picks_the_result_for_our_task() {
        let body = br#"{"data":[{"taskType":"imageInference","taskUUID":"other","imageUUID":"x","imageURL":"http://a/1.png","cost":0.5},{"taskType":"imageInference","taskUUID":"mine","imageUUID":"y","imageURL":"http://a/2.png","cost":0.0038}]}"#;
        let r = parse_response(body, "mine").unwrap();
        assert_eq!(r.data, ImageData::Url("http://a/2.png".into()));
        assert_eq!(r.cost, Some(UsdMicros(3800)));
        assert_eq!(r.image_uuid.as_deref(), Some("y"));
        let err =
            br#"{"errors":[{"code":"invalidModel","message":"bad model","taskUUID":"mine"}]}"#;
        assert!(matches!(
            parse_response(err, "mine"),
            Err(ProviderError::TaskFailed { .. })
        ));
    }
}
