//! What can go wrong sending an article, said so a person can fix it (never with the password),
//! and classified so the caller knows whether to retry, wait, or look before retrying.

use crate::outbound::GuardRefused;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("could not reach {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("TLS failed talking to {url}: {detail}")]
    Tls { url: String, detail: String },
    #[error("{url} does not look like WordPress: {detail}")]
    NotWordPress { url: String, detail: String },
    #[error("WordPress at {url} answers, but its REST API is disabled or blocked: {detail}")]
    RestDisabled { url: String, detail: String },
    #[error("WordPress refused user '{user}': {detail}")]
    Unauthorized { user: String, detail: String },
    #[error("WordPress user '{user}' lacks the '{cap}' capability: {why}")]
    MissingCapability {
        user: String,
        cap: String,
        why: String,
    },
    #[error("WordPress rejected the request to {route} ({status} {code}): {message}")]
    Rejected {
        route: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error(
        "no answer from {url} after the request was sent ({detail}); WordPress may have made the change"
    )]
    Ambiguous { url: String, detail: String },
    #[error("WordPress is rate limiting requests{}", retry_after.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error(
        "a post with slug '{slug}' (id {post_id}) already exists and was not made by Pressroom for this article; it is left alone"
    )]
    Conflict { slug: String, post_id: u64 },
    #[error("unexpected answer from {url}: {detail}")]
    BadResponse { url: String, detail: String },
    #[error(transparent)]
    Guard(#[from] GuardRefused),
    #[error("bad destination settings: {0}")]
    Config(String),
}

impl PublishError {
    /// The request went out and no answer came: the change may exist. Look before retrying
    /// (publishing again does: it finds the post by its marker).
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, PublishError::Ambiguous { .. })
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PublishError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// No retry can fix it: a person has to change the settings, the site or the article.
    pub fn is_permanent(&self) -> bool {
        match self {
            PublishError::Unreachable { .. }
            | PublishError::Ambiguous { .. }
            | PublishError::RateLimited { .. }
            | PublishError::BadResponse { .. } => false,
            PublishError::Rejected { status, .. } => {
                !(*status >= 500 || *status == 408 || *status == 409 || *status == 425)
            }
            PublishError::Tls { .. }
            | PublishError::NotWordPress { .. }
            | PublishError::RestDisabled { .. }
            | PublishError::Unauthorized { .. }
            | PublishError::MissingCapability { .. }
            | PublishError::Conflict { .. }
            | PublishError::Guard(_)
            | PublishError::Config(_) => true,
        }
    }

    /// A request that got no HTTP answer. `sent_change`: the request could have changed
    /// something (not a GET), so a timeout after connecting is ambiguous, not a plain failure.
    pub(crate) fn transport(err: reqwest::Error, url: &str, sent_change: bool) -> PublishError {
        let url = strip_query(url);
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        let mut chain = Vec::new();
        let mut tls = false;
        while let Some(e) = source {
            if let Some(refused) = e.downcast_ref::<GuardRefused>() {
                return PublishError::Guard(refused.clone());
            }
            tls |= is_tls(e);
            chain.push(e.to_string());
            source = e.source();
        }
        let detail = chain.join(": ");
        if tls {
            return PublishError::Tls { url, detail };
        }
        if err.is_connect() {
            return PublishError::Unreachable { url, detail };
        }
        if sent_change && (err.is_timeout() || err.is_request() || err.is_body()) {
            return PublishError::Ambiguous { url, detail };
        }
        PublishError::Unreachable { url, detail }
    }
}

/// rustls's error travels inside io::Errors (nested), whose source() skips what they wrap.
fn is_tls(mut e: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if e.is::<rustls::Error>() {
            return true;
        }
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => e = inner,
            None => return false,
        }
    }
}

/// URLs in messages without their query (it may carry search terms, never secrets, but
/// it is noise in an error).
fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}
