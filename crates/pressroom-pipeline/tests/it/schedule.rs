//! Scheduled runs on the durable queue: exactly one run per due slot across processes, a missed
//! slot runs once, a busy site is skipped and recorded. Time is injected, never slept.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::scheduler::{self, SCHEDULER_QUEUE, TICK_JOB, TickJob};
use pressroom_pipeline::{Pipeline, runs, workers};
use pressroom_queue::{CancellationToken, NewJob};
use pressroom_store::{Db, SlotOutcome, engine_test};
use std::sync::Arc;
use std::time::Duration;

const DAY: i64 = 86_400_000;

/// The pipeline reading a clock stopped at `at`.
fn at(p: &Pipeline, at: TimestampMs) -> Pipeline {
    p.clone().with_clock(Arc::new(move || at))
}

/// A daily 06:00 UTC schedule on the harness's site; returns the clock (wall time, stopped)
/// and the latest slot before it.
async fn daily(h: &mut Harness) -> (TimestampMs, TimestampMs) {
    h.edit_settings(|s| {
        s.schedule = Schedule {
            frequency: Frequency::Daily,
            time: "06:00".into(),
            ..Schedule::default()
        };
    })
    .await;
    let now = pressroom_store::now_ms();
    let latest = h
        .site
        .settings
        .schedule
        .latest_slot_at_or_before("UTC", now)
        .unwrap()
        .unwrap();
    (now, latest)
}

async fn scheduled_runs(h: &Harness) -> Vec<AutomationRun> {
    h.p.db()
        .runs(h.account, Some(h.site.id), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.trigger == RunTrigger::Scheduled)
        .collect()
}

engine_test!(
    two_workers_and_a_due_slot_make_exactly_one_run,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (now, latest) = daily(&mut h).await;
        h.p.db()
            .set_next_slot(h.account, h.site.id, Some(latest))
            .await
            .unwrap();
        // Two "processes": each its own pipeline and worker (owner) on the one database.
        let (p1, p2) = (at(&h.p, now), at(&h.p, now));
        let stop = CancellationToken::new();
        let w1 = tokio::spawn(workers::worker(&p1, 2, test_worker_config()).run(stop.clone()));
        let w2 = tokio::spawn(workers::worker(&p2, 2, test_worker_config()).run(stop.clone()));
        // Both start (their ticks deduplicate), and ticks of earlier minutes are still queued,
        // so both workers tick at once and race for the slot.
        scheduler::start(&p1).await.unwrap();
        scheduler::start(&p2).await.unwrap();
        for back in 1..=4 {
            let minute = now / 60_000 - back;
            let job = NewJob::new(TICK_JOB, &TickJob { minute })
                .unwrap()
                .queue(SCHEDULER_QUEUE)
                .dedupe_key(format!("scheduler:tick:{minute}"));
            h.p.queue().enqueue(job).await.unwrap();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
        loop {
            let runs = scheduled_runs(&h).await;
            let ticks_left =
                h.p.queue()
                    .counts()
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|c| c.queue == SCHEDULER_QUEUE && c.state == JobState::Available)
                    .map(|c| c.count)
                    .sum::<i64>();
            // Only the successor (next minute, not yet due) is left.
            if runs.len() == 1 && !runs[0].status.is_active() && ticks_left <= 1 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "no scheduled run");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.cancel();
        w1.await.unwrap().unwrap();
        w2.await.unwrap().unwrap();
        let runs = scheduled_runs(&h).await;
        assert_eq!(runs.len(), 1, "exactly one run: {runs:?}");
        let slots =
            h.p.db()
                .schedule_slots(h.account, h.site.id, 10)
                .await
                .unwrap();
        assert_eq!(slots.len(), 1, "{slots:?}");
        assert_eq!(slots[0].slot_at, latest);
        assert_eq!(slots[0].outcome, SlotOutcome::Started);
        assert_eq!(slots[0].run_id, Some(runs[0].id));
        let next = h.p.db().next_slot_at(h.account, h.site.id).await.unwrap();
        assert_eq!(next, Some(latest + DAY));
    }
);

engine_test!(concurrent_ticks_claim_a_slot_once, |db: Db| async move {
    let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
    let (now, latest) = daily(&mut h).await;
    h.p.db()
        .set_next_slot(h.account, h.site.id, Some(latest))
        .await
        .unwrap();
    let (p1, p2, p3) = (at(&h.p, now), at(&h.p, now), at(&h.p, now));
    let (a, b, c) = tokio::join!(
        scheduler::run_due_slots(&p1),
        scheduler::run_due_slots(&p2),
        scheduler::run_due_slots(&p3)
    );
    let won: Vec<_> = [a.unwrap(), b.unwrap(), c.unwrap()].concat();
    assert_eq!(won.len(), 1, "one tick wins: {won:?}");
    assert_eq!(won[0].outcome, SlotOutcome::Started);
    assert_eq!(scheduled_runs(&h).await.len(), 1);
});

engine_test!(
    slots_missed_for_days_run_once_and_the_next_is_ahead,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (now, latest) = daily(&mut h).await;
        // Everything was down for three days of daily slots.
        h.p.db()
            .set_next_slot(h.account, h.site.id, Some(latest - 3 * DAY))
            .await
            .unwrap();
        let p = at(&h.p, now);
        let first = scheduler::run_due_slots(&p).await.unwrap();
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(
            first[0].slot_at, latest,
            "the latest missed slot is the one run"
        );
        assert_eq!(first[0].outcome, SlotOutcome::Started);
        assert!(scheduler::run_due_slots(&p).await.unwrap().is_empty());
        let next = h.p.db().next_slot_at(h.account, h.site.id).await.unwrap();
        assert!(next.is_some_and(|n| n > now), "{next:?} after {now}");
        assert_eq!(next, Some(latest + DAY));
        let runs = scheduled_runs(&h).await;
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].id, first[0].run.unwrap());
        assert_eq!(
            h.p.db()
                .schedule_slots(h.account, h.site.id, 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

engine_test!(
    a_busy_site_is_skipped_and_the_slot_recorded,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (now, latest) = daily(&mut h).await;
        let (manual, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &RunScope::default(),
        )
        .await
        .unwrap();
        h.p.db()
            .set_next_slot(h.account, h.site.id, Some(latest))
            .await
            .unwrap();
        let report = scheduler::run_due_slots(&at(&h.p, now)).await.unwrap();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].outcome, SlotOutcome::Skipped);
        let slots =
            h.p.db()
                .schedule_slots(h.account, h.site.id, 10)
                .await
                .unwrap();
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].outcome, SlotOutcome::Skipped);
        assert_eq!(slots[0].run_id, None);
        let detail = slots[0].detail.clone().unwrap();
        assert!(detail.contains(&manual.id.to_string()), "{detail}");
        assert!(scheduled_runs(&h).await.is_empty(), "no second run");
        let all = h.p.db().runs(h.account, Some(h.site.id), 10).await.unwrap();
        assert_eq!(all.len(), 1);
    }
);

engine_test!(
    reschedule_follows_the_schedule_and_keeps_a_due_slot,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (now, latest) = daily(&mut h).await;
        let p = at(&h.p, now);
        scheduler::reschedule_site(&p, h.account, h.site.id)
            .await
            .unwrap();
        let next = h.p.db().next_slot_at(h.account, h.site.id).await.unwrap();
        assert_eq!(next, Some(latest + DAY));
        // A slot already due is not swallowed by an unrelated settings change.
        h.p.db()
            .set_next_slot(h.account, h.site.id, Some(latest))
            .await
            .unwrap();
        scheduler::reschedule_site(&p, h.account, h.site.id)
            .await
            .unwrap();
        let kept = h.p.db().next_slot_at(h.account, h.site.id).await.unwrap();
        assert_eq!(kept, Some(latest));
        // Off: no slot at all.
        h.edit_settings(|s| s.schedule.frequency = Frequency::Off)
            .await;
        scheduler::reschedule_site(&p, h.account, h.site.id)
            .await
            .unwrap();
        assert_eq!(
            h.p.db().next_slot_at(h.account, h.site.id).await.unwrap(),
            None
        );
        assert!(scheduler::run_due_slots(&p).await.unwrap().is_empty());
    }
);

engine_test!(
    a_stale_slot_of_a_schedule_turned_off_runs_nothing,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (now, latest) = daily(&mut h).await;
        h.p.db()
            .set_next_slot(h.account, h.site.id, Some(latest))
            .await
            .unwrap();
        // Turned off without a reschedule (a settings write that did not call it).
        h.edit_settings(|s| s.schedule.frequency = Frequency::Off)
            .await;
        let report = scheduler::run_due_slots(&at(&h.p, now)).await.unwrap();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].outcome, SlotOutcome::Refused);
        assert_eq!(report[0].detail.as_deref(), Some("the schedule is off"));
        assert!(scheduled_runs(&h).await.is_empty());
        assert_eq!(
            h.p.db().next_slot_at(h.account, h.site.id).await.unwrap(),
            None
        );
    }
);
