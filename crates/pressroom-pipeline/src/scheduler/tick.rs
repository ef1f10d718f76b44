//! The tick: the queue job that claims due slots and starts their runs.

use crate::context::{Pipeline, PipelineError, Result};
use crate::runs::start_run;
use pressroom_domain::*;
use pressroom_queue::{JobContext, JobError, NewJob};
use pressroom_store::{DueSite, SlotOutcome};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const TICK_JOB: &str = "scheduler.tick";
/// Its own queue, one slot per process: a slow tick never waits behind run drivers.
pub const SCHEDULER_QUEUE: &str = "scheduler";
const MINUTE_MS: i64 = 60_000;
/// Due sites read per page.
const PAGE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickJob {
    /// Minutes since the epoch this tick is for (its dedupe key).
    pub minute: i64,
}

fn tick_job(minute: i64, delay_ms: i64) -> Result<NewJob> {
    Ok(NewJob::new(TICK_JOB, &TickJob { minute })?
        .queue(SCHEDULER_QUEUE)
        .dedupe_key(format!("scheduler:tick:{minute}"))
        .delay(Duration::from_millis(delay_ms.max(0) as u64))
        // Each attempt queues the successor first: a database blip must not end the chain
        // until a process restarts, so a tick keeps trying (with the queue's backoff).
        .max_attempts(50))
}

/// Queues the tick for the current minute (deduplicated): `serve` and `worker` call this on
/// start, so slots missed while no process ran are caught up at once.
pub async fn start(p: &Pipeline) -> Result<()> {
    p.queue().enqueue(tick_job(p.now() / MINUTE_MS, 0)?).await?;
    Ok(())
}

/// The job handler: queue the next minute's tick first, then run what is due.
pub async fn run_tick_job(p: Pipeline, _ctx: JobContext, job: TickJob) -> Result<(), JobError> {
    let now = p.now();
    let next = job.minute.max(now / MINUTE_MS) + 1;
    // The delay is relative: the queue keeps its own clock.
    let successor = tick_job(next, next * MINUTE_MS - now).map_err(retry)?;
    p.queue()
        .enqueue(successor)
        .await
        .map_err(|e| retry(e.into()))?;
    run_due_slots(&p).await.map_err(retry)?;
    crate::publish::queue::enqueue_due(&p)
        .await
        .map_err(retry)?;
    Ok(())
}

fn retry(e: PipelineError) -> JobError {
    JobError::retry(e.to_string())
}

/// What one claimed slot came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotReport {
    pub account: AccountId,
    pub site: SiteId,
    pub slot_at: TimestampMs,
    pub outcome: SlotOutcome,
    pub run: Option<RunId>,
    pub detail: Option<String>,
}

/// Claims every due slot this process wins and starts its run; the slots other processes won
/// are not in the answer. All time is the pipeline's clock.
pub async fn run_due_slots(p: &Pipeline) -> Result<Vec<SlotReport>> {
    let now = p.now();
    let mut reports = Vec::new();
    loop {
        let due = p.db().due_sites(now, PAGE).await?;
        if due.is_empty() {
            return Ok(reports);
        }
        for d in due {
            if let Some(r) = claim_and_start(p, d, now).await? {
                reports.push(r);
            }
        }
    }
}

async fn claim_and_start(
    p: &Pipeline,
    due: DueSite,
    now: TimestampMs,
) -> Result<Option<SlotReport>> {
    let site = match p.db().site(due.account, due.site).await {
        Ok(site) => Some(site),
        Err(e) if e.is_transient() => return Err(e.into()),
        Err(e) => {
            tracing::warn!(site = due.site.get(), error = %e, "scheduled site unreadable");
            None
        }
    };
    // What to claim: the latest slot due, the next one after now, or, for a site whose
    // schedule no longer runs (turned off without a reschedule, a zone gone from the database,
    // settings that no longer load), no next slot and the reason, so it is not read again
    // every minute.
    let (slot_at, next, reason) = match &site {
        None => (
            due.slot_at,
            None,
            Some("the site's settings could not be read".to_string()),
        ),
        Some(site) => {
            let (schedule, tz) = (&site.settings.schedule, &site.settings.timezone);
            match (
                schedule.latest_slot_at_or_before(tz, now),
                schedule.next_slot_after(tz, now),
            ) {
                (Ok(Some(latest)), Ok(next)) => (latest.max(due.slot_at), next, None),
                (Ok(None), _) => (due.slot_at, None, Some("the schedule is off".to_string())),
                (Err(e), _) | (_, Err(e)) => (due.slot_at, None, Some(e.to_string())),
            }
        }
    };
    let Some(slot) = p.db().claim_slot(due, slot_at, next).await? else {
        return Ok(None);
    };
    let (outcome, run, detail) = match (&site, reason) {
        (Some(site), None) => start_scheduled_run(p, site).await?,
        (_, reason) => (SlotOutcome::Refused, None, reason),
    };
    p.db()
        .finish_slot(due.account, slot, outcome, run, detail.as_deref())
        .await?;
    tracing::info!(
        site = due.site.get(),
        slot_at,
        outcome = outcome.as_str(),
        "scheduled slot"
    );
    Ok(Some(SlotReport {
        account: due.account,
        site: due.site,
        slot_at,
        outcome,
        run,
        detail,
    }))
}

async fn start_scheduled_run(
    p: &Pipeline,
    site: &Site,
) -> Result<(SlotOutcome, Option<RunId>, Option<String>)> {
    let busy = |run: &AutomationRun| {
        (
            SlotOutcome::Skipped,
            None,
            Some(format!("site busy with run {} ({})", run.id, run.status)),
        )
    };
    if let Some(active) = p.db().active_run(site.account_id, site.id).await? {
        return Ok(busy(&active));
    }
    match start_run(
        p,
        site.account_id,
        site.id,
        RunTrigger::Scheduled,
        &RunScope::default(),
    )
    .await
    {
        Ok((run, _)) => Ok((SlotOutcome::Started, Some(run.id), None)),
        Err(PipelineError::Refused(message)) => {
            // A run that appeared since the check above is the busy case too.
            match p.db().active_run(site.account_id, site.id).await? {
                Some(active) => Ok(busy(&active)),
                None => Ok((SlotOutcome::Refused, None, Some(message))),
            }
        }
        // The slot is claimed: an error is its outcome, not a retry that could never win it.
        Err(e) => Ok((SlotOutcome::Refused, None, Some(e.to_string()))),
    }
}
