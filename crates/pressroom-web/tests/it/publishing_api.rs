//! The publishing queue over HTTP: the site's queue with titles, destinations and local times;
//! editors hold, release, move and publish now; viewers read only; another account sees
//! nothing; the Publishing page lists the queue and its forms work.

use crate::pages::{csrf_of, page, post_form, sign_in};
use crate::support::*;
use pressroom_domain::publish::{PublishMode, PublishSchedule};
use pressroom_domain::*;
use pressroom_pipeline::publish::queue::{self, When};
use pressroom_store::testing::{new_cluster, seed_article};
use pressroom_store::{Db, NewDestination, engine_test};
use reqwest::Method;
use serde_json::json;

/// Two approved articles queued at a twice-a-day destination of the app's site.
async fn queued_pair(app: &App) -> (i64, i64) {
    let db = app.p.db();
    let dest = db
        .create_destination(
            app.account,
            &NewDestination {
                site: app.site,
                name: "Main blog".into(),
                kind: DestinationKind::Webhook,
                url: "https://hooks.example.com/blog".into(),
                username: None,
                sealed_secret: "sealed".into(),
                options: Default::default(),
                schedule: PublishSchedule {
                    mode: PublishMode::Slots,
                    times: vec!["09:00".into(), "15:00".into()],
                    daily_cap: Some(2),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    let cluster = new_cluster(db, app.account, app.site, "publishing").await;
    let mut ids = Vec::new();
    for kw in ["first article", "second article"] {
        let c = seed_article(db, app.account, app.site, cluster, kw).await;
        let mut tx = db.begin().await.unwrap();
        tx.move_status(app.account, c.id, ContentStatus::Review)
            .await
            .unwrap();
        tx.move_status(app.account, c.id, ContentStatus::Approved)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let q = queue::queue_content(
            &app.p,
            app.account,
            c.id,
            Some(&[dest.id]),
            When::Schedule,
            false,
        )
        .await
        .unwrap();
        ids.push(q[0].publication.id.get());
    }
    (ids[0], ids[1])
}

engine_test!(editors_steer_the_publishing_queue, |db: Db| async move {
    let app = start(db).await;
    let (first, second) = queued_pair(&app).await;
    let list = format!("/api/v1/sites/{}/publications", app.site);
    let (st, items) = app.get(&list).await;
    assert_eq!(st, 200, "{items}");
    let items = items.as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["publication"]["id"], first);
    assert_eq!(items[0]["title"], "All about first article");
    assert_eq!(items[0]["destination"], "Main blog");
    let time = items[0]["local_time"].as_str().unwrap();
    assert!(time == "09:00" || time == "15:00", "{time}");
    let slot = |i: usize| items[i]["publication"]["scheduled_at"].as_i64().unwrap();
    let (slot1, slot2) = (slot(0), slot(1));

    // Viewers read but do not change; another account does not see the queue or its items.
    let hold = format!("/api/v1/publications/{first}/hold");
    let (st, _) = app.call(Method::GET, &list, &app.viewer_token, None).await;
    assert_eq!(st, 200);
    let (st, _) = app.call(Method::POST, &hold, &app.viewer_token, None).await;
    assert_eq!(st, 403);
    let (st, _) = app.call(Method::GET, &list, &app.other_token, None).await;
    assert_eq!(st, 404);
    let (st, _) = app.call(Method::POST, &hold, &app.other_token, None).await;
    assert_eq!(st, 404);

    // Move the second before the first: they exchange slots.
    let (st, moved) = app
        .post(
            &format!("/api/v1/publications/{second}/move"),
            json!({"before": first}),
        )
        .await;
    assert_eq!(st, 200, "{moved}");
    assert_eq!(moved.as_array().unwrap().len(), 2);
    let (_, items) = app.get(&list).await;
    assert_eq!(items[0]["publication"]["id"], second);
    assert_eq!(items[0]["publication"]["scheduled_at"], slot1);
    assert_eq!(items[1]["publication"]["scheduled_at"], slot2);
    // Itself is no reference point.
    let (st, _) = app
        .post(
            &format!("/api/v1/publications/{second}/move"),
            json!({"before": second}),
        )
        .await;
    assert_eq!(st, 422);

    // Hold, then hold's counterpart: released to the end of the queue.
    let (st, held) = app.post(&hold, json!({})).await;
    assert_eq!(st, 200, "{held}");
    assert_eq!(held["held"], true);
    assert!(held["scheduled_at"].is_null());
    let release = format!("/api/v1/publications/{first}/release");
    let (st, released) = app.post(&release, json!({})).await;
    assert_eq!(st, 200, "{released}");
    assert!(released["scheduled_at"].as_i64().unwrap() > slot1);
    assert_error(
        &app.post(&release, json!({})).await,
        409,
        "illegal_transition",
    );

    // Publish now: due at once.
    let before = pressroom_store::now_ms();
    let (st, now) = app
        .post(&format!("/api/v1/publications/{second}/now"), json!({}))
        .await;
    assert_eq!(st, 200, "{now}");
    let at = now["scheduled_at"].as_i64().unwrap();
    assert!(at >= before && at <= pressroom_store::now_ms());

    // The page lists the queue; its hold button works with the session's token.
    let cookie = sign_in(&app, "owner@a.example").await;
    let path = format!("/sites/{}/publishing", app.site);
    let (st, html) = page(&app, &cookie, &path).await;
    assert_eq!(st, 200);
    assert!(html.contains("All about first article") && html.contains("Main blog"));
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/publications/{first}/hold"),
        &[("csrf", &csrf_of(&html))],
    )
    .await;
    assert_eq!(st, 303);
    let (_, html) = page(&app, &cookie, &path).await;
    assert!(html.contains("Held"), "{html}");
});
