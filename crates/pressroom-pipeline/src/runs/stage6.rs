//! Stage 6: queue the site's pending images on the image generation queue, in pages, then wait
//! for the run's image jobs to settle, watching counts (one grouped count of jobs, one of
//! images) rather than rows, so a wait costs the same for 10 images as for 100,000.

use super::progress::{Halt, StageRun};
use crate::context::Result;
use crate::images::{self, IMAGE_JOB, ImageRequestOutcome};
use pressroom_domain::*;
use std::time::Duration;

/// Image ids queued per call of the image generation queue.
const PAGE: u32 = 500;
/// How often the wait looks at the counts.
const POLL: Duration = Duration::from_millis(100);
/// Every this many polls, images whose job died are failed instead of waited for.
const ORPHAN_CHECK_EVERY: u64 = 20;

pub(super) async fn stage_images(sr: &mut StageRun<'_>) -> Result<Option<Halt>> {
    let (p, account, site, run) = (sr.p, sr.account, sr.site.id, sr.run.id);
    let base = p.db().image_counts(account, site).await?;
    // The image cap counts every image this run already sent through the queue (before a
    // pause or a driver restart too), from the run's own jobs.
    let sent = p.queue().run_job_counts(run, IMAGE_JOB).await?.queued;
    let cap = sr
        .site
        .settings
        .caps
        .images
        .map_or(i64::MAX, i64::from)
        .saturating_sub(sent);
    let (mut after, mut queued) = (0i64, 0i64);
    while queued < cap {
        let mut ids = p
            .db()
            .image_ids_after(
                account,
                site,
                &[ImageStatus::Pending, ImageStatus::Generating],
                after,
                PAGE,
            )
            .await?;
        let Some(last) = ids.last() else { break };
        after = last.get();
        if !sr.run.scope.whole_site() {
            ids = in_scope(sr, ids).await?;
        }
        ids.truncate(usize::try_from(cap - queued).unwrap_or(usize::MAX));
        if ids.is_empty() {
            continue;
        }
        let outcomes = images::generate_images(p, account, &ids, Some(run)).await?;
        queued += outcomes
            .iter()
            .filter(|o| matches!(o, ImageRequestOutcome::Queued { .. }))
            .count() as i64;
    }
    let left = p
        .db()
        .image_ids_after(account, site, &[ImageStatus::Pending], after, 1)
        .await?;
    let mut message = format!("{queued} images queued for generation");
    if !left.is_empty() {
        message.push_str("; the per-run image cap was reached, the rest wait for the next run");
    }
    if let Some(h) = sr.note(EventLevel::Info, message).await? {
        return Ok(Some(h));
    }
    let mut seen = (0i64, 0i64);
    let mut polls = 0u64;
    loop {
        let jobs = p.queue().run_job_counts(run, IMAGE_JOB).await?;
        let now = p.db().image_counts(account, site).await?;
        // A person retrying older failed images meanwhile can lower the failed count.
        let generated = (now.generated - base.generated).max(0);
        let failed = (now.failed - base.failed).max(0);
        if (generated, failed) != seen {
            let (dg, df) = (generated - seen.0, failed - seen.1);
            seen = (generated, failed);
            let credits = p
                .db()
                .run_credits(account, run, AiFunction::GenerateImage)
                .await?;
            let halt = sr
                .item(
                    EventLevel::Info,
                    format!("{} images settled, {} to go", generated + failed, jobs.live),
                    |r| {
                        r.processed += dg + df;
                        r.created += dg;
                        r.failed += df;
                        r.credits = credits;
                    },
                )
                .await?;
            // Paused: the run's image jobs are held in the queue; they go on at resume.
            if halt.is_some() {
                return Ok(halt);
            }
        }
        if jobs.live == 0 {
            // Images whose job died unsettled are failed now and counted on the next look.
            if jobs.dead > 0 && images::fail_orphaned_images(p, account, run).await? > 0 {
                continue;
            }
            return sr.halted().await;
        }
        // Everything left is held: the run was paused before any image settled.
        if jobs.live == jobs.held
            && let Some(h) = sr.halted().await?
        {
            return Ok(Some(h));
        }
        polls += 1;
        if polls.is_multiple_of(ORPHAN_CHECK_EVERY) {
            if let Some(h) = sr.halted().await? {
                return Ok(Some(h));
            }
            if jobs.dead > 0 {
                images::fail_orphaned_images(p, account, run).await?;
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The images among `ids` whose article was written for one of the run's clusters.
async fn in_scope(sr: &StageRun<'_>, ids: Vec<ImageId>) -> Result<Vec<ImageId>> {
    let db = sr.p.db();
    let images = db.images_by_ids(sr.account, &ids).await?;
    let contents: Vec<ContentId> = images.iter().map(|i| i.content_id).collect();
    let clusters = db.clusters_of_content(sr.account, &contents).await?;
    Ok(images
        .into_iter()
        .filter(|i| {
            clusters
                .get(&i.content_id)
                .is_some_and(|c| sr.run.scope.includes(*c))
        })
        .map(|i| i.id)
        .collect())
}
