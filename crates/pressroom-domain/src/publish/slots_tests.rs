use super::*;

/// UTC milliseconds of an unambiguous local time in `tz`.
fn at(tz: &str, local: &str) -> TimestampMs {
    let dt: DateTime = local.parse().unwrap();
    dt.to_zoned(TimeZone::get(tz).unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn utc(s: &str) -> TimestampMs {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// Local wall time of `ms` in `tz`, `2026-03-29T09:00` style.
fn local(tz: &str, ms: TimestampMs) -> String {
    let z = jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .to_zoned(TimeZone::get(tz).unwrap());
    z.datetime().strftime("%Y-%m-%dT%H:%M").to_string()
}

fn slots(times: &[&str]) -> PublishSchedule {
    PublishSchedule {
        mode: PublishMode::Slots,
        times: times.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

fn stagger(start: &str, end: &str, every: u32) -> PublishSchedule {
    PublishSchedule {
        mode: PublishMode::Stagger,
        every_minutes: every,
        window_start: start.into(),
        window_end: end.into(),
        ..Default::default()
    }
}

/// Queues `n` items one after another, each after the previous, as the queue does.
fn fill(s: &PublishSchedule, tz: &str, from: TimestampMs, n: usize) -> Vec<TimestampMs> {
    let mut taken = Vec::new();
    let mut after = from;
    for _ in 0..n {
        let next = s.next_slot(tz, after, &taken).unwrap();
        taken.push(next);
        after = next;
    }
    taken
}

#[test]
fn slots_in_three_zones() {
    let s = slots(&["15:00", "09:00"]);
    for tz in ["Europe/Berlin", "America/New_York", "Asia/Kolkata"] {
        let from = at(tz, "2026-06-10T10:00");
        let got: Vec<_> = fill(&s, tz, from, 3)
            .into_iter()
            .map(|t| local(tz, t))
            .collect();
        assert_eq!(
            got,
            ["2026-06-10T15:00", "2026-06-11T09:00", "2026-06-11T15:00"],
            "{tz}"
        );
    }
    // Kolkata is +05:30 all year: 09:00 there is 03:30 UTC.
    let k = s
        .next_slot("Asia/Kolkata", utc("2026-06-10T00:00:00Z"), &[])
        .unwrap();
    assert_eq!(k, utc("2026-06-10T03:30:00Z"));
}

#[test]
fn a_slot_at_after_itself_is_free_and_taken_ones_are_skipped() {
    let tz = "Europe/Berlin";
    let s = slots(&["09:00", "15:00"]);
    let nine = at(tz, "2026-06-10T09:00");
    assert_eq!(s.next_slot(tz, nine, &[]).unwrap(), nine);
    let three = at(tz, "2026-06-10T15:00");
    assert_eq!(s.next_slot(tz, nine, &[nine]).unwrap(), three);
    let next_nine = at(tz, "2026-06-11T09:00");
    assert_eq!(s.next_slot(tz, nine, &[nine, three]).unwrap(), next_nine);
}

#[test]
fn daily_cap_leaves_slots_empty() {
    let tz = "America/New_York";
    let mut s = slots(&["09:00", "12:00", "15:00"]);
    s.daily_cap = Some(2);
    let got: Vec<_> = fill(&s, tz, at(tz, "2026-06-10T08:00"), 4)
        .into_iter()
        .map(|t| local(tz, t))
        .collect();
    assert_eq!(
        got,
        [
            "2026-06-10T09:00",
            "2026-06-10T12:00",
            "2026-06-11T09:00",
            "2026-06-11T12:00"
        ]
    );
    // Something published at an odd time that day counts too.
    let odd = at(tz, "2026-06-12T07:13");
    let next = s.next_slot(tz, at(tz, "2026-06-12T08:00"), &[odd]).unwrap();
    assert_eq!(local(tz, next), "2026-06-12T09:00");
    let next = s
        .next_slot(tz, next, &[odd, at(tz, "2026-06-12T09:00")])
        .unwrap();
    assert_eq!(local(tz, next), "2026-06-13T09:00");
}

#[test]
fn weekly_cap_counts_monday_to_sunday() {
    let tz = "Europe/Berlin";
    let mut s = slots(&["09:00"]);
    s.weekly_cap = Some(3);
    // Wednesday 2026-06-10: Wed, Thu, Fri fill the week; then next Monday.
    let got: Vec<_> = fill(&s, tz, at(tz, "2026-06-10T08:00"), 5)
        .into_iter()
        .map(|t| local(tz, t))
        .collect();
    assert_eq!(
        got,
        [
            "2026-06-10T09:00",
            "2026-06-11T09:00",
            "2026-06-12T09:00",
            "2026-06-15T09:00",
            "2026-06-16T09:00"
        ]
    );
}

#[test]
fn immediate_is_now_until_a_cap_then_the_next_day_or_week() {
    let tz = "Asia/Kolkata";
    let mut s = PublishSchedule {
        daily_cap: Some(2),
        ..Default::default()
    };
    let now = at(tz, "2026-06-10T10:17");
    assert_eq!(s.next_slot(tz, now, &[]).unwrap(), now);
    let taken = [at(tz, "2026-06-10T08:00"), at(tz, "2026-06-10T09:00")];
    assert_eq!(
        local(tz, s.next_slot(tz, now, &taken).unwrap()),
        "2026-06-11T00:00"
    );
    s.daily_cap = None;
    s.weekly_cap = Some(2);
    // Wednesday with two this week: next Monday's first minute.
    assert_eq!(
        local(tz, s.next_slot(tz, now, &taken).unwrap()),
        "2026-06-15T00:00"
    );
}

#[test]
fn spring_forward_moves_a_missing_time_to_the_gap_end_once() {
    // Berlin 2026-03-29: 02:00 jumps to 03:00.
    let tz = "Europe/Berlin";
    let s = slots(&["02:30", "03:00"]);
    let from = at(tz, "2026-03-29T00:00");
    let gap_end = utc("2026-03-29T01:00:00Z");
    assert_eq!(s.next_slot(tz, from, &[]).unwrap(), gap_end);
    // 02:30 and 03:00 are one instant that day: one article, the next goes tomorrow.
    let next = s.next_slot(tz, from, &[gap_end]).unwrap();
    assert_eq!(local(tz, next), "2026-03-30T02:30");
    // Stagger through the gap: 01:30, then 03:00 (02:00 and 02:30 moved there), 03:30.
    let st = stagger("01:30", "04:00", 30);
    let got: Vec<_> = fill(&st, tz, from, 4)
        .into_iter()
        .map(|t| local(tz, t))
        .collect();
    assert_eq!(
        got,
        [
            "2026-03-29T01:30",
            "2026-03-29T03:00",
            "2026-03-29T03:30",
            "2026-03-30T01:30"
        ]
    );
}

#[test]
fn fall_back_runs_a_twice_happening_time_once_the_earlier() {
    // New York 2026-11-01: 01:59 EDT is followed by 01:00 EST.
    let tz = "America/New_York";
    let s = slots(&["01:30"]);
    let from = utc("2026-11-01T04:00:00Z"); // 00:00 EDT
    let first = s.next_slot(tz, from, &[]).unwrap();
    assert_eq!(first, utc("2026-11-01T05:30:00Z")); // 01:30 EDT, not EST
    let second = s.next_slot(tz, first, &[first]).unwrap();
    assert_eq!(local(tz, second), "2026-11-02T01:30");
    // Stagger across the repeated hour: each local time once, no second 01:00 or 01:30.
    let st = stagger("00:30", "02:30", 30);
    let got = fill(&st, tz, from, 5);
    let utcs: Vec<_> = got
        .iter()
        .map(|t| {
            jiff::Timestamp::from_millisecond(*t)
                .unwrap()
                .strftime("%H:%M")
                .to_string()
        })
        .collect();
    // 00:30 EDT, 01:00 EDT, 01:30 EDT, 02:00 EST, then the next day's 00:30 EST.
    assert_eq!(utcs, ["04:30", "05:00", "05:30", "07:00", "05:30"]);
}

#[test]
fn a_window_past_midnight_runs_into_the_next_day() {
    let tz = "Europe/Berlin";
    let st = stagger("23:00", "01:00", 30);
    let got: Vec<_> = fill(&st, tz, at(tz, "2026-06-10T12:00"), 5)
        .into_iter()
        .map(|t| local(tz, t))
        .collect();
    assert_eq!(
        got,
        [
            "2026-06-10T23:00",
            "2026-06-10T23:30",
            "2026-06-11T00:00",
            "2026-06-11T00:30",
            "2026-06-11T23:00"
        ]
    );
    // Just after midnight the window of the day before is still open.
    let next = st.next_slot(tz, at(tz, "2026-06-11T00:10"), &[]).unwrap();
    assert_eq!(local(tz, next), "2026-06-11T00:30");
}

#[test]
fn stagger_window_is_half_open_and_respects_a_daily_cap() {
    let tz = "Asia/Kolkata";
    let mut st = stagger("09:00", "11:00", 45);
    let got: Vec<_> = fill(&st, tz, at(tz, "2026-06-10T00:00"), 4)
        .into_iter()
        .map(|t| local(tz, t))
        .collect();
    assert_eq!(
        got,
        [
            "2026-06-10T09:00",
            "2026-06-10T09:45",
            "2026-06-10T10:30",
            "2026-06-11T09:00"
        ]
    );
    st.daily_cap = Some(1);
    let got: Vec<_> = fill(&st, tz, at(tz, "2026-06-10T00:00"), 2)
        .into_iter()
        .map(|t| local(tz, t))
        .collect();
    assert_eq!(got, ["2026-06-10T09:00", "2026-06-11T09:00"]);
}

#[test]
fn a_full_year_is_an_error_not_a_hang() {
    let tz = "UTC";
    let mut s = slots(&["09:00"]);
    s.weekly_cap = Some(1);
    // One a week for a year is taken already.
    let start = utc("2026-01-05T09:00:00Z");
    let taken: Vec<_> = (0..60).map(|w| start + w * 7 * 86_400_000).collect();
    let e = s.next_slot(tz, start, &taken).unwrap_err().to_string();
    assert!(e.contains("no free slot"), "{e}");
    let imm = PublishSchedule {
        weekly_cap: Some(1),
        ..Default::default()
    };
    assert!(imm.next_slot(tz, start, &taken).is_err());
    assert!(s.next_slot("Mars/Olympus", start, &[]).is_err());
    // Every minute of every day, a week at a time full: a year of candidates, still quick.
    let mut st = stagger("00:00", "00:00", 1);
    st.weekly_cap = Some(1);
    let t0 = std::time::Instant::now();
    assert!(st.next_slot(tz, start, &taken).is_err());
    assert!(t0.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn describes_itself() {
    let mut s = slots(&["15:00", "09:00"]);
    s.daily_cap = Some(2);
    assert_eq!(s.describe(), "09:00 and 15:00, at most 2 a day");
    let mut st = stagger("22:00", "02:00", 30);
    st.weekly_cap = Some(10);
    assert_eq!(
        st.describe(),
        "every 30 minutes from 22:00 to 02:00, at most 10 a week"
    );
    assert_eq!(PublishSchedule::default().describe(), "as soon as queued");
}
