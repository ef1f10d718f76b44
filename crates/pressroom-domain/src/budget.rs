//! A site's monthly budget: the calendar month is the site's own (its time zone), so spend
//! resets at local midnight on the 1st.

use crate::{DomainError, TimestampMs};

/// The calendar month that holds `now` in time zone `tz`: its first instant (UTC ms) and its
/// name (`December 2026`) for messages.
pub fn month_of(tz: &str, now: TimestampMs) -> Result<(TimestampMs, String), DomainError> {
    let zone = jiff::tz::TimeZone::get(tz).map_err(|_| DomainError::InvalidValue {
        field: "timezone",
        value: tz.to_string(),
    })?;
    let bad = || DomainError::InvalidValue {
        field: "budget month",
        value: now.to_string(),
    };
    let local = jiff::Timestamp::from_millisecond(now)
        .map_err(|_| bad())?
        .to_zoned(zone.clone());
    let first = local.date().first_of_month();
    // Midnight can fall in a gap in a few zones; `to_zoned` then takes the instant after it.
    let start = first
        .to_zoned(zone)
        .map_err(|_| bad())?
        .timestamp()
        .as_millisecond();
    Ok((start, first.strftime("%B %Y").to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_starts_at_local_midnight() {
        let now = "2026-12-01T00:30:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        let (start, name) = month_of("UTC", now).unwrap();
        assert_eq!(name, "December 2026");
        assert_eq!(start, now - 30 * 60_000);
        // In New York it is still November 30th, 19:30.
        let (start, name) = month_of("America/New_York", now).unwrap();
        assert_eq!(name, "November 2026");
        let nov1 = "2026-11-01T04:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        assert_eq!(start, nov1, "midnight EDT on November 1st");
        assert!(month_of("Nowhere/Land", now).is_err());
    }
}
