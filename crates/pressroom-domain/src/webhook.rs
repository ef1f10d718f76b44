//! Webhooks: where an account's notifications go, and the log of what was sent. The signing
//! itself (HMAC-SHA256) is the pipeline's; this is the data and its rules.

use crate::{
    AccountId, DeliveryId, DeliveryStatus, DomainError, TimestampMs, WebhookEvent, WebhookId,
    WebhookStatus,
};
use serde::{Deserialize, Serialize};

/// Longest webhook URL accepted.
pub const URL_MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub account_id: AccountId,
    pub url: String,
    /// The events it is sent; never empty.
    pub events: Vec<WebhookEvent>,
    pub status: WebhookStatus,
    pub created_at: TimestampMs,
}

impl Webhook {
    pub fn wants(&self, event: WebhookEvent) -> bool {
        self.status == WebhookStatus::Active
            && (event == WebhookEvent::Ping || self.events.contains(&event))
    }
}

/// One event sent (or being sent) to one webhook: the exact body signed, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub account_id: AccountId,
    pub webhook_id: WebhookId,
    pub event: WebhookEvent,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub response_status: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub created_at: TimestampMs,
    pub delivered_at: Option<TimestampMs>,
}

/// Parses `run-completed,run-failed` (or `all`) into a sorted, de-duplicated event list;
/// `ping` is implied for every webhook and not subscribed to.
pub fn parse_events(list: &str) -> Result<Vec<WebhookEvent>, DomainError> {
    let mut events = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "all" {
            events.extend(subscribable());
            continue;
        }
        let e = WebhookEvent::parse(part)?;
        if e == WebhookEvent::Ping {
            continue;
        }
        events.push(e);
    }
    events.sort_by_key(|e| e.as_str());
    events.dedup();
    if events.is_empty() {
        return Err(DomainError::InvalidValue {
            field: "events",
            value: format!(
                "{list:?} (name at least one of: {}, or all)",
                subscribable()
                    .map(WebhookEvent::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(events)
}

/// The events a webhook can subscribe to (all but `ping`).
pub fn subscribable() -> impl Iterator<Item = WebhookEvent> {
    WebhookEvent::ALL
        .iter()
        .copied()
        .filter(|e| *e != WebhookEvent::Ping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_dedupe_and_name_what_is_wrong() {
        assert_eq!(
            parse_events("run-failed, run-completed,run-failed").unwrap(),
            vec![WebhookEvent::RunCompleted, WebhookEvent::RunFailed]
        );
        assert_eq!(parse_events("all").unwrap().len(), 4);
        let e = parse_events("run-done").unwrap_err().to_string();
        assert!(e.contains("run-done"), "{e}");
        let e = parse_events(" , ping").unwrap_err().to_string();
        assert!(e.contains("run-completed"), "{e}");
    }
}
