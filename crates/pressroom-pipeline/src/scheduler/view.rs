//! What a site's schedule looks like to people: `pressroom schedule list` and the Automation
//! page show the same thing.

use crate::budget::{SiteBudget, site_budget};
use crate::context::{Pipeline, Result};
use pressroom_domain::*;
use pressroom_store::ScheduleSlot;
use serde::Serialize;

/// Slots shown per site.
pub const RECENT_SLOTS: u32 = 10;

/// A site's schedule, next slot and latest slots.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    pub site: SiteId,
    pub site_name: String,
    pub schedule: Schedule,
    /// `daily at 06:00`, `off`.
    pub summary: String,
    pub timezone: String,
    /// UTC milliseconds; `None` when off.
    pub next_slot_at: Option<TimestampMs>,
    /// The next slot in the site's zone (`2026-12-02 06:00 CET`) and in UTC.
    pub next_slot_local: Option<String>,
    pub next_slot_utc: Option<String>,
    pub slots: Vec<ScheduleSlot>,
    pub budget: SiteBudget,
}

pub async fn schedule_view(p: &Pipeline, site: &Site) -> Result<ScheduleView> {
    let next = p.db().next_slot_at(site.account_id, site.id).await?;
    let tz = &site.settings.timezone;
    Ok(ScheduleView {
        site: site.id,
        site_name: site.name.clone(),
        schedule: site.settings.schedule.clone(),
        summary: summary(&site.settings.schedule),
        timezone: tz.clone(),
        next_slot_at: next,
        next_slot_local: next.map(|at| local_time(tz, at)),
        next_slot_utc: next.map(|at| local_time("UTC", at)),
        slots: p
            .db()
            .schedule_slots(site.account_id, site.id, RECENT_SLOTS)
            .await?,
        budget: site_budget(p, site).await?,
    })
}

/// Every site of `account`.
pub async fn schedule_views(p: &Pipeline, account: AccountId) -> Result<Vec<ScheduleView>> {
    let mut out = Vec::new();
    for site in p.db().sites(account).await? {
        out.push(schedule_view(p, &site).await?);
    }
    Ok(out)
}

pub fn summary(s: &Schedule) -> String {
    let day = |w: Weekday| format!("{w:?}");
    match s.frequency {
        Frequency::Off => "off".into(),
        Frequency::Daily => format!("daily at {}", s.time),
        Frequency::Weekly => format!("weekly on {} at {}", day(s.weekday), s.time),
        Frequency::Monthly => format!(
            "monthly on day {} at {}{}",
            s.day_of_month,
            s.time,
            if s.day_of_month > 28 {
                " (the last day in shorter months)"
            } else {
                ""
            }
        ),
    }
}

/// `2026-12-02 06:00 CET` in zone `tz`; the raw number if it cannot be shown.
pub fn local_time(tz: &str, at: TimestampMs) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_millisecond(at) {
        Ok(ts) => ts.to_zoned(zone).strftime("%Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => at.to_string(),
    }
}
