//! The webhook use cases the CLI, API and web page share.

use super::deliver::WEBHOOKS_QUEUE;
use super::events::{announce_in, enqueue_deliveries_in};
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::webhook::URL_MAX_CHARS;
use pressroom_domain::*;
use pressroom_store::SecretBox;
use serde_json::json;

/// A webhook just added, with its signing secret: shown this once, then only kept sealed.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// Adds a webhook for `events`. The URL must be http(s) and not point at a loopback, private
/// or link-local address (unless the process allows loopback, for local receivers).
pub async fn add_webhook(
    p: &Pipeline,
    account: AccountId,
    url: &str,
    events: &[WebhookEvent],
) -> Result<NewWebhook> {
    let url = url.trim();
    if url.chars().count() > URL_MAX_CHARS {
        return Err(PipelineError::Invalid(format!(
            "url: longer than {URL_MAX_CHARS} characters"
        )));
    }
    p.downloader()
        .check_destination(url)
        .map_err(|e| PipelineError::Invalid(format!("url: {e}")))?;
    let events = webhook::parse_events(
        &events
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(","),
    )?;
    let secret = format!("whsec_{}", SecretBox::generate_hex());
    let sealed = p.secrets()?.seal(&secret);
    let webhook = p
        .db()
        .create_webhook(account, url, &sealed, &events)
        .await?;
    tracing::info!(webhook = webhook.id.get(), "webhook added");
    Ok(NewWebhook { webhook, secret })
}

pub async fn list_webhooks(p: &Pipeline, account: AccountId) -> Result<Vec<Webhook>> {
    Ok(p.db().webhooks(account).await?)
}

/// Stops sending to the webhook; its log stays.
pub async fn remove_webhook(p: &Pipeline, account: AccountId, id: WebhookId) -> Result<Webhook> {
    Ok(p.db().remove_webhook(account, id).await?)
}

/// A webhook's latest deliveries, newest first.
pub async fn deliveries(
    p: &Pipeline,
    account: AccountId,
    id: WebhookId,
    limit: u32,
) -> Result<Vec<Delivery>> {
    p.db().webhook(account, id).await?;
    Ok(p.db().deliveries(account, id, limit.clamp(1, 500)).await?)
}

/// Sends a `ping` to one webhook, through the queue like any event.
pub async fn ping_webhook(p: &Pipeline, account: AccountId, id: WebhookId) -> Result<DeliveryId> {
    let hook = p.db().webhook(account, id).await?;
    if hook.status != WebhookStatus::Active {
        return Err(PipelineError::Refused(format!(
            "webhook {id} was removed; add it again to send to it"
        )));
    }
    let mut tx = p.db().begin().await?;
    let ids = announce_in(
        &mut tx,
        account,
        WebhookEvent::Ping,
        json!({"message": "a test delivery from Pressroom"}),
        p.now(),
        Some(id),
    )
    .await?;
    tx.commit().await?;
    p.queue().wake(WEBHOOKS_QUEUE);
    // No delivery: the webhook was removed between the check and the transaction.
    ids.into_iter().next().ok_or_else(|| {
        PipelineError::Refused(format!(
            "webhook {id} was removed; add it again to send to it"
        ))
    })
}

/// Sends a delivery again (the same body, freshly signed), e.g. a failed one after its
/// receiver was fixed: back to `pending` and queued, in one transaction. One still pending
/// keeps its queued job if it has one (its dedupe key), else gets a new one.
pub async fn resend_delivery(p: &Pipeline, account: AccountId, id: DeliveryId) -> Result<Delivery> {
    let delivery = p.db().delivery(account, id).await?;
    let hook = p.db().webhook(account, delivery.webhook_id).await?;
    if hook.status != WebhookStatus::Active {
        return Err(PipelineError::Refused(format!(
            "delivery {id} belongs to webhook {}, which was removed",
            hook.id
        )));
    }
    let mut tx = p.db().begin().await?;
    let Some(reopened) = tx.reopen_delivery(account, id).await? else {
        return Err(PipelineError::Refused(format!(
            "delivery {id} was delivered already; nothing to send again"
        )));
    };
    enqueue_deliveries_in(&mut tx, account, &[id]).await?;
    tx.commit().await?;
    p.queue().wake(WEBHOOKS_QUEUE);
    Ok(reopened)
}
