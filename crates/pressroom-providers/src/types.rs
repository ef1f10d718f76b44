//! The provider contract: requests, responses, usage records and the two traits.

use crate::error::ProviderError;
use pressroom_domain::ai::{ImageSubject, output_schema};
use pressroom_domain::{AiFunction, Credits, UsdMicros};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, so the provider traits stay object-safe (`Arc<dyn TextProvider>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A named JSON schema for structured output (`response_format.json_schema`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchema {
    pub name: String,
    pub schema: serde_json::Value,
}

impl JsonSchema {
    /// The domain's strict schema for `function`; `None` for image generation.
    pub fn for_function(function: AiFunction) -> Option<JsonSchema> {
        Some(JsonSchema {
            name: function.schema_name()?.to_string(),
            schema: output_schema(function)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextRequest {
    pub function: AiFunction,
    pub model: String,
    pub system: String,
    pub user: String,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    /// Structured output; `None` asks for free text.
    pub json_schema: Option<JsonSchema>,
    /// The structured input the prompt was rendered from (`ClusterInput` ... as JSON). Real
    /// providers ignore it; the offline provider builds its answer from it, or from the
    /// prompt's `- ` bullet lines when it is `Null`.
    pub input: serde_json::Value,
    /// Set on the second try after an invalid answer: the answer and what was wrong with it
    /// go back to the model as an assistant turn and a user turn after the prompt.
    #[serde(default)]
    pub correction: Option<Correction>,
}

/// The model's previous answer to the same prompt and the validation errors it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub answer: String,
    /// Names each field and the bound it broke.
    pub problems: String,
}

impl Correction {
    /// The user turn that asks for a corrected answer.
    pub fn message(&self) -> String {
        format!(
            "That answer is invalid: {}. Answer again with the whole JSON object, corrected so it matches the schema and all its limits.",
            self.problems
        )
    }
}

impl TextRequest {
    /// A request for one AI function with its domain schema attached.
    pub fn for_function(
        function: AiFunction,
        model: impl Into<String>,
        system: impl Into<String>,
        user: impl Into<String>,
        input: serde_json::Value,
    ) -> TextRequest {
        TextRequest {
            function,
            model: model.into(),
            system: system.into(),
            user: user.into(),
            temperature: Some(0.7),
            max_tokens: Some(4096),
            json_schema: JsonSchema::for_function(function),
            input,
            correction: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextResponse {
    /// The raw text the model returned; JSON when a schema was requested (checked to parse).
    pub content: String,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub provider: String,
    pub model: String,
    pub latency: Duration,
}

impl TextResponse {
    /// Parses the content strictly into a domain output struct (`ClusterOutput` ...); unknown
    /// or missing fields are a [`ProviderError::MalformedContent`].
    pub fn parse<T: DeserializeOwned>(&self, function: AiFunction) -> Result<T, ProviderError> {
        serde_json::from_str(&self.content).map_err(|e| ProviderError::MalformedContent {
            provider: provider_label(&self.provider),
            model: self.model.clone(),
            schema: function.schema_name().unwrap_or("text").to_string(),
            detail: e.to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRequest {
    pub model: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub width: u32,
    pub height: u32,
    /// `standard`/`hd` (dall-e-3), `low`/`medium`/`high` (gpt-image-1); ignored where the
    /// model has no such choice, replaced by the model's default when not allowed.
    pub quality: Option<String>,
    pub subject: ImageSubject,
}

/// Where the picture is: in the response, or at a URL still to be fetched with
/// [`crate::download::SafeDownloader`].
#[derive(Clone, PartialEq, Eq)]
pub enum ImageData {
    Bytes(Vec<u8>),
    Url(String),
}

impl std::fmt::Debug for ImageData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageData::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            ImageData::Url(u) => write!(f, "Url({u})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageResponse {
    pub data: ImageData,
    pub provider: String,
    pub model: String,
    /// The size actually requested (the closest the model allows).
    pub width: u32,
    pub height: u32,
    /// The prompt actually sent (shortened to the model's limit when needed).
    pub prompt_sent: String,
    /// dall-e-3 rewrites prompts and says so.
    pub revised_prompt: Option<String>,
    /// Cost the provider reported (Runware `includeCost`), when it did.
    pub reported_cost: Option<UsdMicros>,
    /// The provider's id of the image (Runware imageUUID), when it gives one.
    pub provider_image_id: Option<String>,
    pub latency: Duration,
}

/// One provider call as it goes on the books: written as an AiUsage row by the caller,
/// for successes and failures alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRecord {
    pub function: AiFunction,
    pub provider: String,
    pub model: String,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub images: i64,
    pub cost: UsdMicros,
    /// What this call costs in credits at the registry's rate (the caller charges it).
    pub credits: Credits,
    pub latency_ms: i64,
    /// HTTP attempts made, retries included (0 when the call never reached the network).
    pub attempts: u32,
    pub success: bool,
    /// `ProviderError::kind()` and message when the call failed.
    pub error: Option<String>,
}

/// The result of a provider call together with its usage record, so usage cannot be lost on
/// the error path.
#[derive(Debug)]
pub struct Outcome<T> {
    pub result: Result<T, ProviderError>,
    pub usage: UsageRecord,
}

impl<T> Outcome<T> {
    pub fn into_parts(self) -> (Result<T, ProviderError>, UsageRecord) {
        (self.result, self.usage)
    }
}

/// Chat-style text generation.
pub trait TextProvider: Send + Sync {
    /// `openai`, `offline` ... as shown to users and stored in usage rows.
    fn name(&self) -> &'static str;
    fn complete<'a>(&'a self, request: &'a TextRequest) -> BoxFuture<'a, Outcome<TextResponse>>;
    /// Calls worth having out at once: the provider's in-flight limit for a remote service.
    /// Local providers answer in microseconds, so more than one would only add contention.
    fn max_in_flight(&self) -> usize {
        1
    }
}

/// Image generation.
pub trait ImageProvider: Send + Sync {
    fn name(&self) -> &'static str;
    fn generate<'a>(&'a self, request: &'a ImageRequest) -> BoxFuture<'a, Outcome<ImageResponse>>;
}

/// Maps a provider name back to the static label used in errors.
pub(crate) fn provider_label(name: &str) -> &'static str {
    match name {
        "openai" => "openai",
        "runware" => "runware",
        "offline" => "offline",
        _ => "provider",
    }
}

/// Rough token estimate (4 characters a token) where a provider reports none.
pub fn estimate_tokens(text: &str) -> i64 {
    (text.chars().count() as i64 + 3) / 4
}
