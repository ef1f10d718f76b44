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
        _tz: &str,
        _after: TimestampMs,
    ) -> Result<Option<TimestampMs>, DomainError> {
        // Built with the scheduler (issue 14).
        Err(DomainError::InvalidValue {
            field: "schedule",
            value: "not built yet".into(),
        })
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
