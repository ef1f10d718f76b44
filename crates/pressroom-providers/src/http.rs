//! HTTP plumbing shared by the real providers: one client, error classification from status
//! and body, capped body reads.

use crate::error::{ProviderError, redact};
use crate::limits::Limits;
use crate::registry::SharedRegistry;
use crate::retry::{RetryPolicy, retry_after};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::sync::Arc;
use std::time::Duration;

/// Largest API response read into memory (a gpt-image-1 base64 PNG is a few MB).
pub const MAX_API_BODY: usize = 64 * 1024 * 1024;

/// What every real provider needs; clone it freely (all parts are shared handles).
#[derive(Clone, Debug)]
pub struct ProviderDeps {
    pub client: reqwest::Client,
    pub limits: Arc<Limits>,
    pub registry: SharedRegistry,
    pub retry: RetryPolicy,
    /// Per-attempt timeout for API calls.
    pub timeout: Duration,
}

impl ProviderDeps {
    pub fn new(registry: SharedRegistry, limits: Arc<Limits>) -> ProviderDeps {
        ProviderDeps {
            client: api_client(),
            limits,
            registry,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(180),
        }
    }
}

/// The client for API calls (not for downloading provider URLs: see `download`).
pub fn api_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("pressroom/", env!("CARGO_PKG_VERSION")))
        .build()
        // Building only fails when the TLS backend cannot initialise; fall back to defaults.
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Sends a prepared request and reads the whole body (capped). Transport failures become
/// `Timeout` / `Connection`; HTTP error statuses are classified by [`classify`].
pub(crate) async fn send(
    provider: &'static str,
    request: reqwest::RequestBuilder,
    timeout: Duration,
    secret: &str,
) -> Result<(StatusCode, HeaderMap, Vec<u8>), ProviderError> {
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            ProviderError::Timeout {
                provider,
                after: timeout,
            }
        } else {
            ProviderError::Connection {
                provider,
                message: redact(&error_chain(&e.without_url()), secret),
            }
        }
    };
    let mut resp = request.timeout(timeout).send().await.map_err(transport)?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_API_BODY {
            return Err(ProviderError::InvalidResponse {
                provider,
                message: format!("response larger than {MAX_API_BODY} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(classify(provider, status.as_u16(), &headers, &body, secret));
    }
    Ok((status, headers, body))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Maps an HTTP error response to an error. Understands OpenAI's
/// `{"error":{"message","type","code"}}` and Runware's `{"errors":[{"code","message"}]}`.
pub(crate) fn classify(
    provider: &'static str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
) -> ProviderError {
    let (code, message) = error_fields(body);
    let message = redact(&message, secret);
    let quota = |c: &Option<String>| c.as_deref() == Some("insufficient_quota");
    if quota(&code) || quota(&error_type(body)) {
        return ProviderError::QuotaExhausted { provider, message };
    }
    let retry_after = retry_after(headers);
    match status {
        401 | 403 => ProviderError::Unauthorized { provider, status },
        408 | 409 | 429 => ProviderError::RateLimited {
            provider,
            status,
            retry_after,
        },
        500..=599 => ProviderError::Server {
            provider,
            status,
            message,
            retry_after,
        },
        _ => ProviderError::Rejected {
            provider,
            status,
            code,
            message,
        },
    }
}

fn error_fields(body: &[u8]) -> (Option<String>, String) {
    let text = || String::from_utf8_lossy(body).trim().to_string();
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, text());
    };
    let str_of = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(e) = v.get("error").filter(|e| e.is_object()) {
        let code = e.get("code").and_then(str_of);
        let message = e.get("message").and_then(str_of).unwrap_or_else(text);
        return (code, message);
    }
    if let Some(e) = v.get("errors").and_then(|e| e.get(0)) {
        let code = e.get("code").and_then(str_of);
        let message = e.get("message").and_then(str_of).unwrap_or_else(text);
        return (code, message);
    }
    (None, text())
}

fn error_type(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("error")?.get("type")?.as_str().map(str::to_string)
}

/// A random (version 4) UUID, formatted 8-4-4-4-12.
pub fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_openai_and_runware_errors() {
        let h = HeaderMap::new();
        let quota = br#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
        assert!(matches!(
            classify("openai", 429, &h, quota, "k"),
            ProviderError::QuotaExhausted { .. }
        ));
        let bad = br#"{"errors":[{"code":"invalidPositivePrompt","message":"too short","taskUUID":"x"}]}"#;
        match classify("runware", 400, &h, bad, "k") {
            ProviderError::Rejected { code, message, .. } => {
                assert_eq!(code.as_deref(), Some("invalidPositivePrompt"));
                assert_eq!(message, "too short");
            }
            other => panic!("{other:?}"),
        }
        let key = br#"{"error":{"message":"Incorrect API key provided: sk-live-abcdef","code":"invalid_api_key"}}"#;
        let e = classify("openai", 401, &h, key, "sk-live-abcdef");
        assert!(!e.to_string().contains("sk-live-abcdef"));
        assert!(matches!(
            classify("openai", 503, &h, b"<html>", "k"),
            ProviderError::Server { .. }
        ));
    }

    #[test]
    fn uuids_are_v4_shaped_and_distinct() {
        let a = uuid_v4();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, uuid_v4());
    }
}
