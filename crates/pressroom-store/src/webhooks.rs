//! Webhooks and their delivery log. A webhook's secret is stored only sealed (the caller
//! seals it with [`crate::SecretBox`]); removing a webhook keeps it as `removed` so its
//! deliveries stay readable. Deliveries are created in the transaction of the event they tell
//! of (a run's final status), so an event is announced if and only if it happened.

use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

const HOOK_COLS: &str = "id, account_id, url, events, status, created_at";
const DELIVERY_COLS: &str = "id, account_id, webhook_id, event, body, status, attempts, response_status, error, created_at, delivered_at";

type HookRow = (i64, i64, String, String, String, i64);
type DeliveryRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    i64,
    Option<i64>,
);

fn hook_from(r: HookRow) -> Result<Webhook> {
    let events: Vec<String> = serde_json::from_str(&r.3).map_err(|e| StoreError::Corrupt {
        what: "webhook events",
        detail: format!("webhook {}: {e}", r.0),
    })?;
    Ok(Webhook {
        id: WebhookId::new(r.0),
        account_id: AccountId::new(r.1),
        url: r.2,
        events: events
            .iter()
            .map(|e| WebhookEvent::parse(e))
            .collect::<Result<_, _>>()?,
        status: WebhookStatus::parse(&r.4)?,
        created_at: r.5,
    })
}

fn delivery_from(r: DeliveryRow) -> Result<Delivery> {
    Ok(Delivery {
        id: DeliveryId::new(r.0),
        account_id: AccountId::new(r.1),
        webhook_id: WebhookId::new(r.2),
        event: WebhookEvent::parse(&r.3)?,
        body: r.4,
        status: DeliveryStatus::parse(&r.5)?,
        attempts: r.6,
        response_status: r.7,
        error: r.8,
        created_at: r.9,
        delivered_at: r.10,
    })
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub status: DeliveryStatus,
    pub response_status: Option<i64>,
    pub error: Option<String>,
}

impl Db {
    /// Adds a webhook; `sealed_secret` is its signing secret sealed by the caller.
    pub async fn create_webhook(
        &self,
        account: AccountId,
        url: &str,
        sealed_secret: &str,
        events: &[WebhookEvent],
    ) -> Result<Webhook> {
        if events.is_empty() {
            return Err(DomainError::InvalidValue {
                field: "events",
                value: "none".into(),
            }
            .into());
        }
        let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
        let events = serde_json::to_string(&names).map_err(|e| StoreError::Corrupt {
            what: "webhook events",
            detail: e.to_string(),
        })?;
        let row: HookRow = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO webhooks (account_id, url, sealed_secret, events, status, created_at)
             VALUES ($1, $2, $3, $4, 'active', $5) RETURNING {HOOK_COLS}")))
            .bind(account.get()).bind(url).bind(sealed_secret).bind(&events).bind(now_ms())
            .fetch_one(p).await)?;
        hook_from(row)
    }

    /// The account's webhooks, removed ones too (their deliveries are still listed), by id.
    pub async fn webhooks(&self, account: AccountId) -> Result<Vec<Webhook>> {
        let rows: Vec<HookRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 ORDER BY id")))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(hook_from).collect()
    }

    pub async fn webhook(&self, account: AccountId, id: WebhookId) -> Result<Webhook> {
        let row: Option<HookRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        hook_from(row.ok_or_else(|| StoreError::not_found("webhook", id))?)
    }

    /// The webhook and its sealed secret, for signing a delivery.
    pub async fn webhook_for_delivery(
        &self,
        account: AccountId,
        id: WebhookId,
    ) -> Result<(Webhook, String)> {
        let row: Option<(String, i64, i64, String, String, String, i64)> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT sealed_secret, {HOOK_COLS} FROM webhooks WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        let (sealed, a, b, c, d, e, f) = row.ok_or_else(|| StoreError::not_found("webhook", id))?;
        Ok((hook_from((a, b, c, d, e, f))?, sealed))
    }

    /// Stops sending to the webhook; its deliveries stay readable. Pending ones are not sent.
    pub async fn remove_webhook(&self, account: AccountId, id: WebhookId) -> Result<Webhook> {
        let row: Option<HookRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE webhooks SET status = 'removed' WHERE account_id = $1 AND id = $2 RETURNING {HOOK_COLS}")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        hook_from(row.ok_or_else(|| StoreError::not_found("webhook", id))?)
    }

    /// A webhook's deliveries, newest first, at most `limit`.
    pub async fn deliveries(
        &self,
        account: AccountId,
        webhook: WebhookId,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let rows: Vec<DeliveryRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE account_id = $1 AND webhook_id = $2
             ORDER BY id DESC LIMIT $3")))
            .bind(account.get()).bind(webhook.get()).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(delivery_from).collect()
    }

    pub async fn delivery(&self, account: AccountId, id: DeliveryId) -> Result<Delivery> {
        let row: Option<DeliveryRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        delivery_from(row.ok_or_else(|| StoreError::not_found("webhook delivery", id))?)
    }

    /// Records one attempt of a pending delivery: the count goes up and the outcome is kept.
    /// A settled one (delivered or failed) is left as it is: a late duplicate attempt (a job
    /// rescued while its first run was still out) never turns an outcome around.
    pub async fn record_attempt(
        &self,
        account: AccountId,
        id: DeliveryId,
        attempt: &Attempt,
    ) -> Result<Delivery> {
        let delivered_at = (attempt.status == DeliveryStatus::Delivered).then(now_ms);
        let row: Option<DeliveryRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $1, response_status = $2,
                 error = $3, delivered_at = $4
             WHERE account_id = $5 AND id = $6 AND status = 'pending' RETURNING {DELIVERY_COLS}")))
            .bind(attempt.status.as_str()).bind(attempt.response_status).bind(&attempt.error)
            .bind(delivered_at).bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        match row {
            Some(r) => delivery_from(r),
            None => self.delivery(account, id).await,
        }
    }
}

impl Tx {
    /// A delivery not yet delivered back to `pending` for another round of attempts (its
    /// count goes on); `None` when it was delivered or is not the account's.
    pub async fn reopen_delivery(
        &mut self,
        account: AccountId,
        id: DeliveryId,
    ) -> Result<Option<Delivery>> {
        let row: Option<DeliveryRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE webhook_deliveries SET status = 'pending', error = NULL
             WHERE account_id = $1 AND id = $2 AND status <> 'delivered' RETURNING {DELIVERY_COLS}")))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.map(delivery_from).transpose()
    }

    /// Creates a pending delivery of `event` with `body` for each of the account's active
    /// webhooks that wants it (`only`: just that one, for a test ping). Returns their ids.
    pub async fn create_deliveries(
        &mut self,
        account: AccountId,
        event: WebhookEvent,
        body: &str,
        only: Option<WebhookId>,
    ) -> Result<Vec<DeliveryId>> {
        let rows: Vec<HookRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 AND status = 'active'
               AND ($2 IS NULL OR id = $2) ORDER BY id")))
            .bind(account.get()).bind(only.map(|w| w.get())).fetch_all(c).await)?;
        let mut ids = Vec::new();
        for hook in rows.into_iter().map(hook_from) {
            let hook = hook?;
            if !hook.wants(event) {
                continue;
            }
            let id: i64 = on_conn!(self, c => sqlx::query_scalar(
                "INSERT INTO webhook_deliveries (account_id, webhook_id, event, body, status, attempts, created_at)
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5) RETURNING id")
                .bind(account.get()).bind(hook.id.get()).bind(event.as_str()).bind(body).bind(now_ms())
                .fetch_one(c).await)?;
            ids.push(DeliveryId::new(id));
        }
        Ok(ids)
    }
}
