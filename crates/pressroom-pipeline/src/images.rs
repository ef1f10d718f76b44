//! The image generation queue of SPEC 4.4: one job per image, run by workers up to the
//! provider's concurrency. Stage 6, the Images page, the API and `pressroom images generate`
//! all call [`generate_images`], which takes `ImageId`s and nothing else.

use crate::context::{Pipeline, PipelineError, Result};
use crate::functions::{ensure_credits, record_failure, settle, usage_row};
use pressroom_domain::ai::ImageSubject;
use pressroom_domain::settings::parse_size;
use pressroom_domain::*;
use pressroom_providers::download::{StoredImage, verify_image};
use pressroom_providers::{ImageData, ImageRequest, ModelKind};
use pressroom_queue::{HELD_AT, JobContext, JobError, NewJob};
use pressroom_store::{GeneratedImage, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tracing::field::Empty;

pub const IMAGE_JOB: &str = "image.generate";
pub const IMAGES_QUEUE: &str = "images";
/// Provider attempts per image before it is marked failed (transient errors only).
pub const IMAGE_ATTEMPTS: i64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageJob {
    pub account: AccountId,
    pub image: ImageId,
    pub run: Option<RunId>,
}

/// What happened to each requested id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImageRequestOutcome {
    Queued {
        image: ImageId,
    },
    /// Already generated: skipped, no call, no charge.
    AlreadyGenerated {
        image: ImageId,
    },
    /// Unknown, or another account's: nothing changed.
    NotFound {
        image: ImageId,
    },
}

/// The dedupe key of an image's generation job: one live job per image, whoever queued it.
pub(crate) fn job_key(image: ImageId) -> String {
    format!("image:{image}")
}

/// Queues generation of `ids` for `account`. Failed images go back to pending (a retry);
/// generated ones are skipped; unknown or foreign ids are reported as not found. Jobs of a
/// paused run are queued held: they go on when it resumes.
pub async fn generate_images(
    p: &Pipeline,
    account: AccountId,
    ids: &[ImageId],
    run: Option<RunId>,
) -> Result<Vec<ImageRequestOutcome>> {
    let images = p.db().images_by_ids(account, ids).await?;
    crate::budget::ensure_images_within_budget(p, account, &images).await?;
    let found: HashMap<ImageId, ImageStatus> =
        images.into_iter().map(|i| (i.id, i.status)).collect();
    let mut outcomes = Vec::with_capacity(ids.len());
    let mut jobs = Vec::new();
    let mut tx = p.db().begin().await?;
    // Read under the run's lock, so a pause or cancel cannot commit between this read and the
    // insert: a paused run's jobs are queued held, a stopped run gets none.
    let held = match run {
        Some(run) => match tx.run_for_update(account, run).await?.status {
            RunStatus::Paused => true,
            status if status.is_active() => false,
            status => {
                return Err(PipelineError::Refused(format!(
                    "run {run} is {status}: no images are queued for it"
                )));
            }
        },
        None => false,
    };
    for id in ids {
        let Some(status) = found.get(id) else {
            outcomes.push(ImageRequestOutcome::NotFound { image: *id });
            continue;
        };
        match status {
            ImageStatus::Generated => {
                outcomes.push(ImageRequestOutcome::AlreadyGenerated { image: *id });
                continue;
            }
            ImageStatus::Failed => {
                tx.fail_image(account, *id, ImageStatus::Pending, "queued again")
                    .await?;
            }
            ImageStatus::Pending | ImageStatus::Generating => {}
        }
        let mut job = NewJob::new(
            IMAGE_JOB,
            &ImageJob {
                account,
                image: *id,
                run,
            },
        )?
        .queue(IMAGES_QUEUE)
        .max_attempts(IMAGE_ATTEMPTS)
        .dedupe_key(job_key(*id))
        .account(account);
        if let Some(run) = run {
            job = job.run(run);
        }
        if held {
            job = job.run_at(HELD_AT);
        }
        jobs.push(job);
        outcomes.push(ImageRequestOutcome::Queued { image: *id });
    }
    if !jobs.is_empty() {
        pressroom_queue::Queue::enqueue_in(&mut tx, &jobs).await?;
    }
    tx.commit().await?;
    if !jobs.is_empty() {
        p.queue().wake(IMAGES_QUEUE);
    }
    Ok(outcomes)
}

/// Failed images read per page when retrying a site's failures.
const RETRY_PAGE: u32 = 500;

/// Queues every failed image of `site` again (a page at a time), through [`generate_images`]:
/// the CLI's `images retry --failed`, the API and the Images page all call this.
pub async fn retry_failed(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> Result<Vec<ImageRequestOutcome>> {
    p.db().site(account, site).await?;
    let mut outcomes = Vec::new();
    let mut after = 0i64;
    loop {
        let ids = p
            .db()
            .image_ids_after(account, site, &[ImageStatus::Failed], after, RETRY_PAGE)
            .await?;
        let Some(last) = ids.last() else {
            return Ok(outcomes);
        };
        after = last.get();
        outcomes.extend(generate_images(p, account, &ids, None).await?);
    }
}

/// The job handler: one image, start to finish. Its span carries the run id from the job's
/// payload, so an image's log lines join its run's, though the job runs apart from the driver.
#[tracing::instrument(name = "image_job", skip_all, fields(
    account = job.account.get(), site = Empty, run = job.run.map(RunId::get), image = job.image.get()
))]
pub async fn run_image_job(p: Pipeline, ctx: JobContext, job: ImageJob) -> Result<(), JobError> {
    match generate_one(&p, &ctx, job).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_transient() && !ctx.is_last_attempt() => Err(JobError::retry(e.to_string())),
        Err(e) => {
            // Out of attempts, or not worth retrying: the image fails, the others go on.
            let message = e.to_string();
            tracing::info!(error = %message, "image failed");
            fail_for_good(&ctx, job, &message)
                .await
                .map_err(|e| JobError::retry(e.to_string()))?;
            Ok(())
        }
    }
}

async fn fail_for_good(ctx: &JobContext, job: ImageJob, message: &str) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let image = tx.image_for_update(job.account, job.image).await?;
    if image.status == ImageStatus::Generating {
        tx.fail_image(job.account, job.image, ImageStatus::Failed, message)
            .await?;
        tx.review_if_images_settled(job.account, image.content_id)
            .await?;
    }
    if let Some(run) = job.run {
        tx.add_run_event(
            job.account,
            run,
            Some(Stage::ImagePromptsToImages),
            EventLevel::Warn,
            &format!("image {} failed: {message}", job.image),
            serde_json::json!({"image": job.image, "status": "failed"}),
        )
        .await?;
    }
    ctx.complete_in(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// True when the job's run holds it back: paused (the job is handed back held) or over
/// (cancelled, finished) and the job ends here: either way nothing is spent. A plain read
/// first, so a running run costs no write; the hold itself re-reads the status under the
/// run's lock, so it cannot slip in after a resume released the run's jobs.
async fn held_back_by_run(p: &Pipeline, ctx: &JobContext, job: ImageJob) -> Result<bool> {
    let Some(run) = job.run else {
        return Ok(false);
    };
    match p.db().run(job.account, run).await?.status {
        RunStatus::Paused => {}
        status if status.is_active() => return Ok(false),
        // The run's jobs were cancelled with it; this one finishes without a call.
        _ => return Ok(true),
    }
    let mut tx = ctx.begin().await?;
    if tx.run_for_update(job.account, run).await?.status != RunStatus::Paused {
        return Ok(false);
    }
    ctx.hold_in(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}

async fn generate_one(p: &Pipeline, ctx: &JobContext, job: ImageJob) -> Result<()> {
    let account = job.account;
    if held_back_by_run(p, ctx, job).await? {
        return Ok(());
    }
    let image = match p.db().image(account, job.image).await {
        Ok(i) => i,
        Err(StoreError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    match image.status {
        // Settled: nothing to do, no call, no charge.
        ImageStatus::Generated | ImageStatus::Failed => return Ok(()),
        ImageStatus::Pending => {
            if !p.db().start_image(account, image.id).await? {
                // Another worker started or settled it between the read and now.
                return Ok(());
            }
        }
        // A previous worker died mid-call; this attempt takes over.
        ImageStatus::Generating => {}
    }
    let content = p.db().content(account, image.content_id).await?;
    tracing::Span::current().record("site", content.site_id.get());
    let site = p.db().site(account, content.site_id).await?;
    // Every article has its task (a foreign key; tasks are never deleted), so a failed read is
    // the database's: retried like any other, not painted with a default colour.
    let cluster = p
        .db()
        .task(account, content.task_id)
        .await?
        .cluster_id
        .get();
    let choice = crate::keys::image_for(p, &site).await?;
    let prompt = site.settings.template(AiFunction::GenerateImage)?.render(&[
        ("image_type", image.image_type.as_str().replace('-', " ")),
        ("post_title", content.title.clone()),
        ("image_prompt", image.prompt.clone()),
    ]);
    let (width, height) = parse_size(&image.size)?;
    let credits = p
        .model_spec(choice.provider.name(), ModelKind::Image, &choice.model)?
        .image_credits(1);
    ensure_credits(p, account, credits).await?;
    crate::budget::ensure_within_budget(p, &site, credits, "this image", "it was not generated")
        .await?;
    let request = ImageRequest {
        model: choice.model.clone(),
        prompt,
        negative_prompt: image.negative_prompt.clone(),
        width,
        height,
        quality: None,
        subject: ImageSubject {
            image_type: image.image_type,
            post_title: content.title.clone(),
            caption: image
                .section
                .clone()
                .unwrap_or_else(|| content.title.clone()),
            position: image.position,
            site_name: site.name.clone(),
            colour_seed: cluster as u64,
        },
    };
    let (result, usage) = choice.provider.generate(&request).await.into_parts();
    let usage = usage_row(
        &usage,
        Some(site.id),
        Some(Subject::Image(image.id)),
        job.run,
    );
    let response = match result {
        Ok(r) => r,
        Err(e) => {
            record_failure(p, account, usage).await?;
            return Err(e.into());
        }
    };
    let verified = match response.data {
        ImageData::Bytes(bytes) => verify_image(bytes),
        ImageData::Url(url) => p.downloader().download(&url).await.map(|d| d.image),
    };
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            record_failure(
                p,
                account,
                pressroom_store::NewUsage {
                    error: Some(e.to_string()),
                    ..usage
                },
            )
            .await?;
            return Err(e.into());
        }
    };
    let stored = p.media().store(&verified).await?;
    let mut tx = ctx.begin().await?;
    let generated = stored_file(&response.provider, &response.model, &stored);
    if !tx.finish_image(account, image.id, &generated).await? {
        // Someone settled it meanwhile (a cancelled run, a person's upload); keep their
        // decision. The call was made: its usage is recorded, without a charge.
        settle(
            &mut tx,
            account,
            &pressroom_store::NewUsage {
                credits: Credits::ZERO,
                error: Some("superseded: the image was settled during the call".into()),
                ..usage
            },
            None,
        )
        .await?;
        ctx.complete_in(&mut tx).await?;
        tx.commit().await?;
        return Ok(());
    }
    // One charge per picture, whatever retries or resumes happen around it.
    settle(&mut tx, account, &usage, Some(charge_key(&image))).await?;
    let moved = tx.review_if_images_settled(account, content.id).await?;
    if let Some(run) = job.run {
        tx.add_run_event(account, run, Some(Stage::ImagePromptsToImages), EventLevel::Info, &format!("image {} generated", image.id),
            serde_json::json!({"image": image.id, "content": content.id, "status": "generated", "content_to_review": moved})).await?;
    }
    ctx.complete_in(&mut tx).await?;
    tx.commit().await?;
    tracing::debug!(provider = %response.provider, model = %response.model, bytes = stored.bytes, content = content.id.get(), "image generated");
    Ok(())
}

/// A stored picture as the image row records it, made by `provider`'s `model`.
pub(crate) fn stored_file(provider: &str, model: &str, stored: &StoredImage) -> GeneratedImage {
    GeneratedImage {
        provider: provider.to_string(),
        model: model.to_string(),
        file_path: stored.relative.clone(),
        public_url: None,
        // A file of more than i64::MAX bytes cannot exist; the cap only keeps this total.
        bytes: i64::try_from(stored.bytes).unwrap_or(i64::MAX),
        sha256: stored.sha256.clone(),
    }
}

/// The charge of an image's picture: the first keeps the key it always had, each regenerated
/// one (a new generation) has its own.
fn charge_key(image: &pressroom_domain::Image) -> String {
    match image.generation {
        1 => format!("image:{}:generated", image.id),
        g => format!("image:{}:generated:{g}", image.id),
    }
}

impl From<PipelineError> for JobError {
    fn from(e: PipelineError) -> JobError {
        if e.is_transient() {
            JobError::retry(e.to_string())
        } else {
            JobError::permanent(e.to_string())
        }
    }
}

/// Fails the images of `run` whose generation job is dead (its last attempt's worker died, or
/// it could not run at all) while the image is still pending or generating, and no newer job
/// for it is live: nothing will ever settle them, and Stage 6 waits for every image to
/// settle. Returns how many were failed.
pub async fn fail_orphaned_images(p: &Pipeline, account: AccountId, run: RunId) -> Result<u64> {
    let dead = p.queue().dead_jobs_of_run(run, IMAGE_JOB).await?;
    let mut orphans: Vec<(ImageJob, String)> = Vec::new();
    for job in &dead {
        let payload: ImageJob = serde_json::from_str(&job.payload).map_err(|e| {
            PipelineError::Internal(format!(
                "image job {} has an unreadable payload: {e}",
                job.id
            ))
        })?;
        if payload.account == account {
            let reason = format!(
                "generation stopped: {}",
                job.last_error.as_deref().unwrap_or("its job died")
            );
            orphans.push((payload, reason));
        }
    }
    let keys: Vec<String> = orphans.iter().map(|(j, _)| job_key(j.image)).collect();
    let live: std::collections::HashSet<String> = p
        .queue()
        .live_dedupe_keys(&keys)
        .await?
        .into_iter()
        .collect();
    let mut failed = 0;
    for (payload, reason) in orphans {
        if live.contains(&job_key(payload.image)) {
            continue;
        }
        let mut tx = p.db().begin().await?;
        let image = tx.image_for_update(account, payload.image).await?;
        if image.status.is_settled() {
            continue;
        }
        if image.status == ImageStatus::Pending {
            tx.move_status(account, image.id, ImageStatus::Generating)
                .await?;
        }
        tx.fail_image(account, image.id, ImageStatus::Failed, &reason)
            .await?;
        tx.review_if_images_settled(account, image.content_id)
            .await?;
        tx.add_run_event(
            account,
            run,
            Some(Stage::ImagePromptsToImages),
            EventLevel::Warn,
            &format!("image {} failed: {reason}", image.id),
            serde_json::json!({"image": image.id, "status": "failed"}),
        )
        .await?;
        tx.commit().await?;
        failed += 1;
    }
    Ok(failed)
}
