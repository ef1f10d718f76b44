//! Automation runs (SPEC section 3). A run is driven by a durable job on the `runs` queue: the
//! driver walks the stages from the run's saved stage, checks for pause and cancel between
//! items, and records a RunEvent for every change. If its process dies the job's lease expires
//! and another worker resumes the run from the saved stage; stage inputs are chosen by status,
//! so nothing done is done again, and charges are idempotent, so nothing is charged twice.

use crate::context::{Pipeline, PipelineError, Result};
use crate::functions;
use crate::images::{self, ImageRequestOutcome};
use futures::future::BoxFuture;
use pressroom_domain::*;
use pressroom_providers::ModelKind;
use pressroom_queue::{JobContext, JobError, NewJob};
use pressroom_store::{StoreError, Tx, now_ms};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub const RUN_JOB: &str = "automation.run";
pub const RUNS_QUEUE: &str = "runs";
/// Tokens assumed per text call when estimating a run's credits.
const EST_TOKENS_PER_CALL: i64 = 3000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunJob {
    pub account: AccountId,
    pub run: RunId,
}

/// Credits a run is expected to need, before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub credits: Credits,
    pub balance: Credits,
    /// Expected new items: clusters, ideas, articles, images.
    pub clusters: i64,
    pub ideas: i64,
    pub articles: i64,
    pub images: i64,
    pub enough: bool,
}

/// Estimates the credits a run on `site` needs from what is waiting at each stage.
pub async fn estimate(p: &Pipeline, account: AccountId, site: SiteId) -> Result<Estimate> {
    let site = p.db().site(account, site).await?;
    let s = &site.settings;
    let counts = p.db().pipeline_counts(account, site.id).await?;
    let new_kw = s.caps.keywords.map_or(counts.keywords_new, |c| {
        counts.keywords_new.min(i64::from(c))
    });
    let cluster_calls =
        (new_kw + i64::from(s.batch_sizes.keywords) - 1) / i64::from(s.batch_sizes.keywords.max(1));
    let waiting_clusters = p
        .db()
        .clusters(account, site.id, Some(ClusterStatus::New), 10_000)
        .await?
        .len() as i64;
    let clusters = waiting_clusters + (new_kw + 4) / 5;
    let waiting_ideas = p
        .db()
        .ideas(account, site.id, Some(IdeaStatus::New), 10_000)
        .await?
        .len() as i64;
    let ideas = waiting_ideas + clusters * 5;
    let waiting_tasks = p
        .db()
        .tasks(account, site.id, Some(TaskStatus::Queued), 10_000)
        .await?
        .len() as i64;
    let articles = s.caps.content.map_or(ideas + waiting_tasks, |c| {
        (ideas + waiting_tasks).min(i64::from(c))
    });
    let images = counts.images_pending + articles * (1 + i64::from(s.in_article_images));
    let images = s.caps.images.map_or(images, |c| images.min(i64::from(c)));
    let (text_rate, image_rate) = {
        let text = p.providers().text(account.get(), s)?;
        let image = p.providers().image(account.get(), s)?;
        (
            p.model_spec(text.provider.name(), ModelKind::Text, &text.model)
                .text_credits(EST_TOKENS_PER_CALL, 0),
            p.model_spec(image.provider.name(), ModelKind::Image, &image.model)
                .image_credits(1),
        )
    };
    let text_calls = cluster_calls + clusters + articles * 2;
    let credits =
        Credits(text_rate.0.saturating_mul(text_calls) + image_rate.0.saturating_mul(images));
    let balance = p.db().account(account).await?.credits;
    let enough = balance >= credits && s.caps.credits.is_none_or(|cap| credits.0 <= cap);
    Ok(Estimate {
        credits,
        balance,
        clusters,
        ideas,
        articles,
        images,
        enough,
    })
}

/// Starts a run on `site`: refuses (changing nothing) when another run holds the site or the
/// estimate exceeds the balance or the per-run credit cap; else records the run and queues it.
pub async fn start_run(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    trigger: RunTrigger,
) -> Result<(AutomationRun, Estimate)> {
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
    let run = p
        .db()
        .create_run(account, site, trigger)
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

async fn enqueue_driver(p: &Pipeline, account: AccountId, run: RunId) -> Result<()> {
    let job = NewJob::new(RUN_JOB, &RunJob { account, run })?
        .queue(RUNS_QUEUE)
        .dedupe_key(format!("run:{run}"))
        .account(account)
        .run(run)
        .max_attempts(50);
    p.queue().enqueue(job).await?;
    Ok(())
}

/// Pauses at the next item boundary.
pub async fn pause_run(p: &Pipeline, account: AccountId, run: RunId) -> Result<AutomationRun> {
    control(p, account, run, RunStatus::Paused, "run paused").await
}

/// Resumes a paused run from its saved stage. Also re-queues the driver of a running run whose
/// job was lost (for example a crash of a worker that never came back).
pub async fn resume_run(p: &Pipeline, account: AccountId, run: RunId) -> Result<AutomationRun> {
    let current = p.db().run(account, run).await?;
    let updated = if current.status == RunStatus::Paused {
        control(p, account, run, RunStatus::Running, "run resumed").await?
    } else {
        current
    };
    if updated.status.is_active() {
        enqueue_driver(p, account, run).await?;
    }
    Ok(updated)
}

/// Cancels at the next item boundary; image jobs of the run that have not started are cancelled.
pub async fn cancel_run(p: &Pipeline, account: AccountId, run: RunId) -> Result<AutomationRun> {
    let updated = control(p, account, run, RunStatus::Cancelled, "run cancelled").await?;
    p.queue().cancel_run(run).await?;
    Ok(updated)
}

async fn control(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    to: RunStatus,
    message: &str,
) -> Result<AutomationRun> {
    let mut tx = p.db().begin().await?;
    let mut current = tx.run_for_update(account, run).await?;
    tx.move_status(account, run, to).await?;
    if !to.is_active() {
        current.finished_at = Some(now_ms());
        tx.save_run_progress(&current).await?;
    }
    tx.add_run_event(
        account,
        run,
        None,
        EventLevel::Info,
        message,
        json!({"status": to.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(p.db().run(account, run).await?)
}

/// The job handler that drives a run.
pub async fn run_driver_job(p: Pipeline, _ctx: JobContext, job: RunJob) -> Result<(), JobError> {
    match drive(&p, job.account, job.run).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_transient() => Err(JobError::retry(e.to_string())),
        Err(e) => {
            fail_run(&p, job.account, job.run, &e.to_string())
                .await
                .map_err(|e| JobError::retry(e.to_string()))?;
            Ok(())
        }
    }
}

async fn fail_run(p: &Pipeline, account: AccountId, run: RunId, error: &str) -> Result<()> {
    let mut tx = p.db().begin().await?;
    let mut current = tx.run_for_update(account, run).await?;
    if current.status == RunStatus::Running {
        tx.move_status(account, run, RunStatus::Failed).await?;
        current.error = Some(error.to_string());
        current.finished_at = Some(now_ms());
        tx.save_run_progress(&current).await?;
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
    Ok(())
}

/// Why a stage loop stopped early.
enum Halt {
    Paused,
    Cancelled,
}

/// Progress of one stage, persisted after every item.
struct StageRun<'a> {
    p: &'a Pipeline,
    account: AccountId,
    run: AutomationRun,
    stage: Stage,
    started: Instant,
}

impl StageRun<'_> {
    fn result(&mut self) -> &mut StageResult {
        let i = usize::from(self.stage.number() - 1);
        &mut self.run.stage_results[i]
    }

    /// Records an item's outcome and checks for pause/cancel: the item boundary.
    async fn item(
        &mut self,
        level: EventLevel,
        message: String,
        update: impl FnOnce(&mut StageResult),
    ) -> Result<Option<Halt>> {
        update(self.result());
        let elapsed = self.started.elapsed().as_millis() as i64;
        self.result().elapsed_ms = elapsed;
        self.run.credits_used = self.run.stage_results.iter().map(|r| r.credits).sum();
        let fields = json!({"stage": self.stage.number(), "counts": self.result().clone()});
        let mut tx = self.p.db().begin().await?;
        let status = tx.run_for_update(self.account, self.run.id).await?.status;
        tx.save_run_progress(&self.run).await?;
        tx.add_run_event(
            self.account,
            self.run.id,
            Some(self.stage),
            level,
            &message,
            fields,
        )
        .await?;
        tx.commit().await?;
        Ok(match status {
            RunStatus::Paused => Some(Halt::Paused),
            RunStatus::Cancelled => Some(Halt::Cancelled),
            _ => None,
        })
    }

    fn over_credit_cap(&self, settings: &SiteSettings) -> bool {
        settings
            .caps
            .credits
            .is_some_and(|cap| self.run.credits_used.0 >= cap)
    }
}

/// Walks the stages from the saved one. Returns when the run finishes, pauses or is cancelled.
pub async fn drive(p: &Pipeline, account: AccountId, run_id: RunId) -> Result<()> {
    let mut run = p.db().run(account, run_id).await?;
    match run.status {
        RunStatus::Queued => {
            let mut tx = p.db().begin().await?;
            tx.move_status(account, run.id, RunStatus::Running).await?;
            run.started_at = Some(now_ms());
            tx.save_run_progress(&run).await?;
            tx.add_run_event(
                account,
                run.id,
                None,
                EventLevel::Info,
                "run started",
                json!({"status": "running"}),
            )
            .await?;
            tx.commit().await?;
            run.status = RunStatus::Running;
        }
        RunStatus::Running => {
            if run.started_at.is_none() {
                let mut tx = p.db().begin().await?;
                run.started_at = Some(now_ms());
                tx.save_run_progress(&run).await?;
                tx.commit().await?;
            }
            p.db()
                .add_run_event(
                    account,
                    run.id,
                    Some(run.current_stage),
                    EventLevel::Info,
                    "run resumed by a worker",
                    json!({"status": "running", "stage": run.current_stage.number()}),
                )
                .await?;
        }
        // Paused, cancelled or finished: nothing to drive.
        _ => return Ok(()),
    }
    let site = p.db().site(account, run.site_id).await?;
    let mut stage = run.current_stage;
    loop {
        let mut sr = StageRun {
            p,
            account,
            run: p.db().run(account, run_id).await?,
            stage,
            started: Instant::now(),
        };
        sr.run.current_stage = stage;
        let halted = sr
            .item(
                EventLevel::Info,
                format!("stage {} started: {}", stage.number(), stage.name()),
                |_| {},
            )
            .await?;
        let halted = match halted {
            Some(h) => Some(h),
            None => run_stage(&mut sr, &site).await?,
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
            return Ok(());
        }
        let r = sr.result().clone();
        sr.item(
            EventLevel::Info,
            format!(
                "stage {} finished: {} processed, {} created, {} failed, {} skipped",
                stage.number(),
                r.processed,
                r.created,
                r.failed,
                r.skipped
            ),
            |_| {},
        )
        .await?;
        match stage.next() {
            Some(next) => {
                stage = next;
                let mut tx = p.db().begin().await?;
                let mut saved = tx.run_for_update(account, run_id).await?;
                saved.current_stage = next;
                tx.save_run_progress(&saved).await?;
                tx.commit().await?;
            }
            None => return finish(p, account, run_id, &site).await,
        }
    }
}

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
    let mut run = tx.run_for_update(account, run_id).await?;
    tx.move_status(account, run_id, to).await?;
    run.finished_at = Some(now_ms());
    tx.save_run_progress(&run).await?;
    tx.add_run_event(
        account,
        run_id,
        None,
        EventLevel::Info,
        &format!("run {}", to.as_str().replace('_', " ")),
        json!({"status": to.as_str(), "credits_used": run.credits_used}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ids are taken in pages after a cursor, so an item that stays in its input status (left out
/// by the model, failed) is tried once per run, never in a loop.
async fn run_stage(sr: &mut StageRun<'_>, site: &Site) -> Result<Option<Halt>> {
    let p = sr.p;
    let account = sr.account;
    let s = &site.settings;
    let run_id = Some(sr.run.id);
    match sr.stage {
        Stage::KeywordsToClusters => {
            let cap = s.caps.keywords.map_or(u32::MAX, |c| c);
            let waiting = p
                .db()
                .count_keywords(account, site.id, Some(KeywordStatus::New))
                .await?;
            if waiting < i64::from(s.min_keywords_to_cluster) {
                return sr.item(EventLevel::Warn, format!("{waiting} new keywords, fewer than the minimum of {}: clustering skipped", s.min_keywords_to_cluster), |r| r.skipped += waiting).await;
            }
            let mut taken: u32 = 0;
            let mut after = 0i64;
            while taken < cap && !sr.over_credit_cap(s) {
                let batch: Vec<Keyword> = p
                    .db()
                    .keywords_by_status(account, site.id, KeywordStatus::New, 1000)
                    .await?
                    .into_iter()
                    .filter(|k| k.id.get() > after)
                    .collect();
                let mut batch: Vec<Keyword> = batch;
                batch.sort_by_key(|k| k.id);
                batch.truncate(s.batch_sizes.keywords.min(cap - taken) as usize);
                let Some(last) = batch.last() else { break };
                after = last.id.get();
                taken += batch.len() as u32;
                let ids: Vec<KeywordId> = batch.iter().map(|k| k.id).collect();
                let n = ids.len() as i64;
                let clusters_before = p.db().pipeline_counts(account, site.id).await?.clusters;
                let halt = match functions::auto_cluster(p, account, site.id, &ids, run_id).await {
                    Ok(rep) => {
                        // A batch may add keywords to a cluster an earlier batch made.
                        let made = p.db().pipeline_counts(account, site.id).await?.clusters
                            - clusters_before;
                        let mapped = rep.keywords_mapped as i64;
                        sr.item(
                            EventLevel::Info,
                            format!("{mapped} of {n} keywords clustered into {made} clusters"),
                            |r| {
                                r.processed += n;
                                r.created += made;
                                r.skipped += n - mapped;
                                r.credits = Credits(r.credits.0 + rep.credits.0);
                            },
                        )
                        .await?
                    }
                    Err(e) => return stage_error(sr, e, n).await,
                };
                if halt.is_some() {
                    return Ok(halt);
                }
            }
            Ok(None)
        }
        Stage::ClustersToIdeas => {
            run_items(sr, site, s.batch_sizes.clusters, i64::MAX, |after| {
                Box::pin(async move {
                    let next = p
                        .db()
                        .clusters(account, site.id, Some(ClusterStatus::New), 1000)
                        .await?
                        .into_iter()
                        .find(|c| c.id.get() > after);
                    Ok(next.map(|cluster| {
                        let id = cluster.id.get();
                        let p = p.clone();
                        let work: BoxFuture<'static, ItemDone> = Box::pin(async move {
                            let outcome =
                                functions::generate_ideas(&p, account, cluster.id, run_id).await;
                            let name = cluster.name;
                            ItemDone {
                                outcome: outcome.map(|(ideas, c)| (ideas.len(), c)),
                                what: format!("cluster {name:?}"),
                                message: Box::new(move |n| {
                                    format!("{n} ideas for cluster {name:?}")
                                }),
                            }
                        });
                        (id, work)
                    }))
                })
            })
            .await
        }
        Stage::IdeasToTasks => loop {
            let ideas = p
                .db()
                .ideas(account, site.id, Some(IdeaStatus::New), s.batch_sizes.ideas)
                .await?;
            if ideas.is_empty() {
                return Ok(None);
            }
            let ids: Vec<IdeaId> = ideas.iter().map(|i| i.id).collect();
            let tasks = functions::create_tasks(p, account, &ids).await?;
            let n = tasks.len() as i64;
            if let Some(h) = sr
                .item(EventLevel::Info, format!("{n} tasks created"), |r| {
                    r.processed += ids.len() as i64;
                    r.created += n;
                })
                .await?
            {
                return Ok(Some(h));
            }
        },
        Stage::TasksToContent => {
            let cap = s.caps.content.map_or(i64::MAX, i64::from);
            run_items(sr, site, s.batch_sizes.tasks, cap, |after| {
                Box::pin(async move {
                    // In-progress tasks too: a run that stopped mid-article left one there.
                    let mut waiting = p
                        .db()
                        .tasks(account, site.id, Some(TaskStatus::Queued), 1000)
                        .await?;
                    waiting.extend(
                        p.db()
                            .tasks(account, site.id, Some(TaskStatus::InProgress), 1000)
                            .await?,
                    );
                    let next = waiting
                        .into_iter()
                        .filter(|t| t.id.get() > after)
                        .min_by_key(|t| t.id);
                    Ok(next.map(|task| {
                        let id = task.id.get();
                        let p = p.clone();
                        let work: BoxFuture<'static, ItemDone> = Box::pin(async move {
                            let outcome =
                                functions::generate_content(&p, account, task.id, run_id).await;
                            let title = task.title;
                            ItemDone {
                                outcome: outcome.map(|(_, c)| (1, c)),
                                what: format!("task {title:?}"),
                                message: Box::new(move |_| {
                                    format!("article written for {title:?}")
                                }),
                            }
                        });
                        (id, work)
                    }))
                })
            })
            .await
        }
        Stage::ContentToImagePrompts => {
            run_items(sr, site, s.batch_sizes.content, i64::MAX, |after| {
                Box::pin(async move {
                    let next = p
                        .db()
                        .drafts_without_images(account, site.id, 1000)
                        .await?
                        .into_iter()
                        .find(|c| c.id.get() > after);
                    Ok(next.map(|content| {
                        let id = content.id.get();
                        let p = p.clone();
                        let work: BoxFuture<'static, ItemDone> = Box::pin(async move {
                            let outcome =
                                functions::generate_image_prompts(&p, account, content.id, run_id)
                                    .await;
                            let title = content.title;
                            ItemDone {
                                outcome: outcome.map(|(images, c)| (images.len(), c)),
                                what: format!("content {title:?}"),
                                message: Box::new(move |n| {
                                    format!("{n} image prompts for {title:?}")
                                }),
                            }
                        });
                        (id, work)
                    }))
                })
            })
            .await
        }
        Stage::ImagePromptsToImages => stage_images(sr, site).await,
        Stage::ReviewGate => {
            let waiting = p
                .db()
                .content_list(account, site.id, Some(ContentStatus::Review), 10_000)
                .await?;
            if s.review_mode == ReviewMode::Auto {
                for content in waiting {
                    let mut tx = p.db().begin().await?;
                    tx.move_status(account, content.id, ContentStatus::Approved)
                        .await?;
                    tx.commit().await?;
                    if let Some(h) = sr
                        .item(
                            EventLevel::Info,
                            format!("approved {:?}", content.title),
                            |r| {
                                r.processed += 1;
                                r.created += 1;
                            },
                        )
                        .await?
                    {
                        return Ok(Some(h));
                    }
                }
                Ok(None)
            } else {
                let n = waiting.len() as i64;
                sr.item(
                    EventLevel::Info,
                    format!("{n} articles wait for review"),
                    |r| r.skipped += n,
                )
                .await
            }
        }
    }
}

/// Stage 6: queue every pending image of the site on the image generation queue, then wait for
/// them to settle, reporting progress as they do.
async fn stage_images(sr: &mut StageRun<'_>, site: &Site) -> Result<Option<Halt>> {
    let p = sr.p;
    let account = sr.account;
    let cap = site.settings.caps.images.unwrap_or(u32::MAX);
    let mut open: Vec<Image> = p
        .db()
        .images(
            account,
            site.id,
            Some(ImageStatus::Pending),
            cap.min(100_000),
        )
        .await?;
    open.extend(
        p.db()
            .images(account, site.id, Some(ImageStatus::Generating), 100_000)
            .await?,
    );
    let ids: Vec<ImageId> = open.iter().map(|i| i.id).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let outcomes = images::generate_images(p, account, &ids, Some(sr.run.id)).await?;
    let queued = outcomes
        .iter()
        .filter(|o| matches!(o, ImageRequestOutcome::Queued { .. }))
        .count();
    sr.item(
        EventLevel::Info,
        format!("{queued} images queued for generation"),
        |_| {},
    )
    .await?;
    let mut last = (0i64, 0i64);
    let mut polls = 0u64;
    loop {
        let now: Vec<Image> = p.db().images_by_ids(account, &ids).await?;
        let generated = now
            .iter()
            .filter(|i| i.status == ImageStatus::Generated)
            .count() as i64;
        let failed = now
            .iter()
            .filter(|i| i.status == ImageStatus::Failed)
            .count() as i64;
        let settled = generated + failed;
        if (generated, failed) != last {
            let (dg, df) = (generated - last.0, failed - last.1);
            last = (generated, failed);
            let credits = p
                .db()
                .run_credits(account, sr.run.id, AiFunction::GenerateImage)
                .await?;
            let halt = sr
                .item(
                    EventLevel::Info,
                    format!("{settled} of {} images settled", ids.len()),
                    |r| {
                        r.processed += dg + df;
                        r.created += dg;
                        r.failed += df;
                        r.credits = credits;
                    },
                )
                .await?;
            if let Some(Halt::Cancelled) = halt {
                return Ok(Some(Halt::Cancelled));
            }
            // A pause lets the images already queued finish; the run stops after them.
        }
        if settled as usize >= ids.len() {
            let status = p.db().run(account, sr.run.id).await?.status;
            return Ok(match status {
                RunStatus::Paused => Some(Halt::Paused),
                RunStatus::Cancelled => Some(Halt::Cancelled),
                _ => None,
            });
        }
        polls += 1;
        if polls.is_multiple_of(20) {
            images::fail_orphaned_images(p, account, sr.run.id).await?;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Records an item that made `n` things for `credits`, or its failure (see [`item_error`]).
async fn record_made(
    sr: &mut StageRun<'_>,
    outcome: Result<(usize, Credits)>,
    message: impl FnOnce(usize) -> String,
    what: String,
) -> Result<Option<Halt>> {
    match outcome {
        Ok((n, credits)) => {
            sr.item(EventLevel::Info, message(n), |r| {
                r.processed += 1;
                r.created += n as i64;
                r.credits = Credits(r.credits.0 + credits.0);
            })
            .await
        }
        Err(e) => item_error(sr, e, what).await,
    }
}

/// An item of stages 2, 4 and 5 whose AI function has returned: what it made (how many things,
/// for how many credits) or its error, and how to describe it in the run's events.
struct ItemDone {
    outcome: Result<(usize, Credits)>,
    message: Box<dyn FnOnce(usize) -> String + Send>,
    what: String,
}

/// The next item after a cursor: its id (the new cursor) and the work on it; `None` when the
/// stage's input is exhausted. The work owns what it needs because it runs as its own task.
type NextItem = Option<(i64, BoxFuture<'static, ItemDone>)>;

/// Works through the items `next` hands out, recording each outcome as it arrives. As many are
/// out at once as the stage's `batch` size, but no more than the site's text provider takes
/// calls at once (its limiter caps the calls themselves). A pause or cancel, the credit cap,
/// `cap` successful items (the content cap) or a fatal error stops new items from starting;
/// the ones already out finish and are recorded, so every saved output is in the stage's
/// counts. With more than one item out, the credit cap can be passed by what they cost.
///
/// Each item runs as its own task. Futures polled only from this loop would stall while it
/// records an outcome, and on SQLite a stalled item holding the write lock would make this
/// loop's own write wait on it until the busy timeout.
async fn run_items<'f>(
    sr: &mut StageRun<'_>,
    site: &Site,
    batch: u32,
    cap: i64,
    mut next: impl FnMut(i64) -> BoxFuture<'f, Result<NextItem>>,
) -> Result<Option<Halt>> {
    let settings = &site.settings;
    let provider_limit =
        sr.p.providers()
            .text(sr.account.get(), settings)
            .map_or(1, |choice| choice.provider.max_in_flight());
    let window = provider_limit.min(batch.max(1) as usize);
    let mut out: JoinSet<ItemDone> = JoinSet::new();
    let (mut after, mut succeeded) = (0i64, 0i64);
    let mut drained = false;
    let mut halt = None;
    let mut fatal = None;
    loop {
        while !drained
            && halt.is_none()
            && fatal.is_none()
            && out.len() < window
            && succeeded + (out.len() as i64) < cap
            && !sr.over_credit_cap(settings)
        {
            match next(after).await {
                Ok(Some((id, work))) => {
                    after = id;
                    out.spawn(work);
                }
                Ok(None) => drained = true,
                Err(e) => fatal = Some(e),
            }
        }
        let done = match out.join_next().await {
            None => break,
            Some(Ok(done)) => done,
            Some(Err(e)) => {
                fatal.get_or_insert(PipelineError::Refused(format!(
                    "an item's task failed: {e}"
                )));
                continue;
            }
        };
        if done.outcome.is_ok() {
            succeeded += 1;
        }
        match record_made(sr, done.outcome, done.message, done.what).await {
            Ok(h) => halt = halt.or(h),
            Err(e) => {
                fatal.get_or_insert(e);
            }
        }
    }
    match fatal {
        Some(e) => Err(e),
        None => Ok(halt),
    }
}

/// A failure that affects every item (no credits, provider misconfigured) fails the stage and
/// the run; any other failure is recorded for its item and the stage goes on.
async fn item_error(sr: &mut StageRun<'_>, e: PipelineError, what: String) -> Result<Option<Halt>> {
    if is_fatal(&e) {
        return Err(e);
    }
    sr.item(EventLevel::Error, format!("{what} failed: {e}"), |r| {
        r.processed += 1;
        r.failed += 1;
    })
    .await
}

async fn stage_error(sr: &mut StageRun<'_>, e: PipelineError, n: i64) -> Result<Option<Halt>> {
    if is_fatal(&e) {
        return Err(e);
    }
    sr.item(
        EventLevel::Error,
        format!("clustering {n} keywords failed: {e}"),
        |r| {
            r.processed += n;
            r.failed += n;
        },
    )
    .await
}

fn is_fatal(e: &PipelineError) -> bool {
    matches!(
        e,
        PipelineError::Store(StoreError::InsufficientCredits { .. })
            | PipelineError::Provider(pressroom_providers::ProviderError::Config { .. })
            | PipelineError::Store(StoreError::Database(_))
    )
}

/// Used by tests and the CLI: applies a move to content (approve, reject) through the one path.
pub async fn review(
    p: &Pipeline,
    account: AccountId,
    ids: &[ContentId],
    to: ContentStatus,
) -> Result<Vec<(ContentId, std::result::Result<(), String>)>> {
    let mut out = Vec::new();
    for id in ids {
        let mut tx: Tx = p.db().begin().await?;
        match tx.move_status(account, *id, to).await {
            Ok(_) => {
                tx.commit().await?;
                out.push((*id, Ok(())));
            }
            Err(e) => out.push((*id, Err(e.to_string()))),
        }
    }
    Ok(out)
}
