//! Outbound POSTs (webhook deliveries) under the downloader's guard: http(s) only, the address
//! connected to checked by the same resolver, no redirects followed (a receiver that moved is
//! a failed delivery, not a hop to wherever it points), a short timeout, the answer read only
//! up to a snippet for the delivery log.

use super::fetch::{SafeDownloader, transport_error};
use crate::error::DownloadError;
use reqwest::Url;
use std::time::Duration;

/// Most of a receiver's answer kept for the delivery log.
const SNIPPET_BYTES: usize = 500;
/// Most of a receiver's answer read at all: enough for a small JSON answer (a publishing
/// receiver's `{"url": ...}`), never a whole page.
const BODY_BYTES: usize = 16 * 1024;

/// What a receiver answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub status: u16,
    /// The start of its body, for the log.
    pub snippet: String,
    /// Its body up to 16 KiB (cut there), for a caller that reads an answer.
    pub body: String,
    /// Its `Retry-After` header, as sent (seconds or an HTTP date).
    pub retry_after: Option<String>,
}

impl SafeDownloader {
    /// POSTs `body` as JSON with `headers` to `url`; any HTTP answer is returned (the caller
    /// decides what a 500 means), transport failures and guard refusals are errors.
    pub async fn post_json(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: String,
        timeout: Duration,
    ) -> Result<Posted, DownloadError> {
        let url = Url::parse(url).map_err(|e| DownloadError::BadUrl(e.to_string()))?;
        self.check_url(&url)?;
        let client = self
            .client
            .as_ref()
            .map_err(|e| DownloadError::Connection(format!("HTTP client unavailable: {e}")))?;
        let mut req = client
            .post(url)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let mut resp = req.body(body).send().await.map_err(|e| {
            // Past connecting, the receiver may have the request: say so with `Timeout`
            // (see `DownloadError::maybe_delivered`).
            if e.is_timeout() && !e.is_connect() {
                DownloadError::Timeout(timeout)
            } else {
                transport_error(&e)
            }
        })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string());
        let mut bytes = Vec::new();
        // Stop reading once enough is read; the rest is never wanted.
        while bytes.len() < BODY_BYTES {
            match resp.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                _ => break,
            }
        }
        bytes.truncate(BODY_BYTES);
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let mut cut = SNIPPET_BYTES.min(body.len());
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        Ok(Posted {
            status,
            snippet: body[..cut].to_string(),
            body,
            retry_after,
        })
    }
}

impl SafeDownloader {
    /// Checks a destination URL when it is entered (a webhook's): http(s), a host, not an
    /// internal address literal and not a name that is local by definition (`localhost`,
    /// `*.localhost`, `*.local`, `*.internal`) unless loopback is allowed. Names are resolved
    /// and checked again on every send by the guarded resolver.
    pub fn check_destination(&self, url: &str) -> Result<(), DownloadError> {
        let parsed = Url::parse(url).map_err(|e| DownloadError::BadUrl(format!("{url:?}: {e}")))?;
        self.check_url(&parsed)?;
        if let Some(url::Host::Domain(name)) = parsed.host() {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost"
                || [".localhost", ".local", ".internal"]
                    .iter()
                    .any(|s| name.ends_with(s));
            if local && !self.config.allow_loopback {
                return Err(DownloadError::BadUrl(format!(
                    "{name} is a local name; a webhook must reach a public address"
                )));
            }
        }
        Ok(())
    }
}
