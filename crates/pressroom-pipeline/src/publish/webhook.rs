//! The webhook destination: an article sent as one signed JSON POST.
//!
//! The body is [`payload`]; it is signed like notifications (`x-pressroom-signature:
//! sha256=HMAC-SHA256(secret, "{timestamp}.{body}")`, `x-pressroom-timestamp`), and carries
//! `x-pressroom-event: article.published` and `x-pressroom-idempotency-key:
//! publication:{id}:{version}`, the same for every retry of one version, so a receiver that
//! got a send we could not confirm (a timeout) drops the repeat.
//!
//! Answers: a 2xx is delivered, and `{"url": "https://..."}` in it is where the article is
//! live; a 429 is rate-limited for its `Retry-After`; 408 and 5xx are tried again; any other
//! 3xx or 4xx is permanent (a retry would get the same). A timeout or a lost connection after
//! the request went out is ambiguous: the receiver may have it.

use crate::article::{ArticleView, Urls};
use crate::context::Pipeline;
use crate::notify::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use base64::Engine;
use pressroom_domain::publish::{DestinationOptions, ImagesInWebhook};
use pressroom_domain::{AccountId, Destination, Image, ImageType, Publication};
use pressroom_providers::{DownloadConfig, DownloadError, SafeDownloader};
use serde_json::{Value, json};
use std::path::{Component, Path};
use std::time::Duration;
use thiserror::Error;

pub const EVENT: &str = "article.published";
pub const EVENT_HEADER: &str = "x-pressroom-event";
pub const IDEMPOTENCY_HEADER: &str = "x-pressroom-idempotency-key";
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A 429 without a usable `Retry-After` waits this long.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Longest wait a receiver's `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How a webhook body refers to an article's pictures (`images/{image id}.{ext}`, each
/// listed in `article.images` with its `src`) and to other articles (`/{slug}/`, where the
/// receiver's site serves them). Load the [`ArticleView`] for [`payload`] with these.
pub fn urls() -> Urls<'static> {
    Urls {
        media: &|i: &Image| i.file_path.as_deref().map(|f| image_src(i, f)),
        article: &|l| format!("/{}/", l.target_slug),
    }
}

fn image_src(image: &Image, file_path: &str) -> String {
    let ext = Path::new(file_path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into());
    format!("images/{}.{ext}", image.id)
}

fn mime_of_extension(file_path: &str) -> &'static str {
    match Path::new(file_path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    }
}

/// `1024x768` -> (1024, 768).
fn size_of(size: &str) -> Option<(u32, u32)> {
    let (w, h) = size.split_once(['x', 'X'])?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

/// The idempotency key of sending `publication` at article version `version` (the article's
/// `updated_at`, what the record keeps as `sent_version`).
pub fn idempotency_key(publication: &Publication, version: i64) -> String {
    format!("publication:{}:{version}", publication.id)
}

/// The JSON body of a webhook publish. `images` are the article's pictures with their bytes
/// (`None`: not readable); bytes are inlined as base64 when the destination asks for it.
/// `categories` is empty: [`load_payload`] fills it from the article's cluster.
pub fn payload(
    view: &ArticleView,
    publication: &Publication,
    images: &[(Image, Option<Vec<u8>>)],
    options: &DestinationOptions,
) -> Value {
    let c = &view.content;
    let images: Vec<Value> = images
        .iter()
        .filter_map(|(i, bytes)| {
            let file_path = i.file_path.as_deref()?;
            // Decoded when present: the real size and format, not what was asked for.
            let verified = bytes
                .as_ref()
                .and_then(|b| pressroom_providers::verify_image(b.clone()).ok());
            let (width, height) = verified
                .as_ref()
                .map(|v| (v.width, v.height))
                .or_else(|| size_of(&i.size))
                .unzip();
            let mime = verified
                .as_ref()
                .map_or_else(|| mime_of_extension(file_path), |v| v.format.mime());
            let inline = options.images == ImagesInWebhook::Inline;
            Some(json!({
                "id": i.id,
                "featured": i.image_type == ImageType::Featured,
                "alt": i.alt_text,
                "section": i.section,
                "position": i.position,
                "src": image_src(i, file_path),
                "mime": mime,
                "sha256": verified.as_ref().map(|v| v.sha256.clone()).or_else(|| i.sha256.clone()),
                "width": width,
                "height": height,
                "data_base64": bytes.as_ref().filter(|_| inline)
                    .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
            }))
        })
        .collect();
    json!({
        "event": EVENT,
        "idempotency_key": idempotency_key(publication, c.updated_at),
        "publication": {"id": publication.id, "destination_id": publication.destination_id},
        "article": {
            "id": c.id,
            "version": c.version,
            "updated_at": c.updated_at,
            "title": c.title,
            "slug": c.slug,
            "excerpt": c.excerpt,
            "meta_title": c.meta_title,
            "meta_description": c.meta_description,
            "primary_keyword": c.primary_keyword,
            "secondary_keywords": c.secondary_keywords,
            "categories": [],
            "html": view.html,
            "markdown": view.markdown,
            "images": images,
        },
    })
}

/// [`payload`] for `view` (loaded with [`urls`]) with its pictures read from the media store
/// (only when they travel inline) and its cluster's name as the category.
pub async fn load_payload(
    p: &Pipeline,
    account: AccountId,
    view: &ArticleView,
    publication: &Publication,
    options: &DestinationOptions,
) -> crate::context::Result<Value> {
    let mut images = Vec::new();
    for i in &view.images {
        let bytes = match (&i.file_path, options.images) {
            (Some(f), ImagesInWebhook::Inline) => read_media(p, f).await,
            _ => None,
        };
        images.push((i.clone(), bytes));
    }
    let mut body = payload(view, publication, &images, options);
    let db = p.db();
    let cluster = db.cluster_of_content(account, view.content.id).await?;
    let name = db.cluster(account, cluster).await?.name;
    body["article"]["categories"] = json!([name]);
    Ok(body)
}

async fn read_media(p: &Pipeline, file_path: &str) -> Option<Vec<u8>> {
    let rel = Path::new(file_path);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    tokio::fs::read(p.media().root().join(rel)).await.ok()
}

/// A receiver's acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAnswer {
    pub status: u16,
    /// Where the receiver says the article is live (an http(s) URL).
    pub url: Option<String>,
    /// A `url` the receiver gave that is not an http(s) URL: not used, said why.
    pub url_refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookSendError {
    /// 429: try again after `retry_after`.
    #[error("the receiver is rate limiting (HTTP 429); retry in {}s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The request went out but no answer came: the receiver may have it.
    #[error("no answer after sending ({0}); the receiver may have the article")]
    Ambiguous(String),
    /// 408, 5xx, or a connection that could not be made: worth another try.
    #[error("{0}")]
    Retryable(String),
    /// What no retry fixes: a 3xx or 4xx, an address the guard refuses, a bad URL.
    #[error("{0}")]
    Permanent(String),
}

impl WebhookSendError {
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, WebhookSendError::Ambiguous(_))
    }
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            WebhookSendError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
    pub fn is_permanent(&self) -> bool {
        matches!(self, WebhookSendError::Permanent(_))
    }
}

/// `Retry-After` as seconds or an HTTP date, relative to `now_ms`; capped.
fn parse_retry_after(value: Option<&str>, now_ms: i64) -> Duration {
    let Some(v) = value.map(str::trim) else {
        return DEFAULT_RETRY_AFTER;
    };
    let wait = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else if let Ok(at) = jiff::fmt::rfc2822::parse(v) {
        let ms = at
            .timestamp()
            .as_millisecond()
            .saturating_sub(now_ms)
            .max(0);
        Duration::from_millis(ms as u64)
    } else {
        DEFAULT_RETRY_AFTER
    };
    wait.min(MAX_RETRY_AFTER)
}

/// The article's live URL from a 2xx answer's JSON `url`, if any.
fn live_url(body: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return (None, None);
    };
    let Some(raw) = v.get("url").and_then(Value::as_str) else {
        return (None, None);
    };
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            (Some(u.to_string()), None)
        }
        _ => (
            None,
            Some(format!("{raw:?} is not an http(s) URL; ignored")),
        ),
    }
}

/// Sends `body` (a [`payload`], serialised once and kept, so a retry sends the same bytes)
/// to `dest`, signed with `secret`, through the outbound guard; the receiver has 30 s.
pub async fn send(
    p: &Pipeline,
    dest: &Destination,
    secret: &str,
    body: String,
) -> Result<WebhookAnswer, WebhookSendError> {
    send_within(p, dest, secret, body, TIMEOUT).await
}

/// [`send`] with the receiver given `timeout` to answer.
pub async fn send_within(
    p: &Pipeline,
    dest: &Destination,
    secret: &str,
    body: String,
    timeout: Duration,
) -> Result<WebhookAnswer, WebhookSendError> {
    let parsed = serde_json::from_str::<Value>(&body).unwrap_or(Value::Null);
    let key = parsed["idempotency_key"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| WebhookSendError::Permanent("the body has no idempotency_key".into()))?;
    // The header names the body's event (`article.published`, `article.unpublished`, `ping`).
    let event = parsed["event"].as_str().unwrap_or(EVENT).to_string();
    let timestamp = p.now() / 1000;
    let headers = [
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, sign(secret, timestamp, &body)),
        (EVENT_HEADER, event),
        (IDEMPOTENCY_HEADER, key),
    ];
    let shared = p.downloader();
    // The resolver's rule is fixed when a client is built: a destination on a private
    // network gets a client of its own that allows it.
    let private;
    let downloader = if dest.options.allow_private && !shared.config().allow_private {
        private = SafeDownloader::new(DownloadConfig {
            allow_private: true,
            ..shared.config()
        });
        &private
    } else {
        shared
    };
    let posted = downloader
        .post_json(&dest.url, &headers, body, timeout)
        .await
        .map_err(|e| match e {
            e if e.maybe_delivered() => WebhookSendError::Ambiguous(e.to_string()),
            e @ (DownloadError::ForbiddenAddress { .. }
            | DownloadError::Scheme(_)
            | DownloadError::BadUrl(_)) => WebhookSendError::Permanent(e.to_string()),
            e => WebhookSendError::Retryable(e.to_string()),
        })?;
    let status = posted.status;
    let said = || format!("HTTP {status}: {}", posted.snippet.trim());
    match status {
        200..=299 => {
            let (url, url_refused) = live_url(&posted.body);
            Ok(WebhookAnswer {
                status,
                url,
                url_refused,
            })
        }
        429 => Err(WebhookSendError::RateLimited {
            retry_after: parse_retry_after(posted.retry_after.as_deref(), p.now()),
        }),
        408 | 500..=599 => Err(WebhookSendError::Retryable(said())),
        _ => Err(WebhookSendError::Permanent(said())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(Some("120"), 0), Duration::from_secs(120));
        assert_eq!(parse_retry_after(None, 0), DEFAULT_RETRY_AFTER);
        assert_eq!(parse_retry_after(Some("soon"), 0), DEFAULT_RETRY_AFTER);
        // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT.
        let now = 784_111_777_000 - 30_000;
        assert_eq!(
            parse_retry_after(Some("Sun, 06 Nov 1994 08:49:37 GMT"), now),
            Duration::from_secs(30)
        );
        assert_eq!(parse_retry_after(Some("99999999"), 0), MAX_RETRY_AFTER);
    }

    #[test]
    fn live_urls_must_be_http() {
        assert_eq!(
            live_url(r#"{"url":"https://blog.example/a/"}"#)
                .0
                .as_deref(),
            Some("https://blog.example/a/")
        );
        let (url, refused) = live_url(r#"{"url":"javascript:alert(1)"}"#);
        assert!(url.is_none() && refused.is_some());
        assert_eq!(live_url("ok"), (None, None));
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(size_of("1024x768"), Some((1024, 768)));
        assert_eq!(size_of("big"), None);
    }
}
