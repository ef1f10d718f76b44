//! The publish job: one publication record sent to its destination, exactly once whatever
//! crashes. The record moves to `sending` in its own transaction before anything goes out;
//! every attempt (a retry, a job rescued from a dead worker, a record left `unknown` by a
//! timeout) asks the destination for the post it may already have made before making one, so
//! the post exists once. The article becomes `published` in the transaction that records the
//! destination's confirmation, never before.

use super::outcome::{SendFailure, Sent};
use super::send::send;
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::*;
use pressroom_queue::{JobContext, JobError, NewJob};
use pressroom_store::PublicationOutcome;
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

fn retry(e: PipelineError) -> JobError {
    JobError::retry(e.to_string())
}

#[tracing::instrument(name = "publish", skip_all, fields(account = job.account.get(), publication = job.publication.get()))]
pub async fn run_publish_job(
    p: Pipeline,
    ctx: JobContext,
    job: PublishJob,
) -> Result<(), JobError> {
    let (account, id) = (job.account, job.publication);
    let record = p
        .db()
        .publication(account, id)
        .await
        .map_err(|e| retry(e.into()))?;
    // Published or taken down since it was queued: a new send needs a new queueing (which
    // moves it back to pending first).
    if matches!(
        record.status,
        PublicationStatus::Published | PublicationStatus::Unpublished
    ) {
        return Ok(());
    }
    // Held, or moved to a later slot after this job was handed over: the tick hands it over
    // again when its slot comes.
    if waiting(&record, p.now()) {
        return Ok(());
    }
    let destination = p
        .db()
        .destination(account, record.destination_id)
        .await
        .map_err(|e| retry(e.into()))?;
    let content = p
        .db()
        .content(account, record.content_id)
        .await
        .map_err(|e| retry(e.into()))?;
    if let Some(why) = refusal(&destination, &content, &record) {
        finish(&p, &record, &content, failed(why))
            .await
            .map_err(retry)?;
        return Ok(());
    }
    // Checked again under the record's lock: a hold or a later slot set since the read
    // above wins, and nothing goes out.
    if !begin(&p, account, id).await.map_err(retry)? {
        return Ok(());
    }
    let sent = send(&p, &destination, &record, &content).await;
    match sent {
        Ok(sent) => {
            let done = finish(&p, &record, &content, published(&sent, &content))
                .await
                .map_err(retry)?;
            tracing::info!(url = done.url.as_deref().unwrap_or(""), "published");
            if let Some(target) = sent.live_target {
                super::check::check_live(&p, &destination, &done, &target).await;
            }
            Ok(())
        }
        Err(failure) => {
            let (outcome, job_error) = after_failure(failure, ctx.is_last_attempt());
            tracing::warn!(error = outcome.error.as_deref().unwrap_or(""), status = %outcome.status, "publish failed");
            finish(&p, &record, &content, outcome)
                .await
                .map_err(retry)?;
            job_error.map_or(Ok(()), Err)
        }
    }
}

/// Why this record must not be sent at all (no retry can change it), if so.
fn refusal(d: &Destination, c: &Content, r: &Publication) -> Option<String> {
    if d.status != DestinationStatus::Active {
        return Some(format!("destination {} ({}) was removed", d.id, d.name));
    }
    if !matches!(c.status, ContentStatus::Approved | ContentStatus::Published) {
        return Some(format!("article {} is {}, not approved", c.id, c.status));
    }
    if c.offline && !r.force_offline {
        return Some(format!(
            "article {} is an offline sample, not for a live site; publish it with force (--force-offline) if you mean it",
            c.id
        ));
    }
    None
}

/// A pending record that is held or whose slot has not come: not to be sent now.
fn waiting(r: &Publication, now: TimestampMs) -> bool {
    let not_yet = r.scheduled_at.is_none_or(|at| at > now);
    r.status == PublicationStatus::Pending && (r.held || not_yet)
}

/// Moves the record to `sending` unless, read under its lock, it is waiting (held, later
/// slot) or no longer to be sent; false when nothing is to go out.
async fn begin(p: &Pipeline, account: AccountId, id: PublicationId) -> Result<bool> {
    let mut tx = p.db().begin().await?;
    let current = tx.publication_for_update(account, id).await?;
    let gone = matches!(
        current.status,
        PublicationStatus::Published | PublicationStatus::Unpublished
    );
    if gone || waiting(&current, p.now()) {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.begin_sending(account, id).await?;
    tx.commit().await?;
    Ok(true)
}

fn failed(error: String) -> PublicationOutcome {
    PublicationOutcome {
        status: PublicationStatus::Failed,
        external_id: None,
        url: None,
        error: Some(error),
        seo_report: None,
        sent_version: None,
    }
}

fn published(sent: &Sent, content: &Content) -> PublicationOutcome {
    PublicationOutcome {
        status: PublicationStatus::Published,
        external_id: Some(sent.external_id.clone()),
        url: sent.url.clone(),
        error: sent.warning.clone(),
        seo_report: sent.seo_report.clone(),
        sent_version: Some(content.updated_at),
    }
}

/// The record's state after a failed attempt and what the queue should do with the job.
fn after_failure(f: SendFailure, last_attempt: bool) -> (PublicationOutcome, Option<JobError>) {
    match f {
        // No attempt follows: failed (not left `unknown` with nothing behind it), saying the
        // post may exist; publishing again finds it before making one.
        SendFailure::Ambiguous(m) if last_attempt => (
            failed(format!(
                "{m}; the post may exist at the destination: publishing again finds it"
            )),
            None,
        ),
        // The post may exist: the next attempt looks for it before making one.
        SendFailure::Ambiguous(m) => (
            PublicationOutcome {
                status: PublicationStatus::Unknown,
                ..failed(m.clone())
            },
            Some(JobError::retry(m)),
        ),
        SendFailure::RateLimited {
            message,
            retry_after,
        } => (
            failed(message.clone()),
            Some(JobError::retry_after(retry_after, message)),
        ),
        SendFailure::Transient(m) => (failed(m.clone()), Some(JobError::retry(m))),
        SendFailure::Permanent(m) => (failed(m), None),
    }
}

/// Records the outcome; a confirmed post makes the article `published` in the same
/// transaction. A record that is not `sending` yet (refused before sending) goes through
/// `sending` so every write is a checked move.
async fn finish(
    p: &Pipeline,
    record: &Publication,
    content: &Content,
    outcome: PublicationOutcome,
) -> Result<Publication> {
    let account = record.account_id;
    let mut tx = p.db().begin().await?;
    let current = tx.publication_for_update(account, record.id).await?;
    if current.status != PublicationStatus::Sending {
        tx.begin_sending(account, record.id).await?;
    }
    let done = tx.finish_publication(account, record.id, &outcome).await?;
    // Decided from the article as it is now (locked), not as the job first read it.
    if outcome.status == PublicationStatus::Published {
        let now = tx.content_for_update(account, content.id).await?.status;
        if now == ContentStatus::Approved {
            tx.move_status(account, content.id, ContentStatus::Published)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(done)
}
