//! The publishing queue: approved articles get a slot per destination from its schedule,
//! people hold, release, reorder or publish them now, and the scheduler's tick sends what is
//! due. Slots of one destination are handed out under its row lock, one transaction at a time.

use super::job::enqueue_publication;
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::*;
use pressroom_store::{QueuedPublication, StoreError, Tx};
use serde::Serialize;

/// How far back published and scheduled items count against the caps: a week covers the
/// current local week and day in every zone.
const CAP_LOOKBACK_MS: i64 = 7 * 86_400_000;
/// Due records read per tick. One page per tick: a record stays `pending` until its job runs,
/// so a second page read now would return the same first page (the queue's dedupe makes the
/// repeat harmless); the rest are read by the next minute's tick as the first ones go out.
const DUE_PAGE: u32 = 200;
/// Items per page of the queue view.
pub const VIEW_PAGE: u32 = 100;

/// When a queued article goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// At the next free slot of each destination's schedule (caps respected).
    Schedule,
    /// At once, whatever the schedule says.
    Now,
    /// Queued but held until a person releases it.
    Hold,
}

/// Queues `content` at `dests` (`None`: every active destination of its site). It must be
/// approved or published (published content is sent again, updating its posts). Records due
/// now are handed to the publish job at once; later ones are sent by the scheduler's tick.
pub async fn queue_content(
    p: &Pipeline,
    account: AccountId,
    content: ContentId,
    dests: Option<&[DestinationId]>,
    when: When,
    force_offline: bool,
) -> Result<Vec<QueuedPublication>> {
    let article = p.db().content(account, content).await?;
    if !matches!(
        article.status,
        ContentStatus::Approved | ContentStatus::Published
    ) {
        return Err(PipelineError::IllegalMove(format!(
            "content {content} is {}: only approved or published content can be published",
            article.status
        )));
    }
    // Said here rather than only when the job runs: a person queueing a sample hears at once.
    if article.offline && !force_offline {
        return Err(PipelineError::IllegalMove(format!(
            "content {content} is an offline sample, not for a live site; queue it with force (--force-offline) if you mean it"
        )));
    }
    let site = p.db().site(account, article.site_id).await?;
    let targets: Vec<DestinationId> = match dests {
        Some(d) => d.to_vec(),
        None => p
            .db()
            .destinations(account, site.id)
            .await?
            .into_iter()
            .filter(|d| d.status == DestinationStatus::Active)
            .map(|d| d.id)
            .collect(),
    };
    let now = p.now();
    let mut out = Vec::with_capacity(targets.len());
    let mut failed = None;
    for dest in targets {
        match queue_at(p, account, &site, content, dest, when, force_offline, now).await {
            Ok(queued) => out.push(queued),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    // What was committed is sent even when a later destination refused.
    for q in &out {
        if q.queued {
            send_if_due(p, &q.publication, now).await?;
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// One destination's record, in its own transaction under the destination's lock.
#[allow(clippy::too_many_arguments)]
async fn queue_at(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    content: ContentId,
    dest: DestinationId,
    when: When,
    force_offline: bool,
    now: TimestampMs,
) -> Result<QueuedPublication> {
    let mut tx = p.db().begin().await?;
    let destination = active_destination(&mut tx, account, dest).await?;
    if destination.site_id != site.id {
        // Another site's destination is as unknown as a missing one.
        return Err(StoreError::not_found("destination", dest).into());
    }
    let at = match when {
        When::Schedule => Some(free_slot(&mut tx, &destination, site, now).await?),
        When::Now => Some(now),
        When::Hold => None,
    };
    let queued = tx
        .queue_publication(account, content, dest, at, force_offline)
        .await?;
    tx.commit().await?;
    Ok(queued)
}

/// Holds a pending record: it keeps its place in no queue until released.
pub async fn hold(p: &Pipeline, account: AccountId, id: PublicationId) -> Result<Publication> {
    let mut tx = p.db().begin().await?;
    let publication = tx.publication_for_update(account, id).await?;
    pending(&publication)?;
    let held = tx.reschedule_publication(account, id, None).await?;
    tx.commit().await?;
    Ok(held)
}

/// Releases a held record to the end of its destination's queue (the next free slot after
/// the latest one taken).
pub async fn release(p: &Pipeline, account: AccountId, id: PublicationId) -> Result<Publication> {
    let before = p.db().publication(account, id).await?;
    let site = p.db().site(account, before.site_id).await?;
    let now = p.now();
    let mut tx = p.db().begin().await?;
    // The destination first, as queueing does: one lock order, no deadlock.
    let destination = active_destination(&mut tx, account, before.destination_id).await?;
    let publication = tx.publication_for_update(account, id).await?;
    pending(&publication)?;
    if !publication.held {
        return Err(PipelineError::IllegalMove(format!(
            "publication {id} is not held"
        )));
    }
    let at = free_slot(&mut tx, &destination, &site, now).await?;
    let released = tx.reschedule_publication(account, id, Some(at)).await?;
    tx.commit().await?;
    send_if_due(p, &released, now).await?;
    Ok(released)
}

/// Sends a pending record (held or not) now, outside the schedule and its caps: a person asked.
pub async fn publish_now(
    p: &Pipeline,
    account: AccountId,
    id: PublicationId,
) -> Result<Publication> {
    let before = p.db().publication(account, id).await?;
    let now = p.now();
    let mut tx = p.db().begin().await?;
    active_destination(&mut tx, account, before.destination_id).await?;
    let publication = tx.publication_for_update(account, id).await?;
    pending(&publication)?;
    let due = tx.reschedule_publication(account, id, Some(now)).await?;
    tx.commit().await?;
    enqueue_publication(p, account, id, None).await?;
    Ok(due)
}

/// Moves record `id` to just before `before` in their destination's queue. The items keep
/// the slots they had between them and take them in the new order, so no cap or slot changes:
/// for two neighbours this exchanges their slots. Both must be pending, not held, at one
/// destination.
pub async fn move_before(
    p: &Pipeline,
    account: AccountId,
    id: PublicationId,
    before: PublicationId,
) -> Result<Vec<Publication>> {
    if id == before {
        return Err(PipelineError::Invalid(
            "before: a publication cannot move before itself".into(),
        ));
    }
    let moving = p.db().publication(account, id).await?;
    let target = p.db().publication(account, before).await?;
    if moving.destination_id != target.destination_id {
        return Err(PipelineError::Invalid(format!(
            "before: publication {before} is queued at another destination"
        )));
    }
    let mut tx = p.db().begin().await?;
    active_destination(&mut tx, account, moving.destination_id).await?;
    let moving = tx.publication_for_update(account, id).await?;
    let target = tx.publication_for_update(account, before).await?;
    let (Some(from), Some(to)) = (queued_key(&moving)?, queued_key(&target)?) else {
        return Err(PipelineError::IllegalMove(
            "held publications have no place in the queue: release them first".into(),
        ));
    };
    let (lo, hi) = (from.min(to), from.max(to));
    let mut span: Vec<Publication> = Vec::new();
    for item in queued_between(p, &moving, lo, hi).await? {
        // Locked and read again in the transaction: a change since the read is a conflict.
        let locked = tx.publication_for_update(account, item.id).await?;
        if locked.scheduled_at != item.scheduled_at || locked.held || !is_pending(&locked) {
            return Err(PipelineError::Conflict(
                "the queue changed while moving; try again".into(),
            ));
        }
        span.push(locked);
    }
    let slots: Vec<Option<TimestampMs>> = span.iter().map(|i| i.scheduled_at).collect();
    let mut order: Vec<PublicationId> = span.iter().map(|i| i.id).collect();
    order.retain(|i| *i != id);
    let at = order
        .iter()
        .position(|i| *i == before)
        .unwrap_or(order.len());
    order.insert(at, id);
    let mut moved = Vec::new();
    for (item, slot) in order.iter().zip(slots) {
        let was = span.iter().find(|s| s.id == *item).map(|s| s.scheduled_at);
        if was != Some(slot) {
            moved.push(tx.reschedule_publication(account, *item, slot).await?);
        }
    }
    tx.commit().await?;
    Ok(moved)
}

/// Hands this minute's due records (one page) to the publish job; the count handed. Called
/// by the scheduler's tick.
pub async fn enqueue_due(p: &Pipeline) -> Result<usize> {
    let due = p.db().due_publications(p.now(), DUE_PAGE).await?;
    for d in &due {
        enqueue_publication(p, d.account, d.id, None).await?;
    }
    Ok(due.len())
}

/// Queues an article just approved at every active destination of its site, when the site
/// publishes automatically. Called after the approving transaction commits, so nothing here
/// can undo the approval: a failure (no slot within a year, a database blip) is logged and
/// the article stays approved, to be queued by hand.
pub async fn auto_publish(p: &Pipeline, account: AccountId, content: ContentId) {
    let queued = async {
        let article = p.db().content(account, content).await?;
        let site = p.db().site(account, article.site_id).await?;
        if site.settings.auto_publish != AutoPublish::On {
            return Ok(());
        }
        queue_content(p, account, content, None, When::Schedule, false)
            .await
            .map(|_| ())
    };
    if let Err(e) = queued.await {
        tracing::warn!(content = content.get(), error = %e, "auto-publish did not queue");
    }
}

/// One line of the queue view: the record with what a person reads next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    pub publication: Publication,
    pub title: String,
    pub destination: String,
    /// The slot's local date (`2026-06-10`) and time (`09:00`) in the site's time zone.
    pub local_day: Option<String>,
    pub local_time: Option<String>,
}

/// A page of a site's queue for the calendar: pending by slot first, held ones after them,
/// then the rest (published, failed).
pub async fn queue_view(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    page: u32,
) -> Result<Vec<QueueItem>> {
    let site = p.db().site(account, site).await?;
    let records = p
        .db()
        .publications_of_site(
            account,
            site.id,
            None,
            VIEW_PAGE,
            u64::from(page) * u64::from(VIEW_PAGE),
        )
        .await?;
    let ids: Vec<ContentId> = records.iter().map(|r| r.content_id).collect();
    let titles: std::collections::HashMap<ContentId, String> = p
        .db()
        .content_by_ids(account, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let names: std::collections::HashMap<DestinationId, String> = p
        .db()
        .destinations(account, site.id)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let zone = jiff::tz::TimeZone::get(&site.settings.timezone).ok();
    Ok(records
        .into_iter()
        .map(|r| {
            let at = r.published_at.or(r.scheduled_at);
            let local = at.and_then(|at| {
                let ts = jiff::Timestamp::from_millisecond(at).ok()?;
                let z = ts.to_zoned(zone.clone().unwrap_or(jiff::tz::TimeZone::UTC));
                Some((
                    z.strftime("%Y-%m-%d").to_string(),
                    z.strftime("%H:%M").to_string(),
                ))
            });
            QueueItem {
                title: titles.get(&r.content_id).cloned().unwrap_or_default(),
                destination: names.get(&r.destination_id).cloned().unwrap_or_default(),
                local_day: local.as_ref().map(|l| l.0.clone()),
                local_time: local.map(|l| l.1),
                publication: r,
            }
        })
        .collect())
}

/// The destination locked for this transaction; a removed one takes no new slots.
async fn active_destination(
    tx: &mut Tx,
    account: AccountId,
    id: DestinationId,
) -> Result<Destination> {
    let destination = tx.destination_for_update(account, id).await?;
    if destination.status != DestinationStatus::Active {
        return Err(PipelineError::Refused(format!(
            "destination {id} was removed: nothing more is queued there"
        )));
    }
    Ok(destination)
}

/// The next free slot at `destination`: after now and after its latest taken slot, so a new
/// item joins the end of the queue.
async fn free_slot(
    tx: &mut Tx,
    destination: &Destination,
    site: &Site,
    now: TimestampMs,
) -> Result<TimestampMs> {
    let taken = tx
        .taken_slots(
            destination.account_id,
            destination.id,
            now - CAP_LOOKBACK_MS,
        )
        .await?;
    let after = taken.last().map_or(now, |last| (*last).max(now));
    Ok(destination
        .schedule
        .next_slot(&site.settings.timezone, after, &taken)?)
}

async fn send_if_due(p: &Pipeline, publication: &Publication, now: TimestampMs) -> Result<()> {
    if !publication.held && publication.scheduled_at.is_some_and(|at| at <= now) {
        enqueue_publication(p, publication.account_id, publication.id, None).await?;
    }
    Ok(())
}

fn is_pending(publication: &Publication) -> bool {
    publication.status == PublicationStatus::Pending
}

fn pending(publication: &Publication) -> Result<()> {
    if is_pending(publication) {
        return Ok(());
    }
    Err(PipelineError::IllegalMove(format!(
        "publication {} is {}: only pending ones can be held, released, moved or sent now",
        publication.id, publication.status
    )))
}

/// A pending record's place in its queue, `None` while held.
fn queued_key(publication: &Publication) -> Result<Option<(TimestampMs, PublicationId)>> {
    pending(publication)?;
    Ok(match (publication.held, publication.scheduled_at) {
        (false, Some(at)) => Some((at, publication.id)),
        _ => None,
    })
}

/// The pending, not held records of `of`'s destination from `lo` to `hi` (by slot, then id),
/// both ends included.
async fn queued_between(
    p: &Pipeline,
    of: &Publication,
    lo: (TimestampMs, PublicationId),
    hi: (TimestampMs, PublicationId),
) -> Result<Vec<Publication>> {
    let mut out = Vec::new();
    let mut offset = 0u64;
    loop {
        let page = p
            .db()
            .publications_of_site(
                of.account_id,
                of.site_id,
                Some(PublicationStatus::Pending),
                VIEW_PAGE,
                offset,
            )
            .await?;
        let n = page.len();
        for r in page {
            if r.destination_id != of.destination_id || r.held {
                continue;
            }
            let Some(at) = r.scheduled_at else { continue };
            // Pages are by slot (ids of one slot newest first): past `hi`'s slot, all is read.
            if at > hi.0 {
                return Ok(sorted(out));
            }
            if (lo..=hi).contains(&(at, r.id)) {
                out.push(r);
            }
        }
        if n < VIEW_PAGE as usize {
            return Ok(sorted(out));
        }
        offset += n as u64;
    }
}

fn sorted(mut items: Vec<Publication>) -> Vec<Publication> {
    items.sort_by_key(|r| (r.scheduled_at, r.id));
    items
}
