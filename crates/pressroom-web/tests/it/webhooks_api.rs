//! Webhooks over HTTP: owners add and remove them (the secret shown once, never listed), the
//! URL is guarded, viewers read only, another account's webhook is not found, a ping lands in
//! the delivery log, and the Webhooks page shows the secret once and the log.

use crate::pages::{csrf_of, page, sign_in};
use crate::support::*;
use pressroom_domain::Role;
use pressroom_store::{Db, engine_test};
use reqwest::Method;
use serde_json::json;

engine_test!(
    owners_manage_webhooks_and_everyone_reads_the_log,
    |db: Db| async move {
        let app = start(db).await;
        let (st, created) = app
        .post("/api/v1/webhooks", json!({"url": "https://hooks.example.com/pressroom", "events": ["run-failed", "run-completed"]}))
        .await;
        assert_eq!(st, 201, "{created}");
        let secret = created["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_") && secret.len() > 40);
        assert_eq!(
            created["webhook"]["events"],
            json!(["run-completed", "run-failed"])
        );
        let id = created["webhook"]["id"].as_i64().unwrap();

        // Listed without its secret, and the raw column holds it only sealed.
        let (st, list) = app.get("/api/v1/webhooks").await;
        assert_eq!(st, 200);
        assert!(!list.to_string().contains(&secret), "{list}");
        let sealed = pressroom_store::testing::raw_text(
            app.p.db(),
            "SELECT sealed_secret FROM webhooks WHERE id = $1",
            id,
        )
        .await;
        assert!(!sealed.contains(&secret));

        // Bad input names the field and stores nothing.
        for (body, field) in [
            (json!({"url": "http://169.254.169.254/latest"}), "url"),
            (json!({"url": "http://localhost:9000/x"}), "url"),
            (
                json!({"url": "https://hooks.example.com/x", "events": ["run-exploded"]}),
                "events",
            ),
        ] {
            let (st, err) = app.post("/api/v1/webhooks", body.clone()).await;
            assert_eq!(st, 422, "{body}: {err}");
            assert!(
                err["error"]["message"].as_str().unwrap().starts_with(field),
                "{err}"
            );
        }
        assert_eq!(
            app.get("/api/v1/webhooks")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // A viewer reads but cannot add or remove; another account cannot see it.
        let (st, _) = app
            .call(Method::GET, "/api/v1/webhooks", &app.viewer_token, None)
            .await;
        assert_eq!(st, 200);
        let (st, _) = app
            .call(
                Method::POST,
                "/api/v1/webhooks",
                &app.viewer_token,
                Some(json!({"url": "https://a.example.com/"})),
            )
            .await;
        assert_eq!(st, 403);
        let (st, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/webhooks/{id}"),
                &app.viewer_token,
                None,
            )
            .await;
        assert_eq!(st, 403);
        let (st, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/webhooks/{id}"),
                &app.other_token,
                None,
            )
            .await;
        assert_eq!(st, 404);
        let (st, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/webhooks/{id}/deliveries"),
                &app.other_token,
                None,
            )
            .await;
        assert_eq!(st, 404);

        // A ping is a delivery in the log (example.com is not reachable here: it stays pending
        // or fails, and says why).
        let (st, ping) = app
            .post(&format!("/api/v1/webhooks/{id}/ping"), json!({}))
            .await;
        assert_eq!(st, 202, "{ping}");
        let (st, log) = app.get(&format!("/api/v1/webhooks/{id}/deliveries")).await;
        assert_eq!(st, 200);
        assert_eq!(log[0]["id"], ping["delivery"]);
        assert_eq!(log[0]["event"], "ping");

        let (st, removed) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/webhooks/{id}"),
                &app.token,
                None,
            )
            .await;
        assert_eq!((st, removed["status"].as_str()), (200, Some("removed")));
        let (st, _) = app
            .post(&format!("/api/v1/webhooks/{id}/ping"), json!({}))
            .await;
        assert_eq!(st, 409, "a removed webhook takes no ping");

        let (_, doc) = app.get("/api/v1/openapi.json").await;
        assert!(doc["paths"]["/api/v1/webhooks"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/webhooks/{id}/deliveries"]["get"].is_object());
    }
);

engine_test!(
    the_webhooks_page_shows_the_secret_once,
    |db: Db| async move {
        let app = start(db).await;
        let cookie = sign_in(&app, &app.owner.email).await;
        let (st, html) = page(&app, &cookie, "/webhooks").await;
        assert_eq!(st, 200);
        assert!(html.contains("No webhooks yet"));
        let res = app
            .http
            .post(app.url("/webhooks"))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("url", "https://hooks.example.com/p"),
                ("run-failed", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        assert!(html.contains("whsec_"), "the secret is shown once");
        assert!(html.contains("https://hooks.example.com/p") && html.contains("run-failed"));
        let (_, again) = page(&app, &cookie, "/webhooks").await;
        assert!(!again.contains("whsec_"), "and never again");
        // A bad URL is named on the page; nothing is added.
        let res = app
            .http
            .post(app.url("/webhooks"))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf_of(&again).as_str()),
                ("url", "http://10.0.0.8/x"),
                ("run-failed", "on"),
            ])
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("url: "), "{html}");
        // A viewer sees the page without the add form.
        let (viewer, _) = add_user(&app, "reader@example.com", Role::Viewer).await;
        let cookie = sign_in(&app, &viewer.email).await;
        let (st, html) = page(&app, &cookie, "/webhooks").await;
        assert_eq!(st, 200);
        assert!(!html.contains("Add a webhook"));
    }
);
