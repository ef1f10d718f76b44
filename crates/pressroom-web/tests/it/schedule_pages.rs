//! The schedule and budgets on the web: the Automation page shows the schedule, its next slot
//! and slot history and the estimate in dollars; the Usage page shows each site's spend against
//! its budget; the API's estimate carries dollars and the budget left.

use crate::pages::{page, sign_in};
use crate::support::*;
use pressroom_domain::*;
use pressroom_store::{Db, NewUsage, SlotOutcome, engine_test};
use std::time::Duration;

engine_test!(
    automation_and_usage_show_the_schedule_and_the_budget,
    |db: Db| async move {
        let app = start(db).await;
        let db = app.p.db();
        let mut site = db.site(app.account, app.site).await.unwrap();
        site.settings.schedule = Schedule {
            frequency: Frequency::Daily,
            time: "06:00".into(),
            ..Schedule::default()
        };
        site.settings.timezone = "Europe/Berlin".into();
        site.settings.monthly_budget = Some(500);
        let site = db
            .update_site_settings(app.account, app.site, &site.settings)
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        tx.insert_usage(
            app.account,
            &NewUsage {
                site: Some(app.site),
                function: AiFunction::GenerateContent,
                provider: "openai".into(),
                model: "gpt-4o".into(),
                tokens_in: 10,
                tokens_out: 10,
                images: 0,
                cost: UsdMicros(100),
                credits: Credits(120),
                latency_ms: 1,
                error: None,
                subject: None,
                run: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // A slot due now: the app's own scheduler tick or this call claims it, once.
        let latest = site
            .settings
            .schedule
            .latest_slot_at_or_before("Europe/Berlin", pressroom_store::now_ms())
            .unwrap()
            .unwrap();
        db.set_next_slot(app.account, app.site, Some(latest))
            .await
            .unwrap();
        pressroom_pipeline::scheduler::run_due_slots(&app.p)
            .await
            .unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let slot = loop {
            let slots = db.schedule_slots(app.account, app.site, 10).await.unwrap();
            if let Some(s) = slots.first().filter(|s| s.outcome != SlotOutcome::Claimed) {
                assert_eq!(slots.len(), 1);
                break s.clone();
            }
            assert!(tokio::time::Instant::now() < deadline, "no slot claimed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(slot.outcome, SlotOutcome::Started);

        let (st, est) = app
            .get(&format!("/api/v1/sites/{}/runs/estimate", app.site))
            .await;
        assert_eq!(st, 200, "{est}");
        assert!(est["usd_micros"].is_i64(), "{est}");
        assert!(est["usd"].as_str().unwrap().starts_with('$'), "{est}");
        assert_eq!(est["budget_left"], 380, "{est}");

        let cookie = sign_in(&app, "owner@a.example").await;
        let (st, html) = page(&app, &cookie, &format!("/sites/{}/automation", app.site)).await;
        assert_eq!(st, 200);
        assert!(html.contains("daily at 06:00"), "{html}");
        assert!(html.contains("(Europe/Berlin)"), "{html}");
        assert!(html.contains("id=\"estimate-usd\">$"), "{html}");
        assert!(html.contains("120 of 500 credits spent in"), "{html}");
        assert!(html.contains(">started</span>"), "{html}");
        let run = slot.run_id.unwrap();
        assert!(
            html.contains(&format!("automation?run={run}\">{run}</a>")),
            "{html}"
        );

        let (st, html) = page(&app, &cookie, "/usage").await;
        assert_eq!(st, 200);
        let row = &html[html.find("id=\"budgets\"").unwrap()..];
        assert!(row.contains("<td>blog</td>"), "{row}");
        assert!(row.contains("class=\"num spent\">120<"), "{row}");
        assert!(row.contains("class=\"num budget\">500<"), "{row}");
        assert!(row.contains("class=\"num left\">380<"), "{row}");
    }
);
