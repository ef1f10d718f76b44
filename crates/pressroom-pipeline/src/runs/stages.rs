//! What each stage does. Every stage takes its input by status, in id order after a cursor,
//! a page at a time, so an item left in its input status (left out by the model, failed) is
//! tried once per run, never in a loop, and no item is skipped however large the site.

use super::progress::{Halt, StageRun};
use super::stage6::stage_images;
use super::window::{ItemStage, is_fatal, run_items};
use crate::context::Result;
use crate::functions;
use pressroom_domain::*;
use pressroom_store::KeywordFilter;

/// Ideas (stage 3) and reviewed articles (stage 7) read per page.
const PAGE: u32 = 200;
/// New clusters written per transaction (and per event) when no model names them.
const OFFLINE_CLUSTERS_PER_PIECE: usize = 50;

#[tracing::instrument(name = "stage", skip_all, fields(stage = sr.stage.number()))]
pub(super) async fn run_stage(sr: &mut StageRun<'_>) -> Result<Option<Halt>> {
    match sr.stage {
        Stage::KeywordsToClusters => keywords_to_clusters(sr).await,
        Stage::ClustersToIdeas => run_items(sr, ItemStage::Ideas).await,
        Stage::IdeasToTasks => ideas_to_tasks(sr).await,
        Stage::TasksToContent => run_items(sr, ItemStage::Content).await,
        Stage::ContentToImagePrompts => run_items(sr, ItemStage::ImagePrompts).await,
        Stage::ImagePromptsToImages => stage_images(sr).await,
        Stage::ReviewGate => review_gate(sr).await,
    }
}

/// Stage 1: the site's `new` keywords are placed over its whole list (joining existing
/// clusters or forming new ones), then the new clusters are made a few at a time (offline) or
/// one per model call, each piece an event, so a pause or the credit cap stops between them.
/// A piece that fails is recorded and the next goes on; keywords still `new` at the end are
/// counted in an event that says why.
async fn keywords_to_clusters(sr: &mut StageRun<'_>) -> Result<Option<Halt>> {
    let (p, account, site) = (sr.p, sr.account, sr.site.id);
    if !sr.run.scope.whole_site() {
        let message = format!(
            "the run is limited to {} chosen clusters: clustering skipped, new keywords wait",
            sr.run.scope.clusters.len()
        );
        return sr.note(EventLevel::Info, message).await;
    }
    let s = &sr.site.settings;
    let waiting = p
        .db()
        .count_keywords(
            account,
            site,
            &KeywordFilter::with_status(KeywordStatus::New),
        )
        .await?;
    if waiting < i64::from(s.min_keywords_to_cluster) {
        let message = format!(
            "{waiting} new keywords, fewer than the minimum of {}: clustering skipped",
            s.min_keywords_to_cluster
        );
        return sr
            .item(EventLevel::Warn, message, |r| r.skipped += waiting)
            .await;
    }
    // The keyword cap counts what this run already clustered before a pause or restart.
    let cap = s
        .caps
        .keywords
        .map_or(i64::MAX, i64::from)
        .saturating_sub(sr.result().processed);
    let site_row = sr.site.clone();
    if s.clustering.method == ClusterMethod::Embedding
        && let Some(halt) = embed_in_batches(sr, cap).await?
    {
        return Ok(halt);
    }
    let grouping =
        functions::group_new_keywords(p, account, &site_row, cap, Some(sr.run.id)).await?;
    if grouping.credits.0 > 0 {
        let message = format!(
            "{} keywords embedded for clustering ({} credits)",
            grouping.considered, grouping.credits
        );
        let spent = grouping.credits;
        let halt = sr
            .item(EventLevel::Info, message, |r| {
                r.credits = Credits(r.credits.0 + spent.0)
            })
            .await?;
        if halt.is_some() {
            return Ok(halt);
        }
    }
    let joined: i64 = grouping.joins.iter().map(|(_, k)| k.len() as i64).sum();
    if joined > 0 {
        let linked = functions::join_clusters(p, account, site, &grouping.joins).await? as i64;
        let message = format!(
            "{linked} keywords joined {} existing clusters ({} clustering at {:.2})",
            grouping.joins.len(),
            grouping.method,
            grouping.threshold
        );
        let halt = sr
            .item(EventLevel::Info, message, |r| {
                r.processed += joined;
                r.skipped += joined - linked;
            })
            .await?;
        if halt.is_some() {
            return Ok(halt);
        }
    }
    // Offline, clusters are written a piece at a time; a model names one cluster per call.
    let piece = if functions::model_names_clusters(p, &site_row).await? {
        1
    } else {
        OFFLINE_CLUSTERS_PER_PIECE
    };
    let mut stopped = None;
    for groups in grouping.groups.chunks(piece) {
        if sr.over_credit_cap() {
            stopped = Some("the per-run credit cap was reached");
            break;
        }
        let n: i64 = groups.iter().map(|g| g.keywords.len() as i64).sum();
        let halt =
            match functions::make_clusters(p, account, &site_row, groups, Some(sr.run.id)).await {
                Ok(rep) => {
                    let mapped = rep.keywords_mapped as i64;
                    let made = rep.clusters.len() as i64;
                    let message =
                        format!("{mapped} of {n} keywords clustered into {made} new clusters");
                    sr.item(EventLevel::Info, message, |r| {
                        r.processed += n;
                        r.created += made;
                        r.skipped += n - mapped;
                        r.credits = Credits(r.credits.0 + rep.credits.0);
                    })
                    .await?
                }
                Err(e) if is_fatal(&e) => return Err(e),
                Err(e) => {
                    let message = format!("clustering {n} keywords failed: {e}");
                    sr.item(EventLevel::Error, message, |r| {
                        r.processed += n;
                        r.failed += n;
                    })
                    .await?
                }
            };
        if halt.is_some() {
            return Ok(halt);
        }
    }
    if stopped.is_none() && grouping.considered >= cap {
        stopped = Some("the per-run keyword cap was reached");
    }
    let left = p
        .db()
        .count_keywords(
            account,
            site,
            &KeywordFilter::with_status(KeywordStatus::New),
        )
        .await?;
    if left == 0 {
        return Ok(None);
    }
    let why = match stopped {
        Some(why) => format!("{why}; they wait for the next run"),
        None => "the model placed them in no cluster, or their piece failed".to_string(),
    };
    sr.note(
        EventLevel::Warn,
        format!("{left} keywords remain new: {why}"),
    )
    .await
}

/// The embedding method's vectors, a paid batch at a time, each an event with its credits, so a
/// pause or the credit cap stops between calls; grouping then reads them from the cache.
/// `Some(None)`: stop the stage without grouping (cap reached or a batch failed; an event says
/// which).
async fn embed_in_batches(sr: &mut StageRun<'_>, cap: i64) -> Result<Option<Option<Halt>>> {
    let (p, account) = (sr.p, sr.account);
    let site = sr.site.clone();
    let phrases = functions::phrases_to_embed(p, account, site.id, cap).await?;
    for batch in phrases.chunks(functions::EMBED_BATCH) {
        if sr.over_credit_cap() {
            let why = "the per-run credit cap was reached while embedding keywords; clustering waits for the next run";
            return Ok(Some(sr.note(EventLevel::Warn, why.to_string()).await?));
        }
        let batch = batch.to_vec();
        match functions::embed_phrases(p, account, &site, &batch, Some(sr.run.id)).await {
            Ok((_, spent)) => {
                let message = format!("{} phrases embedded ({spent} credits)", batch.len());
                let halt = sr
                    .item(EventLevel::Info, message, |r| {
                        r.credits = Credits(r.credits.0 + spent.0)
                    })
                    .await?;
                if halt.is_some() {
                    return Ok(Some(halt));
                }
            }
            Err(e) if is_fatal(&e) => return Err(e),
            Err(e) => {
                let message = format!(
                    "embedding {} phrases failed: {e}; clustering waits for the next run",
                    batch.len()
                );
                return Ok(Some(sr.item(EventLevel::Error, message, |_| {}).await?));
            }
        }
    }
    Ok(None)
}

/// Stage 3 (local, no AI): `new` ideas become queued tasks, a page at a time.
async fn ideas_to_tasks(sr: &mut StageRun<'_>) -> Result<Option<Halt>> {
    let (p, account, site) = (sr.p, sr.account, sr.site.id);
    let batch = sr.site.settings.batch_sizes.ideas.max(1);
    let mut after = 0i64;
    loop {
        let ideas = p
            .db()
            .ideas_after(account, site, Some(IdeaStatus::New), after, batch)
            .await?;
        let Some(last) = ideas.last() else {
            return Ok(None);
        };
        after = last.id.get();
        let scope = &sr.run.scope;
        let ids: Vec<IdeaId> = ideas
            .iter()
            .filter(|i| scope.includes(i.cluster_id))
            .map(|i| i.id)
            .collect();
        let tasks = functions::create_tasks(p, account, &ids).await?;
        let n = tasks.len() as i64;
        let halt = sr
            .item(EventLevel::Info, format!("{n} tasks created"), |r| {
                r.processed += ids.len() as i64;
                r.created += n;
                r.skipped += ids.len() as i64 - n;
            })
            .await?;
        if halt.is_some() {
            return Ok(halt);
        }
    }
}

/// Stage 7: with manual review the run ends awaiting it; with auto review every article in
/// review is approved, a page at a time.
async fn review_gate(sr: &mut StageRun<'_>) -> Result<Option<Halt>> {
    let (p, account, site) = (sr.p, sr.account, sr.site.id);
    if sr.site.settings.review_mode == ReviewMode::Manual {
        let n = p
            .db()
            .count_content(account, site, Some(ContentStatus::Review))
            .await?;
        let message = format!("{n} articles wait for review");
        return sr.item(EventLevel::Info, message, |r| r.skipped += n).await;
    }
    let mut after = 0i64;
    loop {
        let page = p
            .db()
            .content_after(account, site, Some(ContentStatus::Review), after, PAGE)
            .await?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        after = last.id.get();
        for content in page {
            let mut tx = p.db().begin().await?;
            tx.move_status(account, content.id, ContentStatus::Approved)
                .await?;
            tx.commit().await?;
            crate::publish::queue::auto_publish(p, account, content.id).await;
            let message = format!("approved {:?}", content.title);
            let halt = sr
                .item(EventLevel::Info, message, |r| {
                    r.processed += 1;
                    r.created += 1;
                })
                .await?;
            if halt.is_some() {
                return Ok(halt);
            }
        }
    }
}
