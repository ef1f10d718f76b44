//! The publishing queue on both engines: slots from a destination's schedule in the site's
//! time zone, caps, hold/release/move/now, auto-publish on approval and the tick's hand-off.
//! Time is a stopped clock, never slept.

use pressroom_domain::publish::{PublishMode, PublishSchedule};
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::content::review_one;
use pressroom_pipeline::publish::PUBLISH_JOB;
use pressroom_pipeline::publish::queue::{self, When};
use pressroom_providers::{DownloadConfig, Limits, ModelRegistry, ProviderEnv, Providers};
use pressroom_store::testing::{article_site, seed_article};
use pressroom_store::{Db, NewDestination, engine_test};
use std::sync::Arc;

const TZ: &str = "Europe/Berlin";

/// Wednesday 2026-06-10 06:00 in Berlin.
fn wednesday_morning() -> TimestampMs {
    local("2026-06-10T06:00")
}

fn local(s: &str) -> TimestampMs {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(jiff::tz::TimeZone::get(TZ).unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn wall(ms: Option<TimestampMs>) -> String {
    jiff::Timestamp::from_millisecond(ms.expect("a slot"))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get(TZ).unwrap())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

struct Setup {
    p: Pipeline,
    db: Db,
    account: AccountId,
    site: SiteId,
    cluster: ClusterId,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn new(db: Db, auto: AutoPublish) -> Setup {
        let (account, site, cluster) = article_site(&db, "queue").await;
        let mut settings = db.site(account, site).await.unwrap().settings;
        settings.timezone = TZ.into();
        settings.auto_publish = auto;
        db.update_site_settings(account, site, &settings)
            .await
            .unwrap();
        let providers = Providers::new(
            ProviderEnv::from_lookup(|_| None),
            ModelRegistry::seeded().shared(),
            Limits::new(),
        );
        let dir = tempfile::tempdir().unwrap();
        let p = Pipeline::new(db.clone(), providers, dir.path(), DownloadConfig::default());
        Setup {
            p: at(&p, wednesday_morning()),
            db,
            account,
            site,
            cluster,
            _dir: dir,
        }
    }

    async fn destination(&self, name: &str, schedule: PublishSchedule) -> DestinationId {
        self.db
            .create_destination(
                self.account,
                &NewDestination {
                    site: self.site,
                    name: name.into(),
                    kind: DestinationKind::Webhook,
                    url: format!("https://hooks.example.test/{name}"),
                    username: None,
                    sealed_secret: "sealed".into(),
                    options: Default::default(),
                    schedule,
                },
            )
            .await
            .unwrap()
            .id
    }

    /// A new article moved to `to` (review or approved).
    async fn article(&self, keyword: &str, to: ContentStatus) -> ContentId {
        let c = seed_article(&self.db, self.account, self.site, self.cluster, keyword).await;
        let mut tx = self.db.begin().await.unwrap();
        tx.move_status(self.account, c.id, ContentStatus::Review)
            .await
            .unwrap();
        if to == ContentStatus::Approved {
            tx.move_status(self.account, c.id, ContentStatus::Approved)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        c.id
    }

    async fn queue_one(&self, content: ContentId, when: When) -> Publication {
        let mut q = queue::queue_content(&self.p, self.account, content, None, when, false)
            .await
            .unwrap();
        assert_eq!(q.len(), 1);
        q.remove(0).publication
    }

    async fn get(&self, id: PublicationId) -> Publication {
        self.db.publication(self.account, id).await.unwrap()
    }

    async fn publish_jobs(&self) -> usize {
        self.p
            .queue()
            .list(None, None, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == PUBLISH_JOB)
            .count()
    }
}

fn at(p: &Pipeline, now: TimestampMs) -> Pipeline {
    p.clone().with_clock(Arc::new(move || now))
}

fn twice_a_day() -> PublishSchedule {
    PublishSchedule {
        mode: PublishMode::Slots,
        times: vec!["09:00".into(), "15:00".into()],
        daily_cap: Some(2),
        ..Default::default()
    }
}

engine_test!(fifty_articles_fill_twenty_five_days, |db: Db| async move {
    let s = Setup::new(db, AutoPublish::Off).await;
    s.destination("blog", twice_a_day()).await;
    let mut slots = Vec::new();
    for i in 0..50 {
        let c = s
            .article(&format!("topic {i}"), ContentStatus::Approved)
            .await;
        slots.push(s.queue_one(c, When::Schedule).await.scheduled_at);
    }
    let got: Vec<String> = slots.into_iter().map(wall).collect();
    let mut want = Vec::new();
    let first = jiff::civil::date(2026, 6, 10);
    for d in 0..25 {
        let day = first.checked_add(jiff::Span::new().days(d)).unwrap();
        want.push(format!("{day}T09:00"));
        want.push(format!("{day}T15:00"));
    }
    assert_eq!(got, want);
    // Nothing was due: the tick sends them, no job yet.
    assert_eq!(s.publish_jobs().await, 0);
});

engine_test!(
    hold_release_move_and_now_reorder_the_queue,
    |db: Db| async move {
        let s = Setup::new(db, AutoPublish::Off).await;
        s.destination("blog", twice_a_day()).await;
        let mut items = Vec::new();
        for i in 0..4 {
            let c = s
                .article(&format!("item {i}"), ContentStatus::Approved)
                .await;
            items.push(s.queue_one(c, When::Schedule).await);
        }
        let ids: Vec<PublicationId> = items.iter().map(|p| p.id).collect();
        let slots: Vec<Option<TimestampMs>> = items.iter().map(|p| p.scheduled_at).collect();
        // Hold the second: it leaves the queue; the others keep their slots.
        let held = queue::hold(&s.p, s.account, ids[1]).await.unwrap();
        assert!(held.held);
        assert_eq!(held.scheduled_at, None);
        assert_eq!(s.get(ids[2]).await.scheduled_at, slots[2]);
        let e = queue::hold(&s.p, s.account, ids[1]).await;
        assert!(e.is_ok(), "holding a held item again is harmless");
        // Released, it goes to the end: the slot after the fourth (Friday 09:00).
        let released = queue::release(&s.p, s.account, ids[1]).await.unwrap();
        assert!(!released.held);
        assert_eq!(wall(released.scheduled_at), "2026-06-12T09:00");
        assert!(queue::release(&s.p, s.account, ids[1]).await.is_err());
        // The queue's slots now: Wednesday 09:00, Thursday 09:00 and 15:00, Friday 09:00
        // (Wednesday 15:00 was given up by the hold).
        let q = [slots[0], slots[2], slots[3], released.scheduled_at];
        // Move it back to the front: it takes the first slot, the rest shift one later.
        queue::move_before(&s.p, s.account, ids[1], ids[0])
            .await
            .unwrap();
        let check = async |order: [PublicationId; 4]| {
            for (id, slot) in order.iter().zip(q) {
                assert_eq!(s.get(*id).await.scheduled_at, slot, "{id}");
            }
        };
        check([ids[1], ids[0], ids[2], ids[3]]).await;
        // Neighbours exchange slots.
        queue::move_before(&s.p, s.account, ids[3], ids[2])
            .await
            .unwrap();
        check([ids[1], ids[0], ids[3], ids[2]]).await;
        // Moving down: the first goes just before the last.
        queue::move_before(&s.p, s.account, ids[1], ids[2])
            .await
            .unwrap();
        check([ids[0], ids[3], ids[1], ids[2]]).await;
        // Held items have no place to move to.
        queue::hold(&s.p, s.account, ids[3]).await.unwrap();
        let e = queue::move_before(&s.p, s.account, ids[3], ids[0])
            .await
            .unwrap_err();
        assert!(e.to_string().contains("release them first"), "{e}");
        // Publish now: due at the clock's now, handed to the publish job at once.
        assert_eq!(s.publish_jobs().await, 0);
        let now = queue::publish_now(&s.p, s.account, ids[3]).await.unwrap();
        assert_eq!(now.scheduled_at, Some(wednesday_morning()));
        assert!(!now.held, "publishing a held item now releases it");
        assert_eq!(s.publish_jobs().await, 1);
        // Another destination's item cannot be a reference point.
        let other = s.destination("other", twice_a_day()).await;
        let c = s.article("elsewhere", ContentStatus::Approved).await;
        let there = queue::queue_content(&s.p, s.account, c, Some(&[other]), When::Hold, false)
            .await
            .unwrap();
        let e = queue::move_before(&s.p, s.account, ids[0], there[0].publication.id)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("another destination"), "{e}");
    }
);

engine_test!(
    immediate_sends_now_until_the_daily_cap_then_waits_for_midnight,
    |db: Db| async move {
        let s = Setup::new(db, AutoPublish::Off).await;
        let schedule = PublishSchedule {
            mode: PublishMode::Immediate,
            daily_cap: Some(2),
            ..Default::default()
        };
        s.destination("blog", schedule).await;
        let mut got = Vec::new();
        for i in 0..3 {
            let c = s
                .article(&format!("now {i}"), ContentStatus::Approved)
                .await;
            got.push(s.queue_one(c, When::Schedule).await.scheduled_at);
        }
        assert_eq!(got[0], Some(wednesday_morning()));
        assert_eq!(got[1], Some(wednesday_morning()));
        assert_eq!(wall(got[2]), "2026-06-11T00:00");
        // The two due now went to the publish job; the third waits for the tick.
        assert_eq!(s.publish_jobs().await, 2);
        // A draft is refused, naming its status.
        let draft = s.article("not yet", ContentStatus::Review).await;
        let e = queue::queue_content(&s.p, s.account, draft, None, When::Now, false)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("is review"), "{e}");
    }
);

engine_test!(
    auto_publish_queues_on_approval_only_when_on,
    |db: Db| async move {
        for (auto, expected) in [(AutoPublish::Off, 0), (AutoPublish::On, 1)] {
            let s = Setup::new(db.clone(), auto).await;
            s.destination("blog", twice_a_day()).await;
            let c = s.article("approve me", ContentStatus::Review).await;
            review_one(&s.p, s.account, c, ContentStatus::Approved, false)
                .await
                .unwrap();
            let records = s.db.publications_of_content(s.account, c).await.unwrap();
            assert_eq!(records.len(), expected, "{auto:?}");
            if let Some(r) = records.first() {
                assert_eq!(wall(r.scheduled_at), "2026-06-10T09:00");
            }
        }
    }
);

engine_test!(
    enqueue_due_hands_a_due_item_over_once,
    |db: Db| async move {
        let s = Setup::new(db, AutoPublish::Off).await;
        s.destination("blog", twice_a_day()).await;
        let c = s.article("soon", ContentStatus::Approved).await;
        let queued = s.queue_one(c, When::Schedule).await;
        assert_eq!(wall(queued.scheduled_at), "2026-06-10T09:00");
        // Before the slot nothing is due.
        assert_eq!(queue::enqueue_due(&s.p).await.unwrap(), 0);
        assert_eq!(s.publish_jobs().await, 0);
        // At the slot, two ticks (and a repeat) make one job.
        let later = at(&s.p, local("2026-06-10T09:00"));
        assert_eq!(queue::enqueue_due(&later).await.unwrap(), 1);
        assert_eq!(queue::enqueue_due(&later).await.unwrap(), 1);
        assert_eq!(s.publish_jobs().await, 1);
        // Held items are not due.
        queue::hold(&later, s.account, queued.id).await.unwrap();
        assert_eq!(queue::enqueue_due(&later).await.unwrap(), 0);
        // The view shows it held, with its title and destination.
        let view = queue::queue_view(&later, s.account, s.site, 0)
            .await
            .unwrap();
        assert_eq!(view.len(), 1);
        assert!(view[0].publication.held);
        assert_eq!(view[0].destination, "blog");
        assert_eq!(view[0].title, "All about soon");
    }
);
