//! The publish job: one publication record sent to its destination.

use crate::context::{Pipeline, Result};
use pressroom_domain::{AccountId, PublicationId, TimestampMs};
use pressroom_queue::NewJob;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const PUBLISH_JOB: &str = "publish.send";
/// Its own queue: a slow WordPress never holds up run drivers or image jobs.
pub const PUBLISH_QUEUE: &str = "publish";
/// Attempts before a record is left `failed` for a person to look at.
const MAX_ATTEMPTS: i64 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishJob {
    pub account: AccountId,
    pub publication: PublicationId,
}

/// Queues the send of `publication` at `at` (`None`: now). Deduplicated per record while a
/// send is queued or running, so the scheduler's every-minute look and a person's "publish
/// now" never make two jobs for one record.
pub async fn enqueue_publication(
    p: &Pipeline,
    account: AccountId,
    publication: PublicationId,
    at: Option<TimestampMs>,
) -> Result<()> {
    let delay = at.map_or(0, |at| (at - p.now()).max(0));
    let job = NewJob::new(
        PUBLISH_JOB,
        &PublishJob {
            account,
            publication,
        },
    )?
    .queue(PUBLISH_QUEUE)
    .account(account)
    .dedupe_key(format!("publish:{publication}"))
    .delay(Duration::from_millis(delay as u64))
    .max_attempts(MAX_ATTEMPTS);
    p.queue().enqueue(job).await?;
    Ok(())
}
