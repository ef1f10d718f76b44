//! The item window shared by the text stages (2 clusters -> ideas, 4 tasks -> content, 5
//! content -> image prompts): input paged in id order after a cursor, several items at once,
//! each outcome recorded as it arrives.

use super::progress::{Halt, StageRun};
use crate::context::{Pipeline, PipelineError, Result};
use crate::functions;
use pressroom_domain::*;
use std::collections::VecDeque;
use tokio::task::JoinSet;
use tracing::Instrument;

/// Rows read per page of stage input: enough to keep the window full, few enough that a
/// stage's memory and each read's cost do not grow with the site.
const PAGE: u32 = 64;

/// A text stage: where its input comes from and what one item's work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemStage {
    /// Stage 2: `new` clusters, ideas for each.
    Ideas,
    /// Stage 4: queued tasks (and in-progress ones a stopped run left), an article for each.
    Content,
    /// Stage 5: draft articles without image rows, image prompts for each.
    ImagePrompts,
}

/// One item of stage input.
enum Item {
    Cluster(Cluster),
    Task(Task),
    Draft(Content),
}

impl Item {
    fn cursor(&self) -> i64 {
        match self {
            Item::Cluster(c) => c.id.get(),
            Item::Task(t) => t.id.get(),
            Item::Draft(c) => c.id.get(),
        }
    }
}

/// An item whose work has finished: how many things it made for how many credits, or why not.
struct ItemDone {
    outcome: Result<(usize, Credits)>,
    /// Search intents the item's planning found (Stage 2).
    intents: i64,
    made: String,
    what: String,
}

impl ItemStage {
    /// The stage's next page of input after the cursor `after`, and the page's last cursor
    /// (`None`: no input left). A run limited to chosen clusters keeps only their items of
    /// each page, so the cursor still moves past the rest.
    async fn page(self, sr: &StageRun<'_>, after: i64) -> Result<(Vec<Item>, Option<i64>)> {
        let scope = &sr.run.scope;
        let page = self.read(sr, after).await?;
        let last = page.last().map(Item::cursor);
        if scope.whole_site() {
            return Ok((page, last));
        }
        let drafts: Vec<ContentId> = page
            .iter()
            .filter_map(|item| match item {
                Item::Draft(c) => Some(c.id),
                _ => None,
            })
            .collect();
        let draft_clusters = sr.p.db().clusters_of_content(sr.account, &drafts).await?;
        let kept = page
            .into_iter()
            .filter(|item| match item {
                Item::Cluster(c) => scope.includes(c.id),
                Item::Task(t) => scope.includes(t.cluster_id),
                Item::Draft(c) => draft_clusters
                    .get(&c.id)
                    .is_some_and(|k| scope.includes(*k)),
            })
            .collect();
        Ok((kept, last))
    }

    async fn read(self, sr: &StageRun<'_>, after: i64) -> Result<Vec<Item>> {
        let (db, account, site) = (sr.p.db(), sr.account, sr.site.id);
        Ok(match self {
            ItemStage::Ideas => db
                .clusters_after(account, site, Some(ClusterStatus::New), after, PAGE)
                .await?
                .into_iter()
                .map(Item::Cluster)
                .collect(),
            ItemStage::Content => db
                .tasks_after(
                    account,
                    site,
                    &[TaskStatus::Queued, TaskStatus::InProgress],
                    after,
                    PAGE,
                )
                .await?
                .into_iter()
                .map(Item::Task)
                .collect(),
            ItemStage::ImagePrompts => db
                .drafts_without_images(account, site, after, PAGE)
                .await?
                .into_iter()
                .map(Item::Draft)
                .collect(),
        })
    }

    /// How many items at once the site's settings allow for this stage.
    fn batch(self, settings: &SiteSettings) -> u32 {
        match self {
            ItemStage::Ideas => settings.batch_sizes.clusters,
            ItemStage::Content => settings.batch_sizes.tasks,
            ItemStage::ImagePrompts => settings.batch_sizes.content,
        }
    }

    /// How many items may succeed in one run (the content cap for stage 4).
    fn cap(self, settings: &SiteSettings, scope: &RunScope) -> i64 {
        match self {
            ItemStage::Content => {
                let site_cap = settings.caps.content.map_or(i64::MAX, i64::from);
                scope
                    .max_articles
                    .map_or(site_cap, |n| site_cap.min(i64::from(n)))
            }
            ItemStage::Ideas | ItemStage::ImagePrompts => i64::MAX,
        }
    }
}

/// One item's work, run as its own task: it owns what it needs.
async fn work(p: Pipeline, account: AccountId, run: RunId, item: Item) -> ItemDone {
    let run = Some(run);
    match item {
        Item::Cluster(cluster) => {
            let outcome = functions::generate_ideas(&p, account, cluster.id, run).await;
            let intents = outcome.as_ref().map_or(0, |r| r.intents);
            let outcome = outcome.map(|r| (r.ideas.len(), r.credits));
            let n = outcome.as_ref().map_or(0, |o| o.0);
            ItemDone {
                made: format!(
                    "{n} ideas for cluster {:?} ({intents} search intents without an article)",
                    cluster.name
                ),
                what: format!("cluster {:?}", cluster.name),
                outcome,
                intents,
            }
        }
        Item::Task(task) => ItemDone {
            outcome: functions::generate_content(&p, account, task.id, run)
                .await
                .map(|(_, c)| (1, c)),
            made: format!("article written for {:?}", task.title),
            what: format!("task {:?}", task.title),
            intents: 0,
        },
        Item::Draft(content) => {
            let outcome = functions::generate_image_prompts(&p, account, content.id, run).await;
            let outcome = outcome.map(|(images, c)| (images.len(), c));
            let n = outcome.as_ref().map_or(0, |o| o.0);
            ItemDone {
                made: format!("{n} image prompts for {:?}", content.title),
                what: format!("content {:?}", content.title),
                outcome,
                intents: 0,
            }
        }
    }
}

/// Works through the stage's input, recording each outcome as it arrives. As many items are
/// out at once as the stage's batch size, but no more than the site's text provider takes
/// calls at once (its limiter caps the calls themselves). A pause or cancel, the credit cap,
/// the stage's cap (counting what this run already made in it, across driver restarts) or a
/// fault that affects every item stops new items from starting; the ones already out finish
/// and are recorded, so every saved output is in the stage's counts. With more than one item
/// out, the credit cap can be passed by what they cost.
///
/// Each item runs as its own task. Futures polled only from this loop would stall while it
/// records an outcome, and on SQLite a stalled item holding the write lock would make this
/// loop's own write wait on it until the busy timeout.
pub(super) async fn run_items(sr: &mut StageRun<'_>, stage: ItemStage) -> Result<Option<Halt>> {
    let settings = &sr.site.settings;
    let provider_limit =
        sr.p.providers()
            .text(sr.account.get(), settings)
            .map_or(1, |choice| choice.provider.max_in_flight());
    let window = provider_limit.min(stage.batch(settings).max(1) as usize);
    let cap = stage
        .cap(settings, &sr.run.scope)
        .saturating_sub(sr.result().created);
    let mut out: JoinSet<ItemDone> = JoinSet::new();
    let mut waiting: VecDeque<Item> = VecDeque::new();
    let (mut after, mut succeeded) = (0i64, 0i64);
    let mut drained = false;
    let mut halt = None;
    let mut fatal = None;
    loop {
        while halt.is_none()
            && fatal.is_none()
            && out.len() < window
            && succeeded + (out.len() as i64) < cap
            && !sr.over_credit_cap()
        {
            while waiting.is_empty() && !drained {
                match stage.page(sr, after).await {
                    Ok((_, None)) => drained = true,
                    Ok((items, Some(last))) => {
                        after = last;
                        waiting.extend(items);
                    }
                    Err(e) => {
                        fatal = Some(e);
                        break;
                    }
                }
            }
            let Some(item) = waiting.pop_front() else {
                break;
            };
            // The task carries the stage's span: its lines keep the run's ids.
            out.spawn(work(sr.p.clone(), sr.account, sr.run.id, item).in_current_span());
        }
        let done = match out.join_next().await {
            None => break,
            Some(Ok(done)) => done,
            Some(Err(e)) => {
                // A panic is a bug, not something a retry or the next item can fix.
                fatal.get_or_insert(PipelineError::Internal(format!(
                    "an item's task failed: {e}"
                )));
                continue;
            }
        };
        if done.outcome.is_ok() {
            succeeded += 1;
        }
        match record(sr, done).await {
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

/// Records an item that made things, or its failure: a fault that affects every item fails
/// the stage (see [`is_fatal`]); any other is that item's alone, and the stage goes on.
async fn record(sr: &mut StageRun<'_>, done: ItemDone) -> Result<Option<Halt>> {
    match done.outcome {
        Ok((n, credits)) => {
            sr.item(EventLevel::Info, done.made, |r| {
                r.processed += 1;
                r.created += n as i64;
                r.intents += done.intents;
                r.credits = Credits(r.credits.0 + credits.0);
            })
            .await
        }
        Err(e) if is_fatal(&e) => Err(e),
        Err(e) => {
            let what = done.what;
            sr.item(EventLevel::Error, format!("{what} failed: {e}"), |r| {
                r.processed += 1;
                r.failed += 1;
            })
            .await
        }
    }
}

/// A failure no other item can escape: no credits, no budget left, a provider that is not configured, refuses
/// the key or has no quota, a database that is unreachable, or a bug. The stage stops; a
/// transient one is retried by the driver's job, the others fail the run.
pub(super) fn is_fatal(e: &PipelineError) -> bool {
    use pressroom_providers::ProviderError as P;
    match e {
        PipelineError::Store(s) => {
            matches!(s, pressroom_store::StoreError::InsufficientCredits { .. }) || s.is_transient()
        }
        PipelineError::Queue(q) => q.is_transient(),
        PipelineError::Provider(p) => matches!(
            p,
            P::Config { .. } | P::Unauthorized { .. } | P::QuotaExhausted { .. }
        ),
        PipelineError::Internal(_) | PipelineError::OverBudget(_) => true,
        _ => false,
    }
}
