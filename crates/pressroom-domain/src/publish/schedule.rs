//! When a destination publishes: at once, at fixed local times, or one every N minutes inside
//! a daily window, never more than its daily and weekly caps. Pressroom publishes at the slot
//! itself (WordPress gets a post to publish now, never a `future` post left to WP-Cron).

use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PublishMode {
    /// As soon as it is queued (caps still hold).
    #[default]
    Immediate,
    /// At each of `times` (local `HH:MM`), one article per slot.
    Slots,
    /// One article every `every_minutes` between `window_start` and `window_end` (local).
    Stagger,
}

/// A destination's schedule. Stored as JSON; unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishSchedule {
    pub mode: PublishMode,
    /// Slots: local times of day, `HH:MM`.
    pub times: Vec<String>,
    /// Stagger: minutes between two articles.
    pub every_minutes: u32,
    /// Stagger: the daily window, local `HH:MM`; an end before the start runs past midnight.
    pub window_start: String,
    pub window_end: String,
    /// At most this many articles per local day / per week (Monday to Sunday, local).
    pub daily_cap: Option<u32>,
    pub weekly_cap: Option<u32>,
}

impl Default for PublishSchedule {
    fn default() -> Self {
        PublishSchedule {
            mode: PublishMode::Immediate,
            times: vec!["09:00".into(), "15:00".into()],
            every_minutes: 60,
            window_start: "09:00".into(),
            window_end: "17:00".into(),
            daily_cap: None,
            weekly_cap: None,
        }
    }
}

/// Most slots a day can have.
pub const MAX_TIMES: usize = 48;

impl PublishSchedule {
    /// Checks the times, interval and caps; the message names the field at fault.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.mode == PublishMode::Slots && self.times.is_empty() {
            return Err(DomainError::InvalidValue {
                field: "schedule.times",
                value: "none: slots need at least one time".into(),
            });
        }
        if self.times.len() > MAX_TIMES {
            return Err(DomainError::OutOfRange {
                field: "schedule.times",
                min: 1,
                max: MAX_TIMES as i64,
            });
        }
        for t in &self.times {
            crate::schedule::parse_time(t)?;
        }
        crate::schedule::parse_time(&self.window_start)?;
        crate::schedule::parse_time(&self.window_end)?;
        if !(1..=1440).contains(&self.every_minutes) {
            return Err(DomainError::OutOfRange {
                field: "schedule.every_minutes",
                min: 1,
                max: 1440,
            });
        }
        for (field, cap) in [
            ("schedule.daily_cap", self.daily_cap),
            ("schedule.weekly_cap", self.weekly_cap),
        ] {
            if cap.is_some_and(|c| !(1..=10_000).contains(&c)) {
                return Err(DomainError::OutOfRange {
                    field,
                    min: 1,
                    max: 10_000,
                });
            }
        }
        Ok(())
    }
}
