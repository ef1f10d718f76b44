//! Starting and steering runs: start, pause, resume, cancel, fail. Each
//! control write moves the run's status, records an event and holds, releases or cancels the
//! run's jobs in one transaction, so every process (the driver, image workers on any host)
//! sees the pause before it spends anything more.

use super::estimate::estimate;
use super::{Estimate, RUN_JOB, RUNS_QUEUE, RunJob};
use crate::context::{Pipeline, PipelineError, Result};
use crate::images::IMAGE_JOB;
use pressroom_domain::*;
use pressroom_queue::{NewJob, Queue};
use pressroom_store::{StoreError, Tx};
use serde_json::json;

/// Starts a run on `site`: refuses (changing nothing) when another run holds the site or the
/// estimate exceeds the balance, the per-run credit cap or what is left of the site's monthly
/// budget; else records the run and queues it.
pub async fn start_run(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    trigger: RunTrigger,
    scope: &RunScope,
) -> Result<(AutomationRun, Estimate)> {
    check_scope(p, account, site, scope).await?;
    if let Some(active) = p.db().active_run(account, site).await? {
        return Err(PipelineError::Refused(format!(
            "site {site} already has run {} ({})",
            active.id, active.status
        )));
    }
    let est = estimate(p, account, site).await?;
    if !est.enough {
        let cap = p.db().site(account, site).await?.settings.caps.credits;
        return Err(PipelineError::Refused(match cap {
            Some(cap) if est.credits.0 > cap => format!(
                "this run needs about {} credits, over the per-run cap of {cap}; nothing was started",
                est.credits
            ),
            _ => format!(
                "this run needs about {} credits but the balance is {}; nothing was started",
                est.credits, est.balance
            ),
        }));
    }
    let site_row = p.db().site(account, site).await?;
    crate::budget::ensure_within_budget(
        p,
        &site_row,
        est.credits,
        "this run",
        "nothing was started",
    )
    .await?;
    let run = p
        .db()
        .create_run(account, site, trigger, scope)
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists { .. } => {
                PipelineError::Refused(format!("site {site} already has an active run"))
            }
            e => e.into(),
        })?;
    p.db()
        .add_run_event(
            account,
            run.id,
            None,
            EventLevel::Info,
            "run queued",
            json!({"status": "queued", "estimate": est}),
        )
        .await?;
    enqueue_driver(p, account, run.id).await?;
    Ok((run, est))
}

/// The worker (in this process or another) that is driving `run` right now, if any: its
/// driver job is held by a lease that has not expired. A second `pressroom run` on the site
/// watches instead of joining.
pub async fn driven_by(p: &Pipeline, run: RunId) -> Result<Option<String>> {
    Ok(p.queue().live_holder(&driver_key(run)).await?)
}

fn driver_key(run: RunId) -> String {
    format!("run:{run}")
}

pub(super) async fn enqueue_driver(p: &Pipeline, account: AccountId, run: RunId) -> Result<()> {
    let job = NewJob::new(RUN_JOB, &RunJob { account, run })?
        .queue(RUNS_QUEUE)
        .dedupe_key(driver_key(run))
        .account(account)
        .run(run)
        .max_attempts(50);
    p.queue().enqueue(job).await?;
    Ok(())
}

/// Pauses the run: the driver stops at its next item boundary (its own job, if queued, runs,
/// sees the pause and ends), and the run's queued image jobs
/// are held in the queue (not drained, not lost) until it resumes, so no new provider call is
/// made for it by any process. Calls already under way finish and are recorded.
pub async fn pause_run(p: &Pipeline, account: AccountId, run: RunId) -> Result<AutomationRun> {
    let mut tx = p.db().begin().await?;
    tx.run_for_update(account, run).await?;
    tx.move_status(account, run, RunStatus::Paused).await?;
    let held = Queue::hold_run_in(&mut tx, run, IMAGE_JOB).await?;
    event(
        &mut tx,
        account,
        run,
        "run paused",
        json!({"status": "paused", "jobs_held": held}),
    )
    .await?;
    tx.commit().await?;
    Ok(p.db().run(account, run).await?)
}

/// Resumes a paused run from its saved stage, releasing its held jobs. Also re-queues the
/// driver of a running run whose job was lost (a worker that died and never came back).
pub async fn resume_run(p: &Pipeline, account: AccountId, run: RunId) -> Result<AutomationRun> {
    let mut tx = p.db().begin().await?;
    let current = tx.run_for_update(account, run).await?;
    if current.status == RunStatus::Paused {
        tx.move_status(account, run, RunStatus::Running).await?;
        let queues = Queue::release_run_in(&mut tx, run).await?;
        event(
            &mut tx,
            account,
            run,
            "run resumed",
            json!({"status": "running"}),
        )
        .await?;
        tx.commit().await?;
        for q in &queues {
            p.queue().wake(q);
        }
    } else {
        tx.commit().await?;
    }
    let updated = p.db().run(account, run).await?;
    if updated.status.is_active() {
        enqueue_driver(p, account, run).await?;
    }
    Ok(updated)
}

/// Cancels the run: the driver stops at its next item boundary, and every job of the run that
/// has not finished is cancelled in the same transaction (a running one's worker loses its
/// lease and records nothing). Cancelling a cancelled run cancels any job left over.
pub async fn cancel_run(p: &Pipeline, account: AccountId, run: RunId) -> Result<AutomationRun> {
    let mut tx = p.db().begin().await?;
    let current = tx.run_for_update(account, run).await?;
    if current.status != RunStatus::Cancelled {
        tx.move_status(account, run, RunStatus::Cancelled).await?;
        tx.mark_run_finished(account, run, None).await?;
        event(
            &mut tx,
            account,
            run,
            "run cancelled",
            json!({"status": "cancelled"}),
        )
        .await?;
    }
    Queue::cancel_run_in(&mut tx, run).await?;
    tx.commit().await?;
    Ok(p.db().run(account, run).await?)
}

/// Fails a running run with `error` (a fault that affects every item).
pub(super) async fn fail_run(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    error: &str,
) -> Result<()> {
    // Read before the transaction (a pool read while holding one can wait on it, SQLite) and
    // only for the notification: a site that cannot be read (perhaps why the run failed) must
    // not keep the run from being marked failed.
    let site_name = match p.db().run(account, run).await {
        Ok(r) => p.db().site(account, r.site_id).await.map(|s| s.name),
        Err(e) => Err(e),
    }
    .unwrap_or_else(|e| {
        tracing::warn!(error = %e, "failing a run whose site cannot be read");
        String::new()
    });
    let mut tx = p.db().begin().await?;
    let current = tx.run_for_update(account, run).await?;
    if current.status == RunStatus::Running {
        tx.move_status(account, run, RunStatus::Failed).await?;
        tx.mark_run_finished(account, run, Some(error)).await?;
        let mut failed = current.clone();
        failed.error = Some(error.to_string());
        crate::notify::run_finished_in(&mut tx, &failed, RunStatus::Failed, &site_name, p.now())
            .await?;
        tx.add_run_event(
            account,
            run,
            None,
            EventLevel::Error,
            &format!("run failed: {error}"),
            json!({"status": "failed"}),
        )
        .await?;
    }
    tx.commit().await?;
    p.queue().wake(crate::notify::WEBHOOKS_QUEUE);
    Ok(())
}

async fn event(
    tx: &mut Tx,
    account: AccountId,
    run: RunId,
    message: &str,
    fields: serde_json::Value,
) -> Result<()> {
    tx.add_run_event(account, run, None, EventLevel::Info, message, fields)
        .await?;
    Ok(())
}

/// A scope names clusters of this site (an unknown or another account's id is not found, and
/// nothing is started) that are not archived, and a positive article limit.
async fn check_scope(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    scope: &RunScope,
) -> Result<()> {
    if scope.max_articles == Some(0) {
        return Err(PipelineError::Refused(
            "max_articles must be at least 1; nothing was started".into(),
        ));
    }
    for id in &scope.clusters {
        let cluster = p.db().cluster(account, *id).await?;
        if cluster.site_id != site {
            return Err(StoreError::not_found("cluster", id).into());
        }
        if cluster.status == ClusterStatus::Archived {
            return Err(PipelineError::Refused(format!(
                "cluster {id} ({:?}) is archived; nothing was started",
                cluster.name
            )));
        }
    }
    Ok(())
}
