//! Webhook destinations through the publish job: the article as signed JSON
//! ([`super::webhook`]), its answer in the job's terms; a ping for "test connection"; a signed
//! `article.unpublished` when it is taken down.

use super::destinations::open_secret;
use super::outcome::{SendFailure, Sent};
use super::webhook::{self, WebhookSendError};
use crate::article::load_article;
use crate::context::Pipeline;
use pressroom_domain::*;
use serde_json::json;

impl From<WebhookSendError> for SendFailure {
    fn from(e: WebhookSendError) -> SendFailure {
        match e {
            WebhookSendError::Ambiguous(_) => SendFailure::Ambiguous(e.to_string()),
            WebhookSendError::RateLimited { retry_after } => SendFailure::RateLimited {
                message: e.to_string(),
                retry_after,
            },
            WebhookSendError::Retryable(_) => SendFailure::Transient(e.to_string()),
            WebhookSendError::Permanent(_) => SendFailure::Permanent(e.to_string()),
        }
    }
}

pub(super) async fn deliver(
    p: &Pipeline,
    d: &Destination,
    record: &Publication,
    content: &Content,
) -> Result<Sent, SendFailure> {
    let secret = open_secret(p, d).await?;
    let view = load_article(p, content.account_id, content.id, &webhook::urls()).await?;
    let body = webhook::load_payload(p, content.account_id, &view, record, &d.options).await?;
    let answer = webhook::send(p, d, &secret, body.to_string()).await?;
    Ok(Sent {
        // A receiver has no post id of its own to give; the key it dedupes on stands for it.
        external_id: webhook::idempotency_key(record, content.updated_at),
        url: answer.url,
        seo_report: None,
        warning: answer.url_refused,
        // Only the destination's own host would be fetched; a receiver's answer is not
        // checked live (the receiver publishes elsewhere, in its own time).
        live_target: None,
    })
}

/// A signed `ping`: the receiver's answer, or what went wrong.
pub(super) async fn ping(p: &Pipeline, d: &Destination) -> Result<String, String> {
    let secret = open_secret(p, d).await.map_err(|e| e.to_string())?;
    let body = json!({
        "event": "ping",
        "idempotency_key": format!("ping:{}:{}", d.id, p.now()),
        "destination_id": d.id,
    });
    match webhook::send(p, d, &secret, body.to_string()).await {
        Ok(a) => Ok(format!(
            "the receiver at {} answered HTTP {}",
            d.url, a.status
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Tells the receiver to take the article down (signed `article.unpublished`).
pub(super) async fn tell_unpublished(
    p: &Pipeline,
    d: &Destination,
    record: &Publication,
) -> Result<(), String> {
    let secret = open_secret(p, d).await.map_err(|e| e.to_string())?;
    let body = json!({
        "event": "article.unpublished",
        "idempotency_key": format!("publication:{}:unpublished:{}", record.id, p.now()),
        "publication": {"id": record.id, "destination_id": record.destination_id},
        "article": {"id": record.content_id, "url": record.url},
    });
    webhook::send(p, d, &secret, body.to_string())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
