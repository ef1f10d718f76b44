//! Event bodies and their announcement inside the caller's transaction.

use super::deliver::{DELIVER_JOB, DeliverJob, WEBHOOKS_QUEUE};
use crate::context::Result;
use pressroom_domain::*;
use pressroom_queue::{NewJob, Queue};
use pressroom_store::Tx;
use serde_json::{Value, json};

/// Most attempts a delivery gets: about 27 hours of retries (`deliver::retry_delay`).
const DELIVERY_ATTEMPTS: i64 = 10;

/// Creates a delivery of `event` for each of the account's webhooks that wants it (`only`:
/// just that one) and queues their jobs, all in `tx`. The body is fixed here, so every retry
/// sends (and signs) the same bytes. On SQLite wake the webhooks queue after the commit.
pub async fn announce_in(
    tx: &mut Tx,
    account: AccountId,
    event: WebhookEvent,
    data: Value,
    now: TimestampMs,
    only: Option<WebhookId>,
) -> Result<Vec<DeliveryId>> {
    let body = json!({
        "event": event.as_str(),
        "account_id": account.get(),
        "created_at": now,
        "data": data,
    })
    .to_string();
    let ids = tx.create_deliveries(account, event, &body, only).await?;
    enqueue_deliveries_in(tx, account, &ids).await?;
    Ok(ids)
}

/// Queues the jobs that send `deliveries`, in `tx`. One live job per delivery (its dedupe key).
pub(super) async fn enqueue_deliveries_in(
    tx: &mut Tx,
    account: AccountId,
    deliveries: &[DeliveryId],
) -> Result<()> {
    let jobs = deliveries
        .iter()
        .map(|&delivery| {
            Ok(NewJob::new(DELIVER_JOB, &DeliverJob { account, delivery })?
                .queue(WEBHOOKS_QUEUE)
                .account(account)
                .dedupe_key(format!("webhook-delivery:{delivery}"))
                .max_attempts(DELIVERY_ATTEMPTS))
        })
        .collect::<Result<Vec<_>, pressroom_queue::QueueError>>()?;
    Queue::enqueue_in(tx, &jobs).await?;
    Ok(())
}

/// Announces a run's final status (`completed`, `awaiting_review` or `failed`), and
/// `images-failed` too when any of its images failed. Called in the transaction that moves
/// the run to that status.
pub async fn run_finished_in(
    tx: &mut Tx,
    run: &AutomationRun,
    status: RunStatus,
    site_name: &str,
    now: TimestampMs,
) -> Result<()> {
    let event = match status {
        RunStatus::Completed => WebhookEvent::RunCompleted,
        RunStatus::AwaitingReview => WebhookEvent::RunAwaitingReview,
        RunStatus::Failed => WebhookEvent::RunFailed,
        _ => return Ok(()),
    };
    let images_failed = run
        .stage_results
        .get(usize::from(Stage::ImagePromptsToImages.number() - 1))
        .map_or(0, |r| r.failed);
    let data = json!({
        "run": {
            "id": run.id.get(),
            "status": status.as_str(),
            "trigger": run.trigger.as_str(),
            "credits_used": run.credits_used,
            "failed_items": run.failed_items(),
            "error": run.error,
        },
        "site": {"id": run.site_id.get(), "name": site_name},
    });
    announce_in(tx, run.account_id, event, data.clone(), now, None).await?;
    if images_failed > 0 {
        let mut data = data;
        data["images_failed"] = json!(images_failed);
        announce_in(
            tx,
            run.account_id,
            WebhookEvent::ImagesFailed,
            data,
            now,
            None,
        )
        .await?;
    }
    Ok(())
}
