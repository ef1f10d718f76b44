//! The driver: the job handler that walks a run through its stages from the saved one. The
//! progress record every stage writes after each item is [`super::progress`].

use super::RunJob;
use super::control::fail_run;
use super::progress::{Halt, StageRun};
use super::stages::run_stage;
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::*;
use pressroom_queue::{JobContext, JobError};
use pressroom_store::StoreError;
use serde_json::json;
use tracing::field::Empty;

/// The job handler that drives a run. It completes its own job under the run's lock, after
/// reading the status: a resume that came while the driver was winding down for a pause (its
/// items still out) found this job live and queued no other, so the driver goes on instead of
/// leaving the run running with nobody to drive it.
pub async fn run_driver_job(p: Pipeline, ctx: JobContext, job: RunJob) -> Result<(), JobError> {
    loop {
        match drive(&p, job.account, job.run).await {
            Ok(()) => {}
            Err(e) if e.is_transient() => return Err(JobError::retry(e.to_string())),
            Err(e) => {
                tracing::info!(run = job.run.get(), error = %e, "run failed");
                fail_run(&p, job.account, job.run, &e.to_string())
                    .await
                    .map_err(|e| JobError::retry(e.to_string()))?
            }
        }
        let mut tx = ctx.begin().await?;
        if tx.run_for_update(job.account, job.run).await?.status == RunStatus::Running {
            tx.rollback().await?;
            continue;
        }
        ctx.complete_in(&mut tx).await?;
        tx.commit().await?;
        return Ok(());
    }
}

/// Walks the stages from the saved one. Returns when the run finishes, pauses or is cancelled.
/// Every line logged inside carries the run's `account`, `site` and `run` ids (its span); the
/// stage's work is in a child span with the stage number.
#[tracing::instrument(name = "run", skip_all, fields(account = account.get(), site = Empty, run = run_id.get()))]
pub async fn drive(p: &Pipeline, account: AccountId, run_id: RunId) -> Result<()> {
    let run = p.db().run(account, run_id).await?;
    tracing::Span::current().record("site", run.site_id.get());
    if !matches!(run.status, RunStatus::Queued | RunStatus::Running) {
        // Paused, cancelled or finished: nothing to drive.
        return Ok(());
    }
    let site = p.db().site(account, run.site_id).await?;
    let providers = run_providers(p, &site).await?;
    let mut tx = p.db().begin().await?;
    let current = tx.run_for_update(account, run_id).await?;
    let (message, stage) = match current.status {
        RunStatus::Queued => {
            tx.move_status(account, run_id, RunStatus::Running).await?;
            ("run started", None)
        }
        RunStatus::Running => ("run resumed by a worker", Some(current.current_stage)),
        _ => return Ok(()),
    };
    tx.mark_run_started(account, run_id, &providers).await?;
    // Once per run, at its start: what of the brand voice the offline writer cannot honour.
    if current.status == RunStatus::Queued
        && let Some(note) = crate::prompts::offline_voice_note(&site, &providers.text_provider)
    {
        tx.add_run_event(
            account,
            run_id,
            None,
            EventLevel::Warn,
            &note,
            json!({"voice": "offline"}),
        )
        .await?;
    }
    tx.add_run_event(
        account,
        run_id,
        stage,
        EventLevel::Info,
        message,
        json!({"status": "running", "stage": current.current_stage.number(), "providers": providers}),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(stage = current.current_stage.number(), "{message}");

    let mut stage = current.current_stage;
    loop {
        // Only a stage that calls a paid provider stops on a spent budget: free (offline) work
        // never does, and each paid call checks again before it is made.
        let paid = match stage {
            Stage::ReviewGate => false,
            Stage::ImagePromptsToImages => providers.image_provider != "offline",
            _ => providers.text_provider != "offline",
        };
        if paid && let Some(b) = crate::budget::exhausted(p, &site).await? {
            // The run fails with this as its event; what is done stays done.
            return Err(PipelineError::OverBudget(format!(
                "site {} has spent {} of its {}-credit budget for {}; the run stopped before stage {}",
                site.name,
                b.spent,
                b.budget.map_or(0, |c| c.0),
                b.month,
                stage.number()
            )));
        }
        let mut sr = StageRun::new(p, account, &site, p.db().run(account, run_id).await?, stage);
        let started = format!("stage {} started: {}", stage.number(), stage.name());
        let halted = match sr.note(EventLevel::Info, started).await? {
            Some(h) => Some(h),
            None => run_stage(&mut sr).await?,
        };
        if let Some(halt) = halted {
            let what = match halt {
                Halt::Paused => "paused",
                Halt::Cancelled => "cancelled",
            };
            p.db()
                .add_run_event(
                    account,
                    run_id,
                    Some(stage),
                    EventLevel::Info,
                    &format!("run {what} at stage {}", stage.number()),
                    json!({"status": what}),
                )
                .await?;
            tracing::info!(stage = stage.number(), "run {what}");
            return Ok(());
        }
        let r = sr.result().clone();
        let level = if r.failed > 0 {
            EventLevel::Warn
        } else {
            EventLevel::Info
        };
        let summary = format!(
            "stage {} finished: {} processed, {} created, {} failed, {} skipped",
            stage.number(),
            r.processed,
            r.created,
            r.failed,
            r.skipped
        );
        sr.note(level, summary).await?;
        match stage.next() {
            Some(next) => {
                stage = next;
                sr.run.current_stage = next;
                let mut tx = p.db().begin().await?;
                tx.save_run_progress(&sr.run).await?;
                tx.commit().await?;
            }
            None => return finish(p, account, run_id, &site).await,
        }
    }
}

async fn run_providers(p: &Pipeline, site: &Site) -> Result<RunProviders> {
    let text = crate::keys::text_for(p, site).await?;
    let image = crate::keys::image_for(p, site).await?;
    Ok(RunProviders {
        text_provider: text.provider.name().to_string(),
        text_model: text.model.clone(),
        image_provider: image.provider.name().to_string(),
        image_model: image.model.clone(),
    })
}

/// Ends the run `awaiting_review` (manual review with articles waiting) or `completed`. A run
/// with failed items says which stages failed what, and what to do next.
async fn finish(p: &Pipeline, account: AccountId, run_id: RunId, site: &Site) -> Result<()> {
    let awaiting = site.settings.review_mode == ReviewMode::Manual
        && !p
            .db()
            .content_list(account, site.id, Some(ContentStatus::Review), 1)
            .await?
            .is_empty();
    let to = if awaiting {
        RunStatus::AwaitingReview
    } else {
        RunStatus::Completed
    };
    let mut tx = p.db().begin().await?;
    let run = tx.run_for_update(account, run_id).await?;
    match tx.move_status(account, run_id, to).await {
        Ok(_) => {}
        // Cancelled (or paused) after the last item: that control write stands.
        Err(StoreError::Domain(DomainError::IllegalTransition { .. })) => return Ok(()),
        Err(e) => return Err(PipelineError::from(e)),
    }
    tx.mark_run_finished(account, run_id, None).await?;
    crate::notify::run_finished_in(&mut tx, &run, to, &site.name, p.now()).await?;
    let failures = failures(&run);
    let mut message = format!("run {}", to.as_str().replace('_', " "));
    let level = if failures.is_empty() {
        EventLevel::Info
    } else {
        message.push_str(&format!(
            " with failures: {}; {}",
            failures
                .iter()
                .map(|(_, what)| what.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            next_steps(&run, &site.name)
        ));
        EventLevel::Warn
    };
    tx.add_run_event(
        account,
        run_id,
        None,
        level,
        &message,
        json!({
            "status": to.as_str(),
            "credits_used": run.credits_used,
            "failed": run.failed_items(),
            "failures": failures.iter().map(|(stage, what)| json!({"stage": stage, "what": what})).collect::<Vec<_>>(),
        }),
    )
    .await?;
    tx.commit().await?;
    p.queue().wake(crate::notify::WEBHOOKS_QUEUE);
    tracing::info!(
        status = to.as_str(),
        failed = run.failed_items(),
        "{message}"
    );
    Ok(())
}

/// `(stage number, "N things failed")` for each stage with failed items.
fn failures(run: &AutomationRun) -> Vec<(u8, String)> {
    Stage::ALL
        .iter()
        .zip(&run.stage_results)
        .filter(|(_, r)| r.failed > 0)
        .map(|(stage, r)| {
            let what = match stage {
                Stage::KeywordsToClusters => "keywords could not be clustered",
                Stage::ClustersToIdeas => "clusters got no ideas",
                Stage::IdeasToTasks => "ideas did not become tasks",
                Stage::TasksToContent => "articles could not be written",
                Stage::ContentToImagePrompts => "articles got no image prompts",
                Stage::ImagePromptsToImages => "images failed",
                Stage::ReviewGate => "articles could not be approved",
            };
            (stage.number(), format!("{} {what}", r.failed))
        })
        .collect()
}

/// What a person can do about a run's failures.
fn next_steps(run: &AutomationRun, site: &str) -> String {
    let images = run.stage_results[usize::from(Stage::ImagePromptsToImages.number() - 1)].failed;
    let others = run.failed_items() - images;
    let mut steps = Vec::new();
    if images > 0 {
        steps.push(format!(
            "see them with `pressroom images list --status failed --site {site}` and retry with `pressroom images retry --failed --site {site}`"
        ));
    }
    if others > 0 {
        steps.push(
            "the run's events name each failed item; a new `pressroom run` tries the ones still waiting"
                .to_string(),
        );
    }
    steps.join("; ")
}
