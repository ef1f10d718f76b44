//! What can go wrong when Pressroom talks to a provider, and whether trying again may help.
//! Messages never carry API keys: server messages are passed through [`redact`] before they
//! are stored in an error.

use std::time::Duration;
use thiserror::Error;

/// Every way a provider call can fail. `is_transient()` tells the caller (the job queue)
/// whether the same call may succeed later; the providers already retried transient HTTP
/// failures internally before returning one of these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProviderError {
    #[error("{provider} is not configured: {message}")]
    Config {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} rejected the request (HTTP {status}{}): {message}", code_suffix(.code))]
    Rejected {
        provider: &'static str,
        status: u16,
        code: Option<String>,
        message: String,
    },
    #[error("{provider} refused the API key (HTTP {status}); check the key for this site")]
    Unauthorized { provider: &'static str, status: u16 },
    #[error("{provider} account has no quota left ({message}); add billing or credits there")]
    QuotaExhausted {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} asked us to slow down (HTTP {status}){}", after_suffix(.retry_after))]
    RateLimited {
        provider: &'static str,
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("{provider} server error (HTTP {status}): {message}")]
    Server {
        provider: &'static str,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("{provider} did not answer within {after:?}")]
    Timeout {
        provider: &'static str,
        after: Duration,
    },
    #[error("could not reach {provider}: {message}")]
    Connection {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} sent a response Pressroom cannot read: {message}")]
    InvalidResponse {
        provider: &'static str,
        message: String,
    },
    #[error("model {model} ({provider}) did not return valid JSON for {schema}: {detail}")]
    MalformedContent {
        provider: &'static str,
        model: String,
        schema: String,
        detail: String,
    },
    #[error("model {model} ({provider}) refused: {message}")]
    Refused {
        provider: &'static str,
        model: String,
        message: String,
    },
    #[error("{provider} task failed ({code}): {message}")]
    TaskFailed {
        provider: &'static str,
        code: String,
        message: String,
    },
    #[error("image download refused: {0}")]
    Download(#[from] DownloadError),
    #[error("offline title card could not be rendered: {0}")]
    Render(String),
}

fn code_suffix(code: &Option<String>) -> String {
    code.as_deref()
        .map(|c| format!(", {c}"))
        .unwrap_or_default()
}

fn after_suffix(after: &Option<Duration>) -> String {
    after
        .map(|d| format!("; retry after {} ms", d.as_millis()))
        .unwrap_or_default()
}

impl ProviderError {
    /// May the same call succeed if tried again later? Client errors, bad keys, exhausted
    /// quota and refused downloads will not; throttling, server trouble, network trouble and
    /// a model's malformed answer (models are not deterministic) may.
    pub fn is_transient(&self) -> bool {
        match self {
            ProviderError::RateLimited { .. }
            | ProviderError::Server { .. }
            | ProviderError::Timeout { .. }
            | ProviderError::Connection { .. }
            | ProviderError::MalformedContent { .. } => true,
            ProviderError::Download(d) => d.is_transient(),
            _ => false,
        }
    }

    /// Whether the HTTP layer retries this error inside one provider call, and the wait the
    /// server asked for. Malformed content is not retried here: it was billed, and the job
    /// queue decides whether to pay for another attempt.
    pub(crate) fn retry_hint(&self) -> Option<Option<Duration>> {
        match self {
            ProviderError::RateLimited { retry_after, .. }
            | ProviderError::Server { retry_after, .. } => Some(*retry_after),
            ProviderError::Timeout { .. } | ProviderError::Connection { .. } => Some(None),
            _ => None,
        }
    }

    /// A short machine-friendly name for logs and usage rows.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderError::Config { .. } => "config",
            ProviderError::Rejected { .. } => "rejected",
            ProviderError::Unauthorized { .. } => "unauthorized",
            ProviderError::QuotaExhausted { .. } => "quota_exhausted",
            ProviderError::RateLimited { .. } => "rate_limited",
            ProviderError::Server { .. } => "server_error",
            ProviderError::Timeout { .. } => "timeout",
            ProviderError::Connection { .. } => "connection",
            ProviderError::InvalidResponse { .. } => "invalid_response",
            ProviderError::MalformedContent { .. } => "malformed_content",
            ProviderError::Refused { .. } => "refused",
            ProviderError::TaskFailed { .. } => "task_failed",
            ProviderError::Download(_) => "download",
            ProviderError::Render(_) => "render",
        }
    }
}

/// Why an image URL was not downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DownloadError {
    #[error("not a valid URL: {0}")]
    BadUrl(String),
    #[error("scheme {0:?} is not allowed; only http and https")]
    Scheme(String),
    #[error(
        "{host} resolves to {ip}, a loopback, private, link-local or otherwise internal address"
    )]
    ForbiddenAddress { host: String, ip: std::net::IpAddr },
    #[error("could not resolve {host}: {message}")]
    Resolve { host: String, message: String },
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    #[error("redirect (HTTP {0}) without a usable Location header")]
    BadRedirect(u16),
    #[error("HTTP {0} from the image server")]
    Http(u16),
    #[error("image is larger than the {cap}-byte limit")]
    TooLarge { cap: u64 },
    #[error("download took longer than {0:?}")]
    Timeout(Duration),
    #[error("connection failed: {0}")]
    Connection(String),
    #[error("the bytes are not a PNG, JPEG, WebP or GIF image: {0}")]
    NotAnImage(String),
    #[error("could not store the image: {0}")]
    Io(String),
}

impl DownloadError {
    /// After a failed POST: might the receiver have the request anyway? A timeout after
    /// connecting, or a connection lost after it was made, may be; a refusal by the guard, a
    /// name that did not resolve or a connection never made cannot.
    pub fn maybe_delivered(&self) -> bool {
        match self {
            DownloadError::Timeout(_) => true,
            // `transport_error` names failures to connect "connect error".
            DownloadError::Connection(m) => !m.starts_with("connect error"),
            _ => false,
        }
    }

    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::Http(s) => *s == 408 || *s == 429 || *s >= 500,
            DownloadError::Timeout(_)
            | DownloadError::Connection(_)
            | DownloadError::Resolve { .. } => true,
            _ => false,
        }
    }
}

/// Removes `secret` from `text` and caps its length, so a server that echoes a key (or a
/// huge HTML error page) cannot put it into logs or the database.
pub fn redact(text: &str, secret: &str) -> String {
    let mut out = if secret.len() >= 4 {
        text.replace(secret, "[redacted]")
    } else {
        text.to_string()
    };
    const MAX: usize = 500;
    if out.len() > MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_classification() {
        let p = "openai";
        assert!(
            ProviderError::RateLimited {
                provider: p,
                status: 429,
                retry_after: None
            }
            .is_transient()
        );
        assert!(
            !ProviderError::QuotaExhausted {
                provider: p,
                message: "x".into()
            }
            .is_transient()
        );
        assert!(
            !ProviderError::Unauthorized {
                provider: p,
                status: 401
            }
            .is_transient()
        );
        assert!(
            ProviderError::Rejected {
                provider: p,
                status: 400,
                code: None,
                message: "bad".into()
            }
            .retry_hint()
            .is_none()
        );
    }

    #[test]
    fn redact_removes_keys_and_caps_length() {
        let s = redact("Incorrect API key provided: sk-secret-123", "sk-secret-123");
        assert!(!s.contains("sk-secret-123"));
        let long = "é".repeat(1000);
        assert!(redact(&long, "").len() <= 503);
    }
}
