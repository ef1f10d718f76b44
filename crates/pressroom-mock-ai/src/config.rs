//! What a test or the binary sets up: the server's options, the scripted answers, the counters.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// How image replies carry the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageMode {
    /// As the request asks (`response_format`, `outputType`), like the real services.
    #[default]
    Request,
    /// Always a URL to `GET /images/...` (gpt-image models still answer base64, as real).
    Url,
    /// Always base64.
    B64,
}

#[derive(Debug, Clone)]
pub struct MockConfig {
    pub addr: SocketAddr,
    /// Added before every API answer.
    pub latency: Duration,
    /// Fraction of API requests answered 500 (0.0 - 1.0).
    pub fail_rate: f64,
    /// Requests per minute across the API endpoints; past it, 429 with `retry-after`.
    pub rate_limit_rpm: Option<u32>,
    pub image_mode: ImageMode,
    /// `false` behaves like a server without structured outputs: 400 on `json_schema`.
    pub json_schema_supported: bool,
    /// Seeds the fail-rate dice, so a run can be repeated.
    pub seed: u64,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit_rpm: None,
            image_mode: ImageMode::Request,
            json_schema_supported: true,
            seed: 1,
        }
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Step {
    /// An HTTP status: 429 (with retry-after), 500, 400, 401, 200 (normal answer) ...
    Status(u16),
    /// `malformed-json`, `insufficient-quota`, `json-schema-unsupported`, `refusal`,
    /// `truncated`, `huge-body`, `ok`; `out-of-bounds` (a chat answer that breaks the first
    /// bound of the schema sent) and `out-of-bounds:FIELD` (the first bounded property named
    /// FIELD), see [`schema::break_bound`].
    Named(String),
    /// A status with an explicit wait for 429/503.
    Detailed {
        status: u16,
        #[serde(default)]
        retry_after_ms: Option<u64>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointStats {
    pub requests: u64,
    pub max_in_flight: u64,
    /// Answers by status code.
    pub statuses: BTreeMap<String, u64>,
}

/// `GET /__stats`: per endpoint (`chat_completions`, `images_generations`, `runware`,
/// `images_get`, `huge`, `redirect`, `text`).
pub type Stats = BTreeMap<String, EndpointStats>;
