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
use pressroom_domain::{AccountId, SiteId};

/// Recomputes `site`'s next due slot from its schedule, after its settings changed. A slot
/// already due stays due while the schedule is on (a change in the minute before the tick
/// does not swallow it); otherwise the next slot is the first after now.
pub async fn reschedule_site(p: &Pipeline, account: AccountId, site: SiteId) -> Result<()> {
    let row = p.db().site(account, site).await?;
    let now = p.now();
    let next = row
        .settings
        .schedule
        .next_slot_after(&row.settings.timezone, now)?;
    let current = p.db().next_slot_at(account, site).await?;
    let keep_due = next.is_some() && current.is_some_and(|at| at <= now);
    if !keep_due {
        p.db().set_next_slot(account, site, next).await?;
    }
    Ok(())
}
