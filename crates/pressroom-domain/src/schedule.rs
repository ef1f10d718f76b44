//! When a site's automation runs by itself: off, daily, weekly on a day or monthly on a day,
//! at a local time in the site's time zone. Slots are instants (UTC milliseconds); the
//! scheduler runs the latest due slot once, however many were missed.

use crate::{DomainError, TimestampMs};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    #[default]
    Off,
    Daily,
    Weekly,
    Monthly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    #[default]
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    pub frequency: Frequency,
    /// Local time of day, `HH:MM` (24 h).
    pub time: String,
    /// Weekly: the day.
    pub weekday: Weekday,
    /// Monthly: the day of the month, 1 to 31; a month without it runs on its last day.
    pub day_of_month: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            frequency: Frequency::Off,
            time: "06:00".into(),
            weekday: Weekday::Monday,
            day_of_month: 1,
        }
    }
}

impl Schedule {
    /// Checks the time and day; the message names the field at fault.
    pub fn validate(&self) -> Result<(), DomainError> {
        parse_time(&self.time)?;
        if !(1..=31).contains(&self.day_of_month) {
            return Err(DomainError::OutOfRange {
                field: "schedule.day_of_month",
                min: 1,
                max: 31,
            });
        }
        Ok(())
    }

    /// The first slot strictly after `after` in time zone `tz`; `None` when off.
    pub fn next_slot_after(
        &self,
        tz: &str,
        after: TimestampMs,
    ) -> Result<Option<TimestampMs>, DomainError> {
        let Some(rule) = self.rule(tz)? else {
            return Ok(None);
        };
        // A day before `after`'s local date too: a slot can land on the next instant after a
        // gap, and dates are walked in order, so the first slot past `after` is the answer.
        let start = rule
            .local_date(after)?
            .yesterday()
            .map_err(|_| range(after))?;
        for date in start.series(jiff::Span::new().days(1)).take(SEARCH_DAYS) {
            if let Some(at) = rule.slot_on(date)?
                && at > after
            {
                return Ok(Some(at));
            }
        }
        Ok(None)
    }

    /// The latest slot at or before `now` in time zone `tz`; `None` when off.
    pub fn latest_slot_at_or_before(
        &self,
        tz: &str,
        now: TimestampMs,
    ) -> Result<Option<TimestampMs>, DomainError> {
        let Some(rule) = self.rule(tz)? else {
            return Ok(None);
        };
        let start = rule.local_date(now)?.tomorrow().map_err(|_| range(now))?;
        for date in start.series(jiff::Span::new().days(-1)).take(SEARCH_DAYS) {
            if let Some(at) = rule.slot_on(date)?
                && at <= now
            {
                return Ok(Some(at));
            }
        }
        Ok(None)
    }

    fn rule(&self, tz: &str) -> Result<Option<SlotRule>, DomainError> {
        if self.frequency == Frequency::Off {
            return Ok(None);
        }
        self.validate()?;
        let zone = jiff::tz::TimeZone::get(tz).map_err(|_| DomainError::InvalidValue {
            field: "timezone",
            value: tz.to_string(),
        })?;
        let (hour, minute) = parse_time(&self.time)?;
        Ok(Some(SlotRule {
            schedule: self.clone(),
            zone,
            hour: hour as i8,
            minute: minute as i8,
        }))
    }
}

/// Enough days to pass the longest gap between two slots (a monthly slot on the 31st) twice.
const SEARCH_DAYS: usize = 70;

fn range(at: TimestampMs) -> DomainError {
    DomainError::InvalidValue {
        field: "schedule instant",
        value: at.to_string(),
    }
}

/// A schedule that is on, with its zone and time resolved.
struct SlotRule {
    schedule: Schedule,
    zone: jiff::tz::TimeZone,
    hour: i8,
    minute: i8,
}

impl SlotRule {
    fn local_date(&self, at: TimestampMs) -> Result<jiff::civil::Date, DomainError> {
        let ts = jiff::Timestamp::from_millisecond(at).map_err(|_| range(at))?;
        Ok(ts.to_zoned(self.zone.clone()).date())
    }

    /// The instant of the slot on local `date`, if the schedule has one that day.
    fn slot_on(&self, date: jiff::civil::Date) -> Result<Option<TimestampMs>, DomainError> {
        let s = &self.schedule;
        let runs = match s.frequency {
            Frequency::Off => false,
            Frequency::Daily => true,
            Frequency::Weekly => date.weekday() == s.weekday.to_jiff(),
            Frequency::Monthly => {
                // A month without the day (the 31st in April) runs on its last day.
                let day = (s.day_of_month as i8).min(date.days_in_month());
                date.day() == day
            }
        };
        if !runs {
            return Ok(None);
        }
        let local = date.at(self.hour, self.minute, 0, 0);
        Ok(Some(local_instant(&self.zone, local)?))
    }
}

/// The instant of local time `local` in `zone`. Fall back: a time that happens twice is the
/// first. Spring forward: a time that never happens is the first instant after the gap.
pub(crate) fn local_instant(
    zone: &jiff::tz::TimeZone,
    local: jiff::civil::DateTime,
) -> Result<TimestampMs, DomainError> {
    let ts = match zone.to_ambiguous_timestamp(local).offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local),
        jiff::tz::AmbiguousOffset::Fold { before, .. } => before.to_timestamp(local),
        // Read as the later offset, the local time lies before the transition, so the next
        // transition from there is the gap's end.
        jiff::tz::AmbiguousOffset::Gap { after, .. } => {
            let early = after.to_timestamp(local).map_err(|_| range(0))?;
            match zone.following(early).next() {
                Some(t) => Ok(t.timestamp()),
                None => after.to_timestamp(local),
            }
        }
    }
    .map_err(|_| DomainError::InvalidValue {
        field: "schedule.time",
        value: local.to_string(),
    })?;
    Ok(ts.as_millisecond())
}

impl Weekday {
    fn to_jiff(self) -> jiff::civil::Weekday {
        use jiff::civil::Weekday as J;
        match self {
            Weekday::Monday => J::Monday,
            Weekday::Tuesday => J::Tuesday,
            Weekday::Wednesday => J::Wednesday,
            Weekday::Thursday => J::Thursday,
            Weekday::Friday => J::Friday,
            Weekday::Saturday => J::Saturday,
            Weekday::Sunday => J::Sunday,
        }
    }
}

/// `06:30` -> (6, 30).
pub fn parse_time(s: &str) -> Result<(u8, u8), DomainError> {
    let bad = || DomainError::InvalidValue {
        field: "schedule.time",
        value: s.to_string(),
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u8 = h.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok((h, m))
}

/// Checks an IANA time zone name (`Europe/Berlin`, `UTC`) against the built-in database.
pub fn check_timezone(name: &str) -> Result<(), DomainError> {
    jiff::tz::TimeZone::get(name)
        .map(|_| ())
        .map_err(|_| DomainError::InvalidValue {
            field: "timezone",
            value: name.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTC milliseconds of a local time in `tz` (unambiguous ones only).
    fn at(tz: &str, local: &str) -> TimestampMs {
        let dt: jiff::civil::DateTime = local.parse().unwrap();
        dt.to_zoned(jiff::tz::TimeZone::get(tz).unwrap())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    fn utc(s: &str) -> TimestampMs {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    fn sched(frequency: Frequency, time: &str) -> Schedule {
        Schedule {
            frequency,
            time: time.into(),
            ..Schedule::default()
        }
    }

    #[test]
    fn off_has_no_slots() {
        let s = Schedule::default();
        assert_eq!(s.next_slot_after("UTC", 0).unwrap(), None);
        assert_eq!(s.latest_slot_at_or_before("UTC", 0).unwrap(), None);
    }

    #[test]
    fn daily_in_a_time_zone() {
        let s = sched(Frequency::Daily, "06:30");
        let tz = "Europe/Berlin";
        let before = at(tz, "2026-12-01T06:29");
        assert_eq!(
            s.next_slot_after(tz, before).unwrap(),
            Some(at(tz, "2026-12-01T06:30"))
        );
        // Strictly after: a slot exactly at `after` is not the next one.
        let slot = at(tz, "2026-12-01T06:30");
        assert_eq!(
            s.next_slot_after(tz, slot).unwrap(),
            Some(at(tz, "2026-12-02T06:30"))
        );
        assert_eq!(s.latest_slot_at_or_before(tz, slot).unwrap(), Some(slot));
        assert_eq!(
            s.latest_slot_at_or_before(tz, slot - 1).unwrap(),
            Some(at(tz, "2026-11-30T06:30"))
        );
        // 06:30 in Berlin in winter is 05:30 UTC.
        assert_eq!(slot, utc("2026-12-01T05:30:00Z"));
    }

    #[test]
    fn weekly_on_its_day() {
        let s = Schedule {
            weekday: Weekday::Friday,
            ..sched(Frequency::Weekly, "09:00")
        };
        // 2026-12-01 is a Tuesday.
        let next = s
            .next_slot_after("UTC", utc("2026-12-01T12:00:00Z"))
            .unwrap();
        assert_eq!(next, Some(utc("2026-12-04T09:00:00Z")));
        let next = s
            .next_slot_after("UTC", utc("2026-12-04T09:00:00Z"))
            .unwrap();
        assert_eq!(next, Some(utc("2026-12-11T09:00:00Z")));
        let last = s
            .latest_slot_at_or_before("UTC", utc("2026-12-01T12:00:00Z"))
            .unwrap();
        assert_eq!(last, Some(utc("2026-11-27T09:00:00Z")));
    }

    #[test]
    fn monthly_on_a_missing_day_runs_on_the_last_day() {
        let s = Schedule {
            day_of_month: 31,
            ..sched(Frequency::Monthly, "00:00")
        };
        let mut t = utc("2027-01-31T00:00:00Z");
        let mut seen = Vec::new();
        for _ in 0..4 {
            t = s.next_slot_after("UTC", t).unwrap().unwrap();
            seen.push(t);
        }
        assert_eq!(
            seen,
            vec![
                utc("2027-02-28T00:00:00Z"),
                utc("2027-03-31T00:00:00Z"),
                utc("2027-04-30T00:00:00Z"),
                utc("2027-05-31T00:00:00Z"),
            ]
        );
        // A leap year's February.
        let feb = s
            .next_slot_after("UTC", utc("2028-02-01T00:00:00Z"))
            .unwrap();
        assert_eq!(feb, Some(utc("2028-02-29T00:00:00Z")));
        let s15 = Schedule {
            day_of_month: 15,
            ..sched(Frequency::Monthly, "08:00")
        };
        let last = s15
            .latest_slot_at_or_before("UTC", utc("2026-12-14T00:00:00Z"))
            .unwrap();
        assert_eq!(last, Some(utc("2026-11-15T08:00:00Z")));
    }

    #[test]
    fn a_time_in_the_spring_gap_runs_when_the_gap_ends() {
        // Berlin springs from 02:00 to 03:00 on 2027-03-28 (01:00 UTC).
        let s = sched(Frequency::Daily, "02:30");
        let tz = "Europe/Berlin";
        let next = s
            .next_slot_after(tz, utc("2027-03-27T12:00:00Z"))
            .unwrap()
            .unwrap();
        assert_eq!(
            next,
            utc("2027-03-28T01:00:00Z"),
            "03:00 local, the gap's end"
        );
        // The day after is normal again: 02:30 CEST is 00:30 UTC.
        let after = s.next_slot_after(tz, next).unwrap().unwrap();
        assert_eq!(after, utc("2027-03-29T00:30:00Z"));
        assert_eq!(
            s.latest_slot_at_or_before(tz, after - 1).unwrap(),
            Some(next)
        );
    }

    #[test]
    fn a_time_that_happens_twice_in_the_fall_runs_once_the_first_time() {
        // Berlin falls from 03:00 CEST back to 02:00 CET on 2027-10-31 (01:00 UTC).
        let s = sched(Frequency::Daily, "02:30");
        let tz = "Europe/Berlin";
        let first = s
            .next_slot_after(tz, utc("2027-10-30T12:00:00Z"))
            .unwrap()
            .unwrap();
        assert_eq!(
            first,
            utc("2027-10-31T00:30:00Z"),
            "02:30 CEST, the earlier"
        );
        // The second 02:30 (01:30 UTC) is not a slot: the next is the following day.
        let next = s.next_slot_after(tz, first).unwrap().unwrap();
        assert_eq!(next, utc("2027-11-01T01:30:00Z"));
        assert_eq!(
            s.latest_slot_at_or_before(tz, utc("2027-10-31T01:45:00Z"))
                .unwrap(),
            Some(first)
        );
    }

    #[test]
    fn bad_zone_or_time_names_the_field() {
        let s = sched(Frequency::Daily, "25:00");
        assert!(
            s.next_slot_after("UTC", 0)
                .unwrap_err()
                .to_string()
                .contains("schedule.time")
        );
        let s = sched(Frequency::Daily, "06:00");
        assert!(
            s.next_slot_after("Mars/Olympus", 0)
                .unwrap_err()
                .to_string()
                .contains("timezone")
        );
    }
}
