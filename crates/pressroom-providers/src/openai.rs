//! OpenAI-compatible chat completions and the OpenAI Images API. `base_url` ends in `/v1`
//! (`https://api.openai.com/v1`, `http://localhost:11434/v1`, ...).

use crate::error::ProviderError;
use crate::http::{ProviderDeps, send};
use crate::limits::Limiter;
use crate::registry::{ModelKind, ModelSpec, ProviderKind, lookup, shorten_prompt};
use crate::retry;
use crate::types::{
    BoxFuture, ImageData, ImageProvider, ImageRequest, ImageResponse, Outcome, TextProvider,
    TextRequest, TextResponse, UsageRecord,
};
use base64::Engine;
use pressroom_domain::{AiFunction, Credits, UsdMicros};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub const PROVIDER: &str = "openai";
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Where and as whom to call.
#[derive(Clone)]
pub struct OpenAiConfig {
    pub base_url: String,
    pub api_key: String,
    /// Limits are per (service, account).
    pub account: i64,
}

impl std::fmt::Debug for OpenAiConfig {
    // The key never appears in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .field("account", &self.account)
            .finish()
    }
}

impl OpenAiConfig {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url.trim_end_matches('/'), path)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    JsonSchema,
    JsonObject,
}

/// Chat completions with structured output.
pub struct OpenAiChat {
    config: OpenAiConfig,
    deps: ProviderDeps,
    limiter: Arc<Limiter>,
    /// Set once the server said it does not support `json_schema`; later calls go straight
    /// to `json_object`.
    schema_unsupported: AtomicBool,
}

struct ChatReply {
    content: Option<String>,
    refusal: Option<String>,
    finish_reason: Option<String>,
    tokens_in: i64,
    tokens_out: i64,
    model: String,
}

impl OpenAiChat {
    pub fn new(config: OpenAiConfig, deps: ProviderDeps) -> OpenAiChat {
        let limiter = deps.limits.limiter("openai-chat", config.account);
        OpenAiChat {
            config,
            deps,
            limiter,
            schema_unsupported: AtomicBool::new(false),
        }
    }

    fn body(&self, req: &TextRequest, format: Format, spec: &ModelSpec) -> Value {
        let mut system = req.system.clone();
        if let (Format::JsonObject, Some(s)) = (format, &req.json_schema) {
            // json_object mode requires the word JSON in the messages; the schema (and its
            // name) tell the model, and compatible servers, what shape to produce.
            system.push_str(&format!(
                "\n\nRespond with only a JSON object named {} that follows this JSON schema:\n{}",
                s.name, s.schema
            ));
        }
        let mut messages = Vec::new();
        if !system.trim().is_empty() {
            messages.push(json!({"role": "system", "content": system}));
        }
        messages.push(json!({"role": "user", "content": req.user}));
        if let Some(c) = &req.correction {
            messages.push(json!({"role": "assistant", "content": c.answer}));
            messages.push(json!({"role": "user", "content": c.message()}));
        }
        let mut body = json!({"model": req.model, "messages": messages});
        if let Some(t) = req.temperature {
            body["temperature"] = json!(t);
        }
        if let Some(m) = req.max_tokens {
            let key = if spec.max_completion_tokens {
                "max_completion_tokens"
            } else {
                "max_tokens"
            };
            body[key] = json!(m);
        }
        match (format, &req.json_schema) {
            (Format::JsonSchema, Some(s)) => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": s.name, "schema": s.schema, "strict": true}
                });
            }
            (Format::JsonObject, Some(_)) => {
                body["response_format"] = json!({"type": "json_object"});
            }
            _ => {}
        }
        body
    }

    async fn attempt(&self, body: &Value) -> Result<ChatReply, ProviderError> {
        let _permit = self.limiter.acquire().await;
        let request = self
            .deps
            .client
            .post(self.config.url("chat/completions"))
            .bearer_auth(&self.config.api_key)
            .json(body);
        let (_, _, bytes) =
            send(PROVIDER, request, self.deps.timeout, &self.config.api_key).await?;
        parse_chat(&bytes)
    }
}

fn invalid(message: impl Into<String>) -> ProviderError {
    ProviderError::InvalidResponse {
        provider: PROVIDER,
        message: message.into(),
    }
}

fn parse_chat(bytes: &[u8]) -> Result<ChatReply, ProviderError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| invalid(format!("chat completion is not JSON: {e}")))?;
    let choice = v
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| invalid("chat completion has no choices"))?;
    let message = choice
        .get("message")
        .ok_or_else(|| invalid("chat completion choice has no message"))?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let usage = v.get("usage");
    let tokens = |k: &str| usage.and_then(|u| u.get(k)).and_then(Value::as_i64);
    Ok(ChatReply {
        content: text(message.get("content")),
        refusal: text(message.get("refusal")),
        finish_reason: text(choice.get("finish_reason")),
        tokens_in: tokens("prompt_tokens").unwrap_or(-1),
        tokens_out: tokens("completion_tokens").unwrap_or(-1),
        model: text(v.get("model")).unwrap_or_default(),
    })
}

/// Does a 400 say the server cannot do `response_format: json_schema`?
fn schema_unsupported(err: &ProviderError) -> bool {
    match err {
        ProviderError::Rejected {
            status: 400 | 422,
            message,
            ..
        } => {
            let m = message.to_ascii_lowercase();
            m.contains("response_format")
                || m.contains("json_schema")
                || m.contains("structured output")
        }
        _ => false,
    }
}

impl TextProvider for OpenAiChat {
    fn max_in_flight(&self) -> usize {
        self.limiter.config().max_in_flight.max(1)
    }

    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn complete<'a>(&'a self, req: &'a TextRequest) -> BoxFuture<'a, Outcome<TextResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.deps.registry,
                ProviderKind::OpenAi,
                ModelKind::Text,
                &req.model,
            );
            let mut format = match &req.json_schema {
                None => Format::Text,
                Some(_) if self.schema_unsupported.load(Ordering::Relaxed) => Format::JsonObject,
                Some(_) => Format::JsonSchema,
            };
            let mut attempts = 0;
            let reply = loop {
                let body = self.body(req, format, &spec);
                let (r, n) = retry::run(&self.deps.retry, |_| self.attempt(&body)).await;
                attempts += n;
                match r {
                    Err(e) if format == Format::JsonSchema && schema_unsupported(&e) => {
                        tracing::info!(model = %req.model, "server has no json_schema support; using json_object");
                        self.schema_unsupported.store(true, Ordering::Relaxed);
                        format = Format::JsonObject;
                    }
                    other => break other,
                }
            };
            let latency = start.elapsed();
            let schema_name = req
                .json_schema
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_else(|| "text".into());
            let (tokens_in, tokens_out, result) = match reply {
                Err(e) => (0, 0, Err(e)),
                Ok(r) => {
                    let tin = if r.tokens_in >= 0 {
                        r.tokens_in
                    } else {
                        crate::types::estimate_tokens(&req.system)
                            + crate::types::estimate_tokens(&req.user)
                    };
                    let tout = if r.tokens_out >= 0 {
                        r.tokens_out
                    } else {
                        r.content
                            .as_deref()
                            .map(crate::types::estimate_tokens)
                            .unwrap_or(0)
                    };
                    let model = if r.model.is_empty() {
                        req.model.clone()
                    } else {
                        r.model.clone()
                    };
                    (
                        tin,
                        tout,
                        check_content(r, format, &model, &schema_name).map(|content| {
                            TextResponse {
                                content,
                                tokens_in: tin,
                                tokens_out: tout,
                                provider: PROVIDER.into(),
                                model,
                                latency,
                            }
                        }),
                    )
                }
            };
            let usage = UsageRecord {
                function: req.function,
                provider: PROVIDER.into(),
                model: req.model.clone(),
                tokens_in,
                tokens_out,
                images: 0,
                cost: spec.text_cost(tokens_in, tokens_out),
                credits: spec.text_credits(tokens_in, tokens_out),
                latency_ms: latency.as_millis() as i64,
                attempts,
                success: result.is_ok(),
                error: result.as_ref().err().map(|e| format!("{}: {e}", e.kind())),
            };
            Outcome { result, usage }
        })
    }
}

/// The model's content, checked: present, not a refusal, not cut off, and JSON when JSON was
/// asked for.
fn check_content(
    r: ChatReply,
    format: Format,
    model: &str,
    schema: &str,
) -> Result<String, ProviderError> {
    let malformed = |detail: String| ProviderError::MalformedContent {
        provider: PROVIDER,
        model: model.to_string(),
        schema: schema.to_string(),
        detail,
    };
    if let Some(refusal) = r.refusal.filter(|s| !s.is_empty()) {
        return Err(ProviderError::Refused {
            provider: PROVIDER,
            model: model.to_string(),
            message: refusal,
        });
    }
    let Some(content) = r.content else {
        return Err(malformed("the reply has no content".into()));
    };
    if format == Format::Text {
        return Ok(content);
    }
    if r.finish_reason.as_deref() == Some("length") {
        return Err(malformed(
            "the reply was cut off at max_tokens (finish_reason=length)".into(),
        ));
    }
    // Some compatible servers wrap JSON in a Markdown fence even in JSON mode.
    let trimmed = strip_fence(&content);
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(_)) => Ok(trimmed.to_string()),
        Ok(_) => Err(malformed("the reply is JSON but not an object".into())),
        Err(e) => Err(malformed(format!("the reply is not JSON ({e})"))),
    }
}

fn strip_fence(s: &str) -> &str {
    let t = s.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// How to ask dall-e models for the picture (gpt-image models always send base64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseFormat {
    #[default]
    Url,
    B64Json,
}

/// `POST {base}/images/generations`.
pub struct OpenAiImages {
    config: OpenAiConfig,
    deps: ProviderDeps,
    limiter: Arc<Limiter>,
    format: ResponseFormat,
}

impl OpenAiImages {
    pub fn new(config: OpenAiConfig, deps: ProviderDeps, format: ResponseFormat) -> OpenAiImages {
        let limiter = deps.limits.limiter("openai-images", config.account);
        OpenAiImages {
            config,
            deps,
            limiter,
            format,
        }
    }

    async fn attempt(&self, body: &Value) -> Result<(ImageData, Option<String>), ProviderError> {
        let _permit = self.limiter.acquire().await;
        let request = self
            .deps
            .client
            .post(self.config.url("images/generations"))
            .bearer_auth(&self.config.api_key)
            .json(body);
        let (_, _, bytes) =
            send(PROVIDER, request, self.deps.timeout, &self.config.api_key).await?;
        parse_images(&bytes)
    }
}

fn parse_images(bytes: &[u8]) -> Result<(ImageData, Option<String>), ProviderError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| invalid(format!("images response is not JSON: {e}")))?;
    let item = v
        .get("data")
        .and_then(|d| d.get(0))
        .ok_or_else(|| invalid("images response has no data"))?;
    let revised = item
        .get("revised_prompt")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(b64) = item.get("b64_json").and_then(Value::as_str) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| invalid(format!("b64_json is not base64: {e}")))?;
        return Ok((ImageData::Bytes(bytes), revised));
    }
    if let Some(url) = item.get("url").and_then(Value::as_str) {
        return Ok((ImageData::Url(url.to_string()), revised));
    }
    Err(invalid("image has neither url nor b64_json"))
}

pub(crate) fn is_gpt_image(model: &str) -> bool {
    model.starts_with("gpt-image")
}

impl ImageProvider for OpenAiImages {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn generate<'a>(&'a self, req: &'a ImageRequest) -> BoxFuture<'a, Outcome<ImageResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.deps.registry,
                ProviderKind::OpenAi,
                ModelKind::Image,
                &req.model,
            );
            let prompt = match spec.prompt_limit {
                Some(limit) => shorten_prompt(&req.prompt, limit),
                None => req.prompt.clone(),
            };
            let (width, height) = spec.sizes.closest(req.width, req.height);
            let mut body = json!({
                "model": req.model,
                "prompt": prompt,
                "n": 1,
                "size": format!("{width}x{height}"),
            });
            if let Some(q) = spec.quality(req.quality.as_deref()) {
                body["quality"] = json!(q);
            }
            if !is_gpt_image(&req.model) {
                body["response_format"] = json!(match self.format {
                    ResponseFormat::Url => "url",
                    ResponseFormat::B64Json => "b64_json",
                });
            }
            let (r, attempts) = retry::run(&self.deps.retry, |_| self.attempt(&body)).await;
            let latency = start.elapsed();
            let ok = r.is_ok();
            let usage = UsageRecord {
                function: AiFunction::GenerateImage,
                provider: PROVIDER.into(),
                model: req.model.clone(),
                tokens_in: 0,
                tokens_out: 0,
                images: i64::from(ok),
                cost: if ok { spec.image_cost(1) } else { UsdMicros(0) },
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
                result: r.map(|(data, revised_prompt)| ImageResponse {
                    data,
                    provider: PROVIDER.into(),
                    model: req.model.clone(),
                    width,
                    height,
                    prompt_sent: prompt.clone(),
                    revised_prompt,
                    reported_cost: None,
                    provider_image_id: None,
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
    fn content_checks() {
        let reply = |c: Option<&str>, fr: &str| ChatReply {
            content: c.map(str::to_string),
            refusal: None,
            finish_reason: Some(fr.into()),
            tokens_in: 1,
            tokens_out: 1,
            model: "m".into(),
        };
        assert!(
            check_content(
                reply(Some("{\"a\":1}"), "stop"),
                Format::JsonSchema,
                "m",
                "s"
            )
            .is_ok()
        );
        assert_eq!(
            check_content(
                reply(Some("```json\n{\"a\":1}\n```"), "stop"),
                Format::JsonObject,
                "m",
                "s"
            )
            .unwrap(),
            "{\"a\":1}"
        );
        let e = check_content(
            reply(Some("{\"a\":"), "stop"),
            Format::JsonSchema,
            "m",
            "pressroom_ideas",
        )
        .unwrap_err();
        assert!(matches!(e, ProviderError::MalformedContent { .. }));
        assert!(e.to_string().contains("pressroom_ideas"));
        assert!(check_content(reply(None, "stop"), Format::JsonSchema, "m", "s").is_err());
        assert!(check_content(reply(Some("{}"), "length"), Format::JsonSchema, "m", "s").is_err());
        assert_eq!(
            check_content(reply(Some("hi"), "stop"), Format::Text, "m", "s").unwrap(),
            "hi"
        );
    }
}
