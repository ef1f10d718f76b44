//! Embeddings: phrases to vectors, for keyword clustering by meaning.
//!
//! - [`OpenAiEmbeddings`]: `POST {base}/embeddings` on any OpenAI-compatible server (`base`
//!   ends in `/v1`), `{model, input: [...]}` -> `data[i].embedding`, `usage.prompt_tokens`.
//!   The answer is checked before anyone uses it: one vector per input, placed by `index`,
//!   all of one length, every number finite.
//! - [`OfflineEmbeddings`]: deterministic vectors hashed from a phrase's character trigrams
//!   and terms, so the method runs with no key; labelled `offline` and free.
//!
//! Usage rows name the function `auto-cluster`: embeddings are only asked for to cluster.

use crate::error::ProviderError;
use crate::http::{ProviderDeps, send};
use crate::limits::Limiter;
use crate::openai::OpenAiConfig;
use crate::registry::{ModelKind, ProviderKind, SharedRegistry, lookup};
use crate::retry;
use crate::types::{BoxFuture, Outcome, UsageRecord, estimate_tokens};
use pressroom_domain::AiFunction;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const OFFLINE_MODEL: &str = "offline-embeddings";
pub const DEFAULT_OPENAI_MODEL: &str = "text-embedding-3-small";
/// Dimensions of offline vectors.
pub const OFFLINE_DIMENSIONS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingRequest {
    pub model: String,
    pub inputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingResponse {
    /// One per input, in input order, all of one length.
    pub vectors: Vec<Vec<f32>>,
    pub tokens: i64,
    pub provider: String,
    pub model: String,
    pub latency: Duration,
}

/// Text to vectors.
pub trait EmbeddingProvider: Send + Sync {
    /// `openai`, `offline`, as stored in usage rows.
    fn name(&self) -> &'static str;
    fn embed<'a>(
        &'a self,
        request: &'a EmbeddingRequest,
    ) -> BoxFuture<'a, Outcome<EmbeddingResponse>>;
}

fn invalid(message: impl Into<String>) -> ProviderError {
    ProviderError::InvalidResponse {
        provider: crate::openai::PROVIDER,
        message: message.into(),
    }
}

/// Parses and checks an embeddings answer for `inputs` phrases: the vectors in input order
/// and `usage.prompt_tokens` (`None` when the server gave none).
pub fn parse_embeddings(
    bytes: &[u8],
    inputs: usize,
) -> Result<(Vec<Vec<f32>>, Option<i64>), ProviderError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| invalid(format!("embeddings response is not JSON: {e}")))?;
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("embeddings response has no data array"))?;
    if data.len() != inputs {
        return Err(invalid(format!(
            "embeddings response has {} vectors for {inputs} inputs",
            data.len()
        )));
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; inputs];
    for (position, item) in data.iter().enumerate() {
        // `index` says which input a vector belongs to; servers that omit it answer in order.
        let index = match item.get("index") {
            None | Some(Value::Null) => position,
            Some(i) => i
                .as_u64()
                .map(|i| i as usize)
                .filter(|i| *i < inputs)
                .ok_or_else(|| invalid(format!("data[{position}].index {i} is not 0..{inputs}")))?,
        };
        let numbers = item
            .get("embedding")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                invalid(format!(
                    "data[{position}].embedding is not an array of numbers (base64 is not asked for)"
                ))
            })?;
        let mut vector = Vec::with_capacity(numbers.len());
        for (k, x) in numbers.iter().enumerate() {
            let f = x
                .as_f64()
                .map(|f| f as f32)
                .filter(|f| f.is_finite())
                .ok_or_else(|| {
                    invalid(format!(
                        "data[{position}].embedding[{k}] is not a finite number: {x}"
                    ))
                })?;
            vector.push(f);
        }
        if vector.is_empty() {
            return Err(invalid(format!("data[{position}].embedding is empty")));
        }
        if slots[index].replace(vector).is_some() {
            return Err(invalid(format!("two vectors for input {index}")));
        }
    }
    let vectors: Vec<Vec<f32>> = slots.into_iter().flatten().collect();
    if vectors.len() != inputs {
        return Err(invalid("some inputs have no vector"));
    }
    let dims = vectors.first().map_or(0, Vec::len);
    if let Some((i, v)) = vectors.iter().enumerate().find(|(_, v)| v.len() != dims) {
        return Err(invalid(format!(
            "vectors of different dimensions: input 0 has {dims}, input {i} has {}",
            v.len()
        )));
    }
    let tokens = v
        .get("usage")
        .and_then(|u| u.get("prompt_tokens"))
        .and_then(Value::as_i64);
    Ok((vectors, tokens))
}

/// `POST {base}/embeddings`.
pub struct OpenAiEmbeddings {
    config: OpenAiConfig,
    deps: ProviderDeps,
    limiter: Arc<Limiter>,
}

impl OpenAiEmbeddings {
    pub fn new(config: OpenAiConfig, deps: ProviderDeps) -> OpenAiEmbeddings {
        // The chat service's limits: one OpenAI account, one request budget.
        let limiter = deps.limits.limiter("openai-chat", config.account);
        OpenAiEmbeddings {
            config,
            deps,
            limiter,
        }
    }

    async fn attempt(
        &self,
        body: &Value,
        inputs: usize,
    ) -> Result<(Vec<Vec<f32>>, Option<i64>), ProviderError> {
        let _permit = self.limiter.acquire().await;
        let request = self
            .deps
            .client
            .post(self.config.url("embeddings"))
            .bearer_auth(&self.config.api_key)
            .json(body);
        let (_, _, bytes) = send(
            crate::openai::PROVIDER,
            request,
            self.deps.timeout,
            &self.config.api_key,
        )
        .await?;
        parse_embeddings(&bytes, inputs)
    }
}

impl EmbeddingProvider for OpenAiEmbeddings {
    fn name(&self) -> &'static str {
        crate::openai::PROVIDER
    }

    fn embed<'a>(&'a self, req: &'a EmbeddingRequest) -> BoxFuture<'a, Outcome<EmbeddingResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.deps.registry,
                ProviderKind::OpenAi,
                ModelKind::Embedding,
                &req.model,
            );
            let body = json!({"model": req.model, "input": req.inputs});
            let (r, attempts) =
                retry::run(&self.deps.retry, |_| self.attempt(&body, req.inputs.len())).await;
            let latency = start.elapsed();
            let estimate = || req.inputs.iter().map(|s| estimate_tokens(s)).sum::<i64>();
            let tokens = match &r {
                Ok((_, t)) => t.filter(|t| *t >= 0).unwrap_or_else(estimate),
                Err(_) => 0,
            };
            let usage = UsageRecord {
                function: AiFunction::AutoCluster,
                provider: crate::openai::PROVIDER.into(),
                model: req.model.clone(),
                tokens_in: tokens,
                tokens_out: 0,
                images: 0,
                cost: spec.text_cost(tokens, 0),
                credits: spec.text_credits(tokens, 0),
                latency_ms: latency.as_millis() as i64,
                attempts,
                success: r.is_ok(),
                error: r.as_ref().err().map(|e| format!("{}: {e}", e.kind())),
            };
            Outcome {
                result: r.map(|(vectors, _)| EmbeddingResponse {
                    vectors,
                    tokens,
                    provider: crate::openai::PROVIDER.into(),
                    model: req.model.clone(),
                    latency,
                }),
                usage,
            }
        })
    }
}

/// Deterministic vectors on this machine, free.
pub struct OfflineEmbeddings {
    registry: SharedRegistry,
}

impl OfflineEmbeddings {
    pub fn new(registry: SharedRegistry) -> OfflineEmbeddings {
        OfflineEmbeddings { registry }
    }
}

impl EmbeddingProvider for OfflineEmbeddings {
    fn name(&self) -> &'static str {
        crate::offline::PROVIDER
    }

    fn embed<'a>(&'a self, req: &'a EmbeddingRequest) -> BoxFuture<'a, Outcome<EmbeddingResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.registry,
                ProviderKind::Offline,
                ModelKind::Embedding,
                OFFLINE_MODEL,
            );
            let vectors: Vec<Vec<f32>> = req.inputs.iter().map(|s| offline_vector(s)).collect();
            let tokens: i64 = req.inputs.iter().map(|s| estimate_tokens(s)).sum();
            let latency = start.elapsed();
            Outcome {
                usage: UsageRecord {
                    function: AiFunction::AutoCluster,
                    provider: crate::offline::PROVIDER.into(),
                    model: OFFLINE_MODEL.into(),
                    tokens_in: tokens,
                    tokens_out: 0,
                    images: 0,
                    cost: spec.text_cost(0, 0),
                    credits: spec.text_credits(0, 0),
                    latency_ms: latency.as_millis() as i64,
                    attempts: 0,
                    success: true,
                    error: None,
                },
                result: Ok(EmbeddingResponse {
                    vectors,
                    tokens,
                    provider: crate::offline::PROVIDER.into(),
                    model: OFFLINE_MODEL.into(),
                    latency,
                }),
            }
        })
    }
}

/// FNV-1a, stable across runs and platforms.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A phrase's offline vector: its terms (folded, stemmed, modifiers dropped) weigh most, and
/// the character trigrams of each term catch spelling variants; each feature adds +-weight
/// to a hashed dimension (the hashing trick). Unit length; all zeros for a phrase with no
/// letters or digits. Similar wording gives similar vectors; synonyms do not (that needs a real model).
pub fn offline_vector(phrase: &str) -> Vec<f32> {
    let mut v = vec![0f32; OFFLINE_DIMENSIONS];
    let mut add = |feature: &str, weight: f32| {
        let h = fnv(feature.as_bytes());
        let dim = (h % OFFLINE_DIMENSIONS as u64) as usize;
        let sign = if (h >> 63) == 0 { 1.0 } else { -1.0 };
        v[dim] += sign * weight;
    };
    for term in pressroom_domain::clustering::terms(phrase) {
        add(&format!("t:{term}"), 2.0);
        let chars: Vec<char> = format!("^{term}$").chars().collect();
        for w in chars.windows(3) {
            add(&format!("g:{}", w.iter().collect::<String>()), 0.5);
        }
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn offline_vectors_are_deterministic_and_close_for_variants() {
        let a = offline_vector("descale espresso machine");
        assert_eq!(a, offline_vector("descale espresso machine"));
        assert_eq!(a.len(), OFFLINE_DIMENSIONS);
        assert!((cos(&a, &a) - 1.0).abs() < 1e-5);
        let b = offline_vector("Espresso machine descaling 2026");
        let c = offline_vector("repot a houseplant");
        assert!(cos(&a, &b) > 0.6, "{}", cos(&a, &b));
        assert!(cos(&a, &c) < 0.3, "{}", cos(&a, &c));
        assert!(offline_vector("?!").iter().all(|x| *x == 0.0));
    }

    #[test]
    fn embedding_models_are_priced_per_million_tokens_and_rounded_up() {
        let r = crate::registry::ModelRegistry::seeded();
        let small = r.resolve(
            ProviderKind::OpenAi,
            ModelKind::Embedding,
            "text-embedding-3-small",
        );
        assert_eq!(
            small.text_cost(1_000_000, 0),
            pressroom_domain::UsdMicros(20_000)
        );
        assert_eq!(
            small.text_credits(1_000_000, 0),
            pressroom_domain::Credits(20)
        );
        // A batch of 256 short keywords is about 1,500 tokens: one credit, not zero.
        assert_eq!(small.text_credits(1_500, 0), pressroom_domain::Credits(1));
        assert_eq!(small.text_credits(0, 0), pressroom_domain::Credits::ZERO);
        let large = r.resolve(
            ProviderKind::OpenAi,
            ModelKind::Embedding,
            "text-embedding-3-large",
        );
        assert_eq!(
            large.text_cost(1_000_000, 0),
            pressroom_domain::UsdMicros(130_000)
        );
        assert_eq!(
            large.text_credits(2_000_000, 0),
            pressroom_domain::Credits(260)
        );
        let offline = r.resolve(
            ProviderKind::Offline,
            ModelKind::Embedding,
            "offline-embeddings",
        );
        assert_eq!(
            offline.text_credits(1_000_000, 0),
            pressroom_domain::Credits::ZERO
        );
        // An embedding model is not priced as a chat model of the same name, or vice versa.
        let wrong = r.resolve(
            ProviderKind::OpenAi,
            ModelKind::Text,
            "text-embedding-3-small",
        );
        assert_eq!(wrong.credits.per_1k_tokens, pressroom_domain::Credits(1));
    }

    #[test]
    fn answers_are_checked_and_put_in_input_order() {
        let ok = br#"{"object":"list","data":[
            {"object":"embedding","index":1,"embedding":[0.0,1.0]},
            {"object":"embedding","index":0,"embedding":[1.0,0.5]}],
            "model":"m","usage":{"prompt_tokens":7,"total_tokens":7}}"#;
        let (v, t) = parse_embeddings(ok, 2).unwrap();
        assert_eq!(v, vec![vec![1.0, 0.5], vec![0.0, 1.0]]);
        assert_eq!(t, Some(7));
        let bad = |body: &str, n: usize, want: &str| {
            let e = parse_embeddings(body.as_bytes(), n)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{e} lacks {want}");
        };
        bad(
            r#"{"data":[{"index":0,"embedding":[1.0]}]}"#,
            2,
            "1 vectors for 2 inputs",
        );
        bad(
            r#"{"data":[{"index":0,"embedding":[1.0]},{"index":1,"embedding":[1.0,2.0]}]}"#,
            2,
            "different dimensions",
        );
        bad(
            r#"{"data":[{"index":0,"embedding":[1.0]},{"index":0,"embedding":[2.0]}]}"#,
            2,
            "two vectors for input 0",
        );
        bad(r#"{"data":[{"index":5,"embedding":[1.0]}]}"#, 1, "index 5");
        bad(
            r#"{"data":[{"index":0,"embedding":[1.0,"x"]}]}"#,
            1,
            "embedding[1]",
        );
        bad(
            r#"{"data":[{"index":0,"embedding":[1e300]}]}"#,
            1,
            "not a finite number",
        );
        bad(
            r#"{"data":[{"index":0,"embedding":"AAAA"}]}"#,
            1,
            "not an array",
        );
        bad(r#"{"data":[{"index":0,"embedding":[]}]}"#, 1, "empty");
        bad("<html>", 1, "not JSON");
    }
}
