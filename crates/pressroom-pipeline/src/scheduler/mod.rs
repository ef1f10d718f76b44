//! Scheduled automation on the durable queue: no second cron system. A `scheduler.tick` job
//! runs once a minute (each tick first queues its successor, deduplicated by minute, so the
//! chain survives any process dying), reads the sites whose next slot is due and claims each
//! slot with a compare-and-set on `sites.next_slot_at`: however many `serve` and `worker`
//! processes tick, exactly one claims a slot and starts its run. The claim moves the site to
//! its first slot after now, so slots missed while everything was down run once, not once
//! each. Every process queues the tick for the current minute on start, so it catches up.

mod tick;
mod view;

pub use tick::{
    SCHEDULER_QUEUE, SlotReport, TICK_JOB, TickJob, run_due_slots, run_tick_job, start,
};
pub use view::{ScheduleView, local_time, schedule_view, schedule_views, summary};

use crate::context::{Pipeline, Result};
use pressroom_domain::{AccountId, SiteId, SiteSettings, TimestampMs};
use pressroom_store::Tx;

/// Recomputes `site`'s next due slot from its stored schedule, in a transaction of its own
/// (settings changes do it in theirs, [`reschedule_in`]).
pub async fn reschedule_site(p: &Pipeline, account: AccountId, site: SiteId) -> Result<()> {
    let mut tx = p.db().begin().await?;
    let row = tx.site_for_update(account, site).await?;
    reschedule_in(&mut tx, account, site, &row.settings, p.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Recomputes `site`'s next due slot from its schedule, in the transaction that changed its
/// settings (so a schedule turned on is never saved without its slot).
pub async fn reschedule_in(
    tx: &mut Tx,
    account: AccountId,
    site: SiteId,
    settings: &SiteSettings,
    now: TimestampMs,
) -> Result<()> {
    let current = tx.next_slot_at(account, site).await?;
    if let Some(next) = next_slot(settings, current, now)? {
        tx.set_next_slot(account, site, next).await?;
    }
    Ok(())
}

/// The site's new next slot, `None` when the stored one stands. A slot already due stays due
/// while the schedule is on (a change in the minute before the tick does not swallow it);
/// otherwise the next slot is the first after now (`Some(None)`: the schedule is off).
fn next_slot(
    settings: &SiteSettings,
    current: Option<TimestampMs>,
    now: TimestampMs,
) -> Result<Option<Option<TimestampMs>>> {
    let next = settings.schedule.next_slot_after(&settings.timezone, now)?;
    let keep_due = next.is_some() && current.is_some_and(|at| at <= now);
    Ok((!keep_due).then_some(next))
}
