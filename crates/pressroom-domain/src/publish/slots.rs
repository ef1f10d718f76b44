//! A destination's next free instant: the schedule's candidate times in the site's zone,
//! minus those already taken, within the daily and weekly caps.

use super::schedule::{PublishMode, PublishSchedule};
use crate::schedule::{local_instant, parse_time};
use crate::{DomainError, TimestampMs};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// How far ahead a free slot is looked for: past this the schedule (a cap of one a week with
/// a year's worth queued, say) cannot place the article and says so.
const SEARCH_DAYS: i64 = 366;
const MINUTE_MS: i64 = 60_000;

impl PublishSchedule {
    /// The first instant at or after `after` this schedule allows in time zone `tz`, given the
    /// instants already `taken` at the destination (its scheduled and published items, sorted):
    /// immediate is `after` itself; slots and stagger use each free slot once. The local day's
    /// and the local week's (Monday to Sunday) counts stay below the caps; an immediate article
    /// over a cap waits for the next local day's (or week's) first minute. Local times in a
    /// spring-forward gap move to the gap's end; a time that happens twice is the first.
    pub fn next_slot(
        &self,
        tz: &str,
        after: TimestampMs,
        taken: &[TimestampMs],
    ) -> Result<TimestampMs, DomainError> {
        self.validate()?;
        let zone = TimeZone::get(tz).map_err(|_| DomainError::InvalidValue {
            field: "timezone",
            value: tz.to_string(),
        })?;
        let finder = Finder {
            schedule: self,
            zone,
            taken,
        };
        let first = finder.date_of(after)?;
        let last = add_days(first, SEARCH_DAYS)?;
        let found = match self.mode {
            PublishMode::Immediate => finder.immediate(after, last)?,
            PublishMode::Slots | PublishMode::Stagger => finder.slotted(after, first, last)?,
        };
        found.ok_or_else(|| DomainError::InvalidValue {
            field: "schedule",
            value: format!(
                "no free slot within {SEARCH_DAYS} days ({}): the caps or the queue leave none",
                self.describe()
            ),
        })
    }

    /// The schedule in words: `09:00 and 15:00, at most 2 a day`.
    pub fn describe(&self) -> String {
        let mut out = match self.mode {
            PublishMode::Immediate => "as soon as queued".to_string(),
            PublishMode::Slots => {
                let mut times = self.times.clone();
                times.sort();
                join_and(&times)
            }
            PublishMode::Stagger => format!(
                "every {} minutes from {} to {}",
                self.every_minutes, self.window_start, self.window_end
            ),
        };
        if let Some(cap) = self.daily_cap {
            out.push_str(&format!(", at most {cap} a day"));
        }
        if let Some(cap) = self.weekly_cap {
            out.push_str(&format!(", at most {cap} a week"));
        }
        out
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn bad_instant(at: impl std::fmt::Display) -> DomainError {
    DomainError::InvalidValue {
        field: "schedule instant",
        value: at.to_string(),
    }
}

fn add_days(date: Date, days: i64) -> Result<Date, DomainError> {
    date.checked_add(jiff::Span::new().days(days))
        .map_err(|_| bad_instant(date))
}

fn hm(s: &str) -> Result<Time, DomainError> {
    let (h, m) = parse_time(s)?;
    // parse_time keeps hours below 24 and minutes below 60: a valid time.
    Time::new(h as i8, m as i8, 0, 0).map_err(|_| bad_instant(s))
}

struct Finder<'a> {
    schedule: &'a PublishSchedule,
    zone: TimeZone,
    taken: &'a [TimestampMs],
}

impl Finder<'_> {
    fn date_of(&self, at: TimestampMs) -> Result<Date, DomainError> {
        let ts = jiff::Timestamp::from_millisecond(at).map_err(|_| bad_instant(at))?;
        Ok(ts.to_zoned(self.zone.clone()).date())
    }

    /// The first instant of local `date` (its midnight, or the gap's end if it has none).
    fn start_of(&self, date: Date) -> Result<TimestampMs, DomainError> {
        local_instant(&self.zone, date.to_datetime(Time::midnight()))
    }

    /// Items taken in `[from, to)`.
    fn count(&self, from: TimestampMs, to: TimestampMs) -> u32 {
        let lo = self.taken.partition_point(|&t| t < from);
        let hi = self.taken.partition_point(|&t| t < to);
        (hi - lo) as u32
    }

    /// Which cap `at` would break: the end of the period it is full for (the next day's or
    /// week's start), `None` when both leave room.
    fn cap_blocks(&self, at: TimestampMs) -> Result<Option<TimestampMs>, DomainError> {
        let date = self.date_of(at)?;
        let mut until = None;
        if let Some(cap) = self.schedule.weekly_cap {
            let monday = add_days(date, -i64::from(date.weekday().to_monday_zero_offset()))?;
            let next_monday = self.start_of(add_days(monday, 7)?)?;
            if self.count(self.start_of(monday)?, next_monday) >= cap {
                until = Some(next_monday);
            }
        }
        if until.is_none()
            && let Some(cap) = self.schedule.daily_cap
        {
            let tomorrow = self.start_of(add_days(date, 1)?)?;
            if self.count(self.start_of(date)?, tomorrow) >= cap {
                until = Some(tomorrow);
            }
        }
        Ok(until)
    }

    fn immediate(
        &self,
        after: TimestampMs,
        last: Date,
    ) -> Result<Option<TimestampMs>, DomainError> {
        let limit = self.start_of(last)?;
        let mut at = after;
        while at < limit {
            match self.cap_blocks(at)? {
                None => return Ok(Some(at)),
                // Strictly later: each turn passes a day or a week, so the loop ends.
                Some(next) => at = next.max(at + MINUTE_MS),
            }
        }
        Ok(None)
    }

    fn slotted(
        &self,
        after: TimestampMs,
        first: Date,
        last: Date,
    ) -> Result<Option<TimestampMs>, DomainError> {
        // From the day before: a stagger window past midnight runs into `after`'s date.
        let mut date = add_days(first, -1)?;
        // Slots before this are taken or over a cap: a full day or week is skipped whole.
        let mut floor = after;
        while date <= last {
            for at in self.candidates(date)? {
                if at < floor || self.taken.binary_search(&at).is_ok() {
                    continue;
                }
                match self.cap_blocks(at)? {
                    None => return Ok(Some(at)),
                    Some(until) => floor = until,
                }
            }
            date = add_days(date, 1)?;
        }
        Ok(None)
    }

    /// The slots that start on local `date`, as instants in order, each once (two local
    /// times in one spring-forward gap are one slot).
    fn candidates(&self, date: Date) -> Result<Vec<TimestampMs>, DomainError> {
        let s = self.schedule;
        let locals: Vec<DateTime> = match s.mode {
            PublishMode::Immediate => Vec::new(),
            PublishMode::Slots => s
                .times
                .iter()
                .map(|t| hm(t).map(|t| date.to_datetime(t)))
                .collect::<Result<_, _>>()?,
            PublishMode::Stagger => {
                let start = date.to_datetime(hm(&s.window_start)?);
                let end_time = hm(&s.window_end)?;
                // An end at or before the start is the next day's: the window runs past midnight.
                let end_date = if end_time <= start.time() {
                    add_days(date, 1)?
                } else {
                    date
                };
                let end = end_date.to_datetime(end_time);
                let step = jiff::Span::new().minutes(i64::from(s.every_minutes));
                let mut out = Vec::new();
                let mut at = start;
                // Half-open window: 09:00 to 17:00 every hour is eight slots, the last at 16:00.
                while at < end {
                    out.push(at);
                    at = at.checked_add(step).map_err(|_| bad_instant(at))?;
                }
                out
            }
        };
        let mut instants = locals
            .into_iter()
            .map(|l| local_instant(&self.zone, l))
            .collect::<Result<Vec<_>, _>>()?;
        instants.sort_unstable();
        instants.dedup();
        Ok(instants)
    }
}

#[cfg(test)]
#[path = "slots_tests.rs"]
mod tests;
