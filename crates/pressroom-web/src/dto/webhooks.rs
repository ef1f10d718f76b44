//! Webhooks and their delivery log.

use pressroom_domain::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: i64,
    pub url: String,
    /// run-completed, run-failed, run-awaiting-review, images-failed.
    pub events: Vec<String>,
    /// active or removed.
    pub status: String,
    pub created_at: i64,
}

impl From<Webhook> for WebhookDto {
    fn from(w: Webhook) -> WebhookDto {
        WebhookDto {
            id: w.id.get(),
            events: w.events.iter().map(|e| e.as_str().to_string()).collect(),
            url: w.url,
            status: w.status.to_string(),
            created_at: w.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookBody {
    pub url: String,
    /// Event names; empty or absent means all.
    #[serde(default)]
    pub events: Vec<String>,
}

/// A webhook just added and its signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedWebhookDto {
    pub webhook: WebhookDto,
    /// Verify deliveries with it: `x-pressroom-signature` is `sha256=` + hex
    /// HMAC-SHA256(secret, `{x-pressroom-timestamp}.{body}`).
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub response_status: Option<i64>,
    pub error: Option<String>,
    /// The exact JSON body sent (and signed).
    pub body: String,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> DeliveryDto {
        DeliveryDto {
            id: d.id.get(),
            webhook_id: d.webhook_id.get(),
            event: d.event.to_string(),
            status: d.status.to_string(),
            attempts: d.attempts,
            response_status: d.response_status,
            error: d.error,
            body: d.body,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PingDto {
    /// The delivery queued for the ping.
    pub delivery: i64,
}
