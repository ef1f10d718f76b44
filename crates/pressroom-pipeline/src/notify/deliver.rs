//! Sending one delivery: sign the stored body with the webhook's secret and a timestamp, POST
//! it through the outbound guard, log the attempt. A 2xx is delivered; anything else is tried
//! again later until the last attempt, except what no retry can fix (an address the guard
//! refuses, a removed webhook, a secret that cannot be opened), which fails at once.

use crate::context::Pipeline;
use hmac::{Hmac, Mac};
use pressroom_domain::*;
use pressroom_providers::DownloadError;
use pressroom_queue::{JobContext, JobError};
use pressroom_store::Attempt;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::Duration;

pub const DELIVER_JOB: &str = "webhook.deliver";
pub const WEBHOOKS_QUEUE: &str = "webhooks";
/// Unix seconds when the delivery was signed; part of what is signed, so a receiver can
/// refuse old replays.
pub const TIMESTAMP_HEADER: &str = "x-pressroom-timestamp";
/// `sha256=` and the hex HMAC-SHA256 of `{timestamp}.{body}` under the webhook's secret.
pub const SIGNATURE_HEADER: &str = "x-pressroom-signature";
const EVENT_HEADER: &str = "x-pressroom-event";
const DELIVERY_HEADER: &str = "x-pressroom-delivery";
/// How long a receiver has to answer.
const RECEIVER_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverJob {
    pub account: AccountId,
    pub delivery: DeliveryId,
}

/// The signature header's value for `body` signed at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The wait before attempt `attempt + 1`: 30 s, 2 min, 8 min, 32 min, 2 h 8 min, then 6 h:
/// with 10 attempts, a receiver down for about a day still gets the event.
fn retry_delay(attempt: i64) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 10)).unwrap_or(10);
    Duration::from_secs(30u64.saturating_mul(4u64.saturating_pow(exp)))
        .min(Duration::from_secs(6 * 3600))
}

#[tracing::instrument(name = "webhook", skip_all, fields(account = job.account.get(), delivery = job.delivery.get()))]
pub async fn run_delivery_job(
    p: Pipeline,
    ctx: JobContext,
    job: DeliverJob,
) -> Result<(), JobError> {
    let db = p.db();
    let retry = |e: &dyn std::fmt::Display| JobError::retry(e.to_string());
    let delivery = db
        .delivery(job.account, job.delivery)
        .await
        .map_err(|e| retry(&e))?;
    if delivery.status != DeliveryStatus::Pending {
        return Ok(());
    }
    let (hook, sealed) = db
        .webhook_for_delivery(job.account, delivery.webhook_id)
        .await
        .map_err(|e| retry(&e))?;
    let give_up = |error: String| Attempt {
        status: DeliveryStatus::Failed,
        response_status: None,
        error: Some(error),
    };
    if hook.status != WebhookStatus::Active {
        db.record_attempt(
            job.account,
            delivery.id,
            &give_up("the webhook was removed".into()),
        )
        .await
        .map_err(|e| retry(&e))?;
        return Ok(());
    }
    // No secret key in this process: another process (with the key) or this one restarted
    // with it can still send it, so wait. A key that cannot open it never will.
    let secret_box = p.secrets().map_err(|e| retry(&e))?;
    let secret = match secret_box.open(&sealed) {
        Ok(s) => s,
        Err(e) => {
            db.record_attempt(job.account, delivery.id, &give_up(e.to_string()))
                .await
                .map_err(|e| retry(&e))?;
            return Ok(());
        }
    };
    let timestamp = p.now() / 1000;
    let headers = [
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, sign(&secret, timestamp, &delivery.body)),
        (EVENT_HEADER, delivery.event.as_str().to_string()),
        (DELIVERY_HEADER, delivery.id.to_string()),
    ];
    let sent = p
        .downloader()
        .post_json(&hook.url, &headers, delivery.body.clone(), RECEIVER_TIMEOUT)
        .await;
    let (response_status, error, permanent) = match sent {
        Ok(r) if (200..300).contains(&r.status) => (Some(i64::from(r.status)), None, false),
        // A receiver that moved answers the same next time: fix the URL, then send again.
        Ok(r) => (
            Some(i64::from(r.status)),
            Some(format!("HTTP {}: {}", r.status, r.snippet.trim())),
            (300..400).contains(&r.status),
        ),
        Err(e) => {
            let permanent = matches!(
                e,
                DownloadError::ForbiddenAddress { .. }
                    | DownloadError::Scheme(_)
                    | DownloadError::BadUrl(_)
            );
            (None, Some(e.to_string()), permanent)
        }
    };
    let Some(error) = error else {
        db.record_attempt(
            job.account,
            delivery.id,
            &Attempt {
                status: DeliveryStatus::Delivered,
                response_status,
                error: None,
            },
        )
        .await
        .map_err(|e| retry(&e))?;
        tracing::info!(status = ?response_status, "webhook delivered");
        return Ok(());
    };
    let last = permanent || ctx.is_last_attempt();
    let status = if last {
        DeliveryStatus::Failed
    } else {
        DeliveryStatus::Pending
    };
    db.record_attempt(
        job.account,
        delivery.id,
        &Attempt {
            status,
            response_status,
            error: Some(error.clone()),
        },
    )
    .await
    .map_err(|e| retry(&e))?;
    tracing::warn!(%error, last, "webhook delivery failed");
    if last {
        Ok(())
    } else {
        Err(JobError::retry_after(retry_delay(ctx.attempt()), error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_of_timestamp_dot_body() {
        // Known answer: HMAC-SHA256("key", "1.{}"), computed independently with
        // `printf '1.{}' | openssl dgst -sha256 -hmac key`.
        let sig = sign("key", 1, "{}");
        assert_eq!(
            sig,
            "sha256=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        assert_ne!(sign("key", 2, "{}"), sig, "the timestamp is signed");
        assert_ne!(sign("other", 1, "{}"), sig, "the secret is used");
    }

    #[test]
    fn retries_back_off_to_a_cap() {
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(2), Duration::from_secs(120));
        assert_eq!(
            retry_delay(5),
            Duration::from_secs(6 * 3600).min(Duration::from_secs(7680))
        );
        assert_eq!(retry_delay(9), Duration::from_secs(6 * 3600));
    }
}
