//! Destinations and publications over HTTP: owners add, change and remove destinations (the
//! application password goes in and never comes out; a webhook's generated secret comes out
//! once), editors test a connection (an unreachable WordPress is a report, not an error),
//! viewers and editors cannot add, another account's destination is not found; an article's
//! records are listed and its Publishing panel drawn; the Destinations page works by form.

use crate::pages::{csrf_of, page, post_form, sign_in};
use crate::support::*;
use pressroom_domain::*;
use pressroom_store::{Db, PublicationOutcome, engine_test};
use reqwest::Method;
use serde_json::{Value, json};

const APP_PASSWORD: &str = "abcd EFGH ijkl MNOP qrst UVWX";

/// A loopback address where nothing listens: a port taken from the system, then let go.
fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

async fn add_wordpress(app: &App, url: &str) -> (u16, Value) {
    app.post(
        &format!("/api/v1/sites/{}/destinations", app.site),
        json!({"name": "Client blog", "kind": "wordpress", "url": url, "username": "editor",
               "secret": APP_PASSWORD, "options": {"post_status": "draft"},
               "schedule": {"mode": "slots", "times": ["09:00", "15:00"], "daily_cap": 2}}),
    )
    .await
}

engine_test!(
    owners_manage_destinations_and_secrets_never_come_back,
    |db: Db| async move {
        let app = start_loopback(db).await;
        let url = closed_port_url();
        let (st, created) = add_wordpress(&app, &url).await;
        assert_eq!(st, 201, "{created}");
        let d = &created["destination"];
        let id = d["id"].as_i64().unwrap();
        assert_eq!(
            (&d["kind"], &d["username"], &d["secret_set"]),
            (&json!("wordpress"), &json!("editor"), &json!(true))
        );
        assert_eq!(d["options"]["post_status"], "draft");
        assert_eq!(d["schedule"]["times"], json!(["09:00", "15:00"]));
        assert!(created.get("secret").is_none(), "{created}");
        assert!(!created.to_string().contains(APP_PASSWORD));

        // Never in any answer; stored only sealed.
        let site_path = format!("/api/v1/sites/{}/destinations", app.site);
        for path in [site_path.clone(), format!("/api/v1/destinations/{id}")] {
            let (st, v) = app.get(&path).await;
            assert_eq!(st, 200, "{v}");
            assert!(v.to_string().contains("Client blog"));
            assert!(!v.to_string().contains(APP_PASSWORD), "{v}");
        }
        let sealed = pressroom_store::testing::raw_text(
            app.p.db(),
            "SELECT sealed_secret FROM destinations WHERE id = $1",
            id,
        )
        .await;
        assert!(!sealed.contains(APP_PASSWORD));

        // Bad input names its field; nothing more is stored.
        for (body, field) in [
            (
                json!({"name": "x", "kind": "wordpress", "url": "ftp://blog.example.com", "username": "u", "secret": APP_PASSWORD}),
                "url",
            ),
            (
                json!({"name": "x", "kind": "wordpress", "url": "http://10.1.2.3", "username": "u", "secret": APP_PASSWORD}),
                "url",
            ),
            (
                json!({"name": "x", "kind": "ftp", "url": "https://blog.example.com"}),
                "kind",
            ),
            (
                json!({"name": "x", "kind": "wordpress", "url": "https://blog.example.com", "username": "u"}),
                "password",
            ),
            (
                json!({"name": "x", "kind": "wordpress", "url": "https://blog.example.com", "username": "u", "secret": APP_PASSWORD,
                       "schedule": {"mode": "slots", "times": ["25:00"]}}),
                "time",
            ),
        ] {
            let got = app.post(&site_path, body.clone()).await;
            assert_eq!(got.0, 422, "{body}: {}", got.1);
            let message = got.1["error"]["message"].as_str().unwrap();
            assert!(message.contains(field), "{field}: {message}");
        }
        assert_eq!(app.get(&site_path).await.1.as_array().unwrap().len(), 1);

        // Viewers and editors cannot add, change or remove; editors can test.
        let (_, editor_token) = add_user(&app, "editor@a.example", Role::Editor).await;
        for token in [&app.viewer_token, &editor_token] {
            let body =
                json!({"name": "n", "kind": "webhook", "url": "https://hooks.example.com/a"});
            let got = app.call(Method::POST, &site_path, token, Some(body)).await;
            assert_error(&got, 403, "forbidden");
            let path = format!("/api/v1/destinations/{id}");
            let got = app
                .call(Method::PATCH, &path, token, Some(json!({"name": "n"})))
                .await;
            assert_error(&got, 403, "forbidden");
            let got = app.call(Method::DELETE, &path, token, None).await;
            assert_error(&got, 403, "forbidden");
        }
        let test_path = format!("/api/v1/destinations/{id}/test");
        let got = app
            .call(Method::POST, &test_path, &app.viewer_token, None)
            .await;
        assert_error(&got, 403, "forbidden");

        // Nothing listens there: the report says so, and the answer is still 200.
        let (st, report) = app
            .call(Method::POST, &test_path, &editor_token, None)
            .await;
        assert_eq!(st, 200, "{report}");
        assert_eq!(report["ok"], false);
        assert_eq!(report["destination"], id);
        let summary = report["summary"].as_str().unwrap();
        assert!(
            summary.contains("could not reach") && summary.contains("127.0.0.1"),
            "{summary}"
        );
        assert!(!report.to_string().contains(APP_PASSWORD));

        // Another account finds none of it.
        for (method, path) in [
            (Method::GET, format!("/api/v1/destinations/{id}")),
            (Method::PATCH, format!("/api/v1/destinations/{id}")),
            (Method::DELETE, format!("/api/v1/destinations/{id}")),
            (Method::POST, test_path.clone()),
            (Method::GET, site_path.clone()),
        ] {
            let body = (method == Method::PATCH).then(|| json!({"name": "mine"}));
            let got = app.call(method, &path, &app.other_token, body).await;
            assert_error(&got, 404, "not_found");
        }

        // An owner changes the schedule and the password (still never answered).
        let (st, changed) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/destinations/{id}"),
                &app.token,
                Some(json!({"secret": "new pass word 1234", "schedule": {"mode": "stagger", "every_minutes": 30, "weekly_cap": 5}})),
            )
            .await;
        assert_eq!(st, 200, "{changed}");
        assert_eq!(changed["schedule"]["mode"], "stagger");
        assert_eq!(changed["schedule"]["weekly_cap"], 5);
        assert!(!changed.to_string().contains("new pass word"));
        let got = app
            .call(
                Method::PATCH,
                &format!("/api/v1/destinations/{id}"),
                &app.token,
                Some(json!({"url": "gopher://x"})),
            )
            .await;
        assert_error(&got, 422, "invalid_value");

        // A webhook's generated secret is answered once, and never listed.
        let (st, hook) = app
            .post(
                &site_path,
                json!({"name": "Receiver", "kind": "webhook", "url": "https://hooks.example.com/articles"}),
            )
            .await;
        assert_eq!(st, 201, "{hook}");
        let secret = hook["secret"].as_str().unwrap().to_string();
        assert!(
            secret.starts_with("whsec_") && secret.len() > 40,
            "{secret}"
        );
        let (_, list) = app.get(&site_path).await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert!(!list.to_string().contains(&secret));

        // Removed: listed as removed, and a test says so.
        let (st, removed) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/destinations/{id}"),
                &app.token,
                None,
            )
            .await;
        assert_eq!((st, removed["status"].as_str()), (200, Some("removed")));
        let (_, report) = app.post(&test_path, json!({})).await;
        assert_eq!(report["ok"], false);
        assert!(report["summary"].as_str().unwrap().contains("removed"));

        let (_, doc) = app.get("/api/v1/openapi.json").await;
        for (path, method) in [
            ("/api/v1/sites/{site}/destinations", "post"),
            ("/api/v1/destinations/{id}", "patch"),
            ("/api/v1/destinations/{id}/test", "post"),
            ("/api/v1/content/{id}/publications", "get"),
            ("/api/v1/publications/{id}/unpublish", "post"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{path} {method}");
        }
        assert!(doc["components"]["schemas"]["DestinationDto"].is_object());
    }
);

/// A record of `content` at `destination`, sent and confirmed published as the publish job
/// would leave it, with a passed live check and one SEO key WordPress dropped.
async fn published_record(
    app: &App,
    content: ContentId,
    destination: DestinationId,
) -> Publication {
    let db = app.p.db();
    let mut tx = db.begin().await.unwrap();
    let queued = tx
        .queue_publication(app.account, content, destination, Some(0), false)
        .await
        .unwrap();
    let id = queued.publication.id;
    tx.begin_sending(app.account, id).await.unwrap();
    tx.finish_publication(
        app.account,
        id,
        &PublicationOutcome {
            status: PublicationStatus::Published,
            external_id: Some("41".into()),
            url: Some("https://blog.example.com/cold-brew/".into()),
            error: None,
            seo_report: Some(json!({"plugin": "yoast", "saved": ["_yoast_wpseo_title"], "dropped": ["_yoast_wpseo_metadesc"]})),
            sent_version: Some(1),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    db.record_live_check(
        app.account,
        id,
        &json!({"passed": true, "http_status": 200, "title_found": true, "image_found": true}),
    )
    .await
    .unwrap();
    db.publication(app.account, id).await.unwrap()
}

engine_test!(
    an_articles_records_are_listed_and_unpublish_says_what_failed,
    |db: Db| async move {
        let app = start_loopback(db).await;
        app.import().await;
        app.run_to_review().await;
        let (_, content) = app
            .get(&format!("/api/v1/sites/{}/content", app.site))
            .await;
        let article = content[0]["id"].as_i64().unwrap();
        let (st, none) = app
            .get(&format!("/api/v1/content/{article}/publications"))
            .await;
        assert_eq!((st, none), (200, json!([])));

        let (_, created) = add_wordpress(&app, &closed_port_url()).await;
        let destination = DestinationId::new(created["destination"]["id"].as_i64().unwrap());
        let record = published_record(&app, ContentId::new(article), destination).await;

        let (st, list) = app
            .get(&format!("/api/v1/content/{article}/publications"))
            .await;
        assert_eq!(st, 200, "{list}");
        let r = &list[0];
        assert_eq!(r["id"], record.id.get());
        assert_eq!(r["status"], "published");
        assert_eq!(r["external_id"], "41");
        assert_eq!(r["url"], "https://blog.example.com/cold-brew/");
        assert_eq!(r["attempts"], 1);
        assert_eq!(r["seo_report"]["dropped"], json!(["_yoast_wpseo_metadesc"]));
        assert_eq!(r["live_check"]["passed"], true);
        let got = app
            .call(
                Method::GET,
                &format!("/api/v1/content/{article}/publications"),
                &app.other_token,
                None,
            )
            .await;
        assert_error(&got, 404, "not_found");

        // The article page's Publishing panel shows the record with its Unpublish button.
        let cookie = sign_in(&app, &app.owner.email).await;
        let (st, html) = page(&app, &cookie, &format!("/content/{article}")).await;
        assert_eq!(st, 200);
        let panel = &html[html.find("id=\"publishing\"").expect("panel")..];
        assert!(
            panel.contains("Client blog") && panel.contains("https://blog.example.com/cold-brew/")
        );
        assert!(panel.contains("passed") && panel.contains("_yoast_wpseo_metadesc"));
        assert!(panel.contains(&format!("/publications/{}/unpublish", record.id)));

        // Viewers cannot take it down; the WordPress is unreachable, so the owner's attempt is
        // refused naming why, and the record stays published.
        let path = format!("/api/v1/publications/{}/unpublish", record.id);
        let got = app
            .call(Method::POST, &path, &app.viewer_token, Some(json!({})))
            .await;
        assert_error(&got, 403, "forbidden");
        let got = app.post(&path, json!({"trash": false})).await;
        assert_error(&got, 409, "refused");
        assert!(
            got.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("could not reach")
        );
        let (_, list) = app
            .get(&format!("/api/v1/content/{article}/publications"))
            .await;
        assert_eq!(list[0]["status"], "published");
        // Through the page's button, the same refusal is an error page.
        let (st, _) = post_form(
            &app,
            &cookie,
            &format!("/publications/{}/unpublish", record.id),
            &[("csrf", &csrf_of(&html))],
        )
        .await;
        assert_eq!(st, 409);
        let got = app
            .call(Method::POST, &path, &app.other_token, Some(json!({})))
            .await;
        assert_error(&got, 404, "not_found");
    }
);

engine_test!(
    the_destinations_page_lists_adds_tests_and_schedules,
    |db: Db| async move {
        let app = start_loopback(db).await;
        let site = app.site;
        let path = format!("/sites/{site}/destinations");
        let cookie = sign_in(&app, &app.owner.email).await;
        let (st, html) = page(&app, &cookie, &path).await;
        assert_eq!(st, 200);
        assert!(html.contains("No destinations yet") && html.contains("Add a WordPress site"));
        assert!(
            html.contains(&format!("href=\"/sites/{site}/destinations\"")),
            "linked in the nav"
        );
        let csrf = csrf_of(&html);

        // A WordPress site by form; the password never appears on the page.
        let url = closed_port_url();
        let (st, _) = post_form(
            &app,
            &cookie,
            &format!("{path}/wordpress"),
            &[
                ("csrf", &csrf),
                ("name", "Shop blog"),
                ("url", &url),
                ("username", "ed"),
                ("password", APP_PASSWORD),
                ("post_status", "pending"),
                ("allow_private", "1"),
            ],
        )
        .await;
        assert_eq!(st, 303);
        let (st, html) = page(&app, &cookie, &format!("{path}?done=added")).await;
        assert_eq!(st, 200);
        assert!(
            html.contains("Shop blog") && html.contains(&url) && html.contains("posts pending")
        );
        assert!(html.contains("Destination added"));
        assert!(!html.contains(APP_PASSWORD));
        let id = app
            .get(&format!("/api/v1/sites/{site}/destinations"))
            .await
            .1[0]["id"]
            .as_i64()
            .unwrap();

        // A bad URL is named on the page, with nothing added.
        let (st, html) = post_form(
            &app,
            &cookie,
            &format!("{path}/wordpress"),
            &[
                ("csrf", &csrf),
                ("name", "Bad"),
                ("url", "javascript:alert(1)"),
                ("username", "ed"),
                ("password", APP_PASSWORD),
                ("post_status", "publish"),
            ],
        )
        .await;
        assert_eq!(st, 422);
        assert!(
            html.contains("destination-error") && html.contains("invalid url"),
            "{html}"
        );

        // Test connection: the report's lines on the page.
        let (st, html) = post_form(
            &app,
            &cookie,
            &format!("/destinations/{id}/test"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(st, 200);
        assert!(
            html.contains("Connection failed") && html.contains("could not reach"),
            "{html}"
        );

        // The schedule form; a bad time is named.
        let schedule = |times: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("mode", "slots".into()),
                ("times", times.into()),
                ("every_minutes", "60".into()),
                ("window_start", "09:00".into()),
                ("window_end", "17:00".into()),
                ("daily_cap", "3".into()),
                ("weekly_cap", "".into()),
            ]
        };
        let form = schedule("08:30, 16:00");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, _) = post_form(
            &app,
            &cookie,
            &format!("/destinations/{id}/schedule"),
            &form,
        )
        .await;
        assert_eq!(st, 303);
        let (_, html) = page(&app, &cookie, &path).await;
        assert!(html.contains("08:30 and 16:00, at most 3 a day"), "{html}");
        let form = schedule("8 o'clock");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, html) = post_form(
            &app,
            &cookie,
            &format!("/destinations/{id}/schedule"),
            &form,
        )
        .await;
        assert_eq!(st, 422, "{html}");

        // A webhook by form: its secret shown once, never cached, never again.
        let res = app
            .http
            .post(app.url(&format!("{path}/webhook")))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Receiver"),
                ("url", "https://hooks.example.com/in"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        assert!(html.contains("whsec_") && html.contains("Receiver"));
        let (_, again) = page(&app, &cookie, &path).await;
        assert!(!again.contains("whsec_"));

        // Removed by form; a viewer reads the page without forms and cannot post them.
        let (st, _) = post_form(
            &app,
            &cookie,
            &format!("/destinations/{id}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(st, 303);
        let (_, html) = page(&app, &cookie, &path).await;
        assert!(html.contains("removed"));
        let viewer = sign_in(&app, "viewer@a.example").await;
        let (st, html) = page(&app, &viewer, &path).await;
        assert_eq!(st, 200);
        assert!(html.contains("Shop blog") && !html.contains("Add a WordPress site"));
        let (st, _) = post_form(
            &app,
            &viewer,
            &format!("{path}/webhook"),
            &[
                ("csrf", &csrf_of(&html)),
                ("name", "x"),
                ("url", "https://hooks.example.com/x"),
            ],
        )
        .await;
        assert_eq!(st, 403);
        // Another account's site is not found.
        let other = format!("/sites/{}/destinations", app.other_site);
        assert_eq!(page(&app, &cookie, &other).await.0, 404);
    }
);
