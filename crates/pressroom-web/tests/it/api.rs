//! The REST API end to end over real HTTP: every endpoint, the 404-for-another-account rule,
//! bad bodies, roles, tokens, and a whole run to the review gate on the offline providers.

use crate::support::*;
use pressroom_store::{Db, engine_test};
use reqwest::Method;
use serde_json::{Value, json};

engine_test!(health_metrics_and_openapi, |db: Db| async move {
    let app = start(db).await;
    let res = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");

    let (st, doc) = app.get("/api/v1/openapi.json").await;
    assert_eq!(st, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/sites",
        "/api/v1/sites/{site}/keywords/import",
        "/api/v1/images/generate",
        "/api/v1/runs/{id}/events",
        "/api/v1/content/{id}/approve",
    ] {
        assert!(doc["paths"][path].is_object(), "missing {path}");
    }

    app.get("/api/v1/sites").await;
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "pressroom_http_requests_total{method=\"GET\",route=\"/api/v1/sites\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("pressroom_http_request_duration_seconds_bucket"));
    assert!(text.contains("pressroom_worker_jobs_total{event=\"claimed\"}"));

    // Made-up paths and methods share one `other` label each: clients cannot mint series.
    for path in ["/nope/1", "/nope/2", "/api/v1/nope"] {
        app.get(path).await;
    }
    let odd = reqwest::Method::from_bytes(b"BREW").unwrap();
    app.call(odd, "/api/v1/sites", &app.token, None).await;
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "pressroom_http_requests_total{method=\"GET\",route=\"other\",status=\"404\"} 3"
        ),
        "{text}"
    );
    assert!(
        text.contains("pressroom_http_requests_total{method=\"other\",route=\"/api/v1/sites\""),
        "{text}"
    );
    assert!(!text.contains("nope") && !text.contains("BREW"), "{text}");
});

#[tokio::test]
async fn operator_options_metrics_token_hsts_and_no_store() {
    // Defaults: metrics open, no HSTS, dynamic answers not cached.
    let app = start_sqlite().await;
    let res = app
        .http
        .get(app.url("/api/v1/sites"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(!res.headers().contains_key("strict-transport-security"));
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // Static assets keep their own caching.
    let res = app
        .http
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    let res = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    drop(app);

    let t = pressroom_store::testing::TestDb::sqlite().await;
    let app = start_with(
        t.db.clone(),
        pressroom_web::WebConfig {
            secure_cookies: true,
            metrics_token: Some("metrics-secret".into()),
            ..Default::default()
        },
    )
    .await;
    let res = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    for wrong in ["metrics-secre", "metrics-secret2", "nope", &app.token] {
        let res = app
            .http
            .get(app.url("/metrics"))
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{wrong}");
    }
    let res = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("metrics-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("pressroom_http_requests_total")
    );
    let res = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

/// `(status, message)` of an API error, asserting it is a 422 naming `field`.
fn assert_names(got: &(u16, Value), field: &str) {
    assert_error(got, 422, "invalid_value");
    let msg = got.1["error"]["message"].as_str().unwrap();
    assert!(msg.starts_with(&format!("{field}: ")), "{msg}");
}

engine_test!(
    control_characters_and_lengths_are_refused_naming_the_field,
    |db: Db| async move {
        let app = start(db).await;
        let site = app.site;
        let nul = |field: &str| format!("{field}: contains a control character (U+0000)");
        for (body, field) in [
            (json!({"name": "a\u{0}b"}), "name"),
            (json!({"name": "line\nbreak"}), "name"),
            (json!({"name": "\u{1b}[31mred"}), "name"),
            (json!({"name": "x".repeat(101)}), "name"),
            (json!({"name": "ok", "domain": "a\u{0}.example"}), "domain"),
            (
                json!({"name": "ok", "domain": "https://shop.example"}),
                "domain",
            ),
            (
                json!({"name": "ok", "domain": "shop.example:8080"}),
                "domain",
            ),
            (
                json!({"name": "ok", "domain": "shop_example.com"}),
                "domain",
            ),
            (
                json!({"name": "ok", "domain": format!("{}.com", "a".repeat(64))}),
                "domain",
            ),
            (json!({"name": "ok", "language": "e\u{0}n"}), "language"),
            (json!({"name": "ok", "language": "en us"}), "language"),
        ] {
            let got = app.post("/api/v1/sites", body.clone()).await;
            assert_names(&got, field);
            if body["name"] == "a\u{0}b" {
                assert_eq!(got.1["error"]["message"], nul("name"));
            }
        }
        // Nothing of that was stored; a clean domain is kept in lowercase.
        let (_, sites) = app.get("/api/v1/sites").await;
        assert_eq!(sites.as_array().unwrap().len(), 1, "{sites}");
        let (st, shop) = app
            .post(
                "/api/v1/sites",
                json!({"name": "shop", "domain": " Shop.Example.COM "}),
            )
            .await;
        assert_eq!(st, 201, "{shop}");
        assert_eq!(shop["domain"], "shop.example.com");

        let got = app.post("/api/v1/tokens", json!({"name": "ci\u{0}"})).await;
        assert_names(&got, "name");
        assert_eq!(got.1["error"]["message"], nul("name"));
        assert_names(
            &app.post("/api/v1/tokens", json!({"name": "x".repeat(101)}))
                .await,
            "name",
        );

        let got = app
            .get(&format!("/api/v1/sites/{site}/keywords?search=shoe%00s"))
            .await;
        assert_names(&got, "search");
        assert_eq!(got.1["error"]["message"], nul("search"));
        let long = "a".repeat(201);
        assert_names(
            &app.get(&format!("/api/v1/sites/{site}/keywords?search={long}"))
                .await,
            "search",
        );
        let (st, _) = app
            .get(&format!("/api/v1/sites/{site}/keywords?search=shoe"))
            .await;
        assert_eq!(st, 200);

        // An upload's file name labels the keywords it brings: it must be clean text too.
        // (A C1 control, sent raw: a client library would escape it.)
        let body = format!(
            "--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kw\u{85}.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{KEYWORDS}\r\n--X--\r\n"
        );
        let res = app
            .http
            .post(app.url(&format!("/api/v1/sites/{site}/keywords/import")))
            .bearer_auth(&app.token)
            .header("content-type", "multipart/form-data; boundary=X")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["error"]["message"],
            "file name: contains a control character (U+0085)"
        );
    }
);

engine_test!(
    an_editor_revokes_only_their_own_tokens,
    |db: Db| async move {
        let app = start(db).await;
        let (_, editor_token) =
            add_user(&app, "editor@a.example", pressroom_domain::Role::Editor).await;
        let (st, owners) = app.post("/api/v1/tokens", json!({"name": "owner's"})).await;
        assert_eq!(st, 201, "{owners}");
        let owners_id = owners["token"]["id"].as_i64().unwrap();
        let (st, editors) = app
            .call(
                Method::POST,
                "/api/v1/tokens",
                &editor_token,
                Some(json!({"name": "editor's"})),
            )
            .await;
        assert_eq!(st, 201, "{editors}");
        let editors_id = editors["token"]["id"].as_i64().unwrap();

        let got = app
            .call(
                Method::DELETE,
                &format!("/api/v1/tokens/{owners_id}"),
                &editor_token,
                None,
            )
            .await;
        assert_error(&got, 403, "forbidden");
        // Still works.
        let secret = owners["secret"].as_str().unwrap();
        assert_eq!(
            app.call(Method::GET, "/api/v1/me", secret, None).await.0,
            200
        );
        // Their own, yes; and an owner may revoke anyone's.
        let (st, v) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/tokens/{editors_id}"),
                &editor_token,
                None,
            )
            .await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["status"], "revoked");
        let (st, v) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/tokens/{owners_id}"),
                &app.token,
                None,
            )
            .await;
        assert_eq!((st, v["status"].as_str()), (200, Some("revoked")), "{v}");
        let (_, others) = add_user(&app, "editor2@a.example", pressroom_domain::Role::Editor).await;
        let list = app.get("/api/v1/tokens").await.1;
        let others_id = list
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|t| t["name"] == "mine" && t["status"] == "active")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (st, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/tokens/{others_id}"),
                &app.token,
                None,
            )
            .await;
        assert_eq!(st, 200);
        assert_eq!(
            app.call(Method::GET, "/api/v1/me", &others, None).await.0,
            401
        );
    }
);

#[tokio::test]
async fn authentication_and_roles() {
    let app = start_sqlite().await;
    // No token, a wrong token, a malformed header.
    let res = app.http.get(app.url("/api/v1/sites")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_error(
        &app.call(Method::GET, "/api/v1/sites", "prs_dead_beef", None)
            .await,
        401,
        "unauthorized",
    );
    let res = app
        .http
        .get(app.url("/api/v1/sites"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let (st, me) = app.get("/api/v1/me").await;
    assert_eq!(st, 200);
    assert_eq!(me["email"], "owner@a.example");
    assert_eq!(me["role"], "owner");

    // A viewer reads but cannot write.
    let (st, _) = app
        .call(Method::GET, "/api/v1/sites", &app.viewer_token, None)
        .await;
    assert_eq!(st, 200);
    assert_error(
        &app.call(
            Method::POST,
            "/api/v1/sites",
            &app.viewer_token,
            Some(json!({"name": "x"})),
        )
        .await,
        403,
        "forbidden",
    );

    // Tokens: create (shown once), list (prefix only), revoke, and then refused.
    let (st, created) = app.post("/api/v1/tokens", json!({"name": "ci"})).await;
    assert_eq!(st, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("prs_"));
    let (st, list) = app.get("/api/v1/tokens").await;
    assert_eq!(st, 200);
    assert!(!list.to_string().contains(&secret));
    assert!(
        list.to_string()
            .contains(created["token"]["prefix"].as_str().unwrap())
    );
    let (st, _) = app.call(Method::GET, "/api/v1/me", &secret, None).await;
    assert_eq!(st, 200);
    let id = created["token"]["id"].as_i64().unwrap();
    // Another account cannot revoke it.
    assert_error(
        &app.call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &app.other_token,
            None,
        )
        .await,
        404,
        "not_found",
    );
    let (st, revoked) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &app.token,
            None,
        )
        .await;
    assert_eq!((st, revoked["status"].as_str()), (200, Some("revoked")));
    assert_error(
        &app.call(Method::GET, "/api/v1/me", &secret, None).await,
        401,
        "unauthorized",
    );
    assert_error(
        &app.post("/api/v1/tokens", json!({"name": ""})).await,
        422,
        "invalid_value",
    );
    // Unknown API routes answer JSON too; other unknown paths a page.
    assert_error(&app.get("/api/v1/nope").await, 404, "not_found");
    let res = app.http.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("no page here"));
}

#[tokio::test]
async fn sites_and_bad_bodies() {
    let app = start_sqlite().await;
    let (st, sites) = app.get("/api/v1/sites").await;
    assert_eq!(st, 200);
    assert_eq!(sites.as_array().unwrap().len(), 1);
    assert_eq!(sites[0]["name"], "blog");

    let (st, site) = app
        .post(
            "/api/v1/sites",
            json!({"name": "shop", "domain": "shop.example"}),
        )
        .await;
    assert_eq!(st, 201, "{site}");
    assert_eq!(site["language"], "en");
    assert_error(
        &app.post("/api/v1/sites", json!({"name": "shop"})).await,
        409,
        "already_exists",
    );
    // Bad bodies: the message names the field.
    let missing = app.post("/api/v1/sites", json!({"domain": "x"})).await;
    assert_error(&missing, 422, "invalid_body");
    assert!(
        missing.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name"),
        "{}",
        missing.1
    );
    let wrong = app.post("/api/v1/sites", json!({"name": 5})).await;
    assert_error(&wrong, 422, "invalid_body");
    assert!(
        wrong.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name"),
        "{}",
        wrong.1
    );
    let unknown = app
        .post("/api/v1/sites", json!({"name": "a", "colour": "red"}))
        .await;
    assert_error(&unknown, 422, "invalid_body");
    assert!(
        unknown.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
    let blank = app.post("/api/v1/sites", json!({"name": "   "})).await;
    assert_error(&blank, 422, "invalid_value");
    assert_eq!(blank.1["error"]["message"], "name: must not be empty");
    let res = app
        .http
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .http
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&app.token)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_error(
        &app.get("/api/v1/sites/abc/keywords").await,
        400,
        "invalid_path",
    );

    // Another account sees its own site only.
    let (_, theirs) = app
        .call(Method::GET, "/api/v1/sites", &app.other_token, None)
        .await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["name"], "rival");
}

#[tokio::test]
async fn other_accounts_ids_answer_404() {
    let app = start_sqlite().await;
    app.import().await;
    let run = app.run_to_review().await;
    let (_, content) = app
        .get(&format!("/api/v1/sites/{}/content", app.site))
        .await;
    let content_id = content[0]["id"].as_i64().unwrap();

    let site = app.site;
    let as_b = |m: Method, path: String, body: Option<Value>| {
        let app = &app;
        async move { app.call(m, &path, &app.other_token, body).await }
    };
    for path in [
        format!("/api/v1/sites/{site}/keywords"),
        format!("/api/v1/sites/{site}/clusters"),
        format!("/api/v1/sites/{site}/ideas"),
        format!("/api/v1/sites/{site}/tasks"),
        format!("/api/v1/sites/{site}/content"),
        format!("/api/v1/sites/{site}/images"),
        format!("/api/v1/sites/{site}/counts"),
        format!("/api/v1/sites/{site}/runs"),
        format!("/api/v1/sites/{site}/runs/estimate"),
        format!("/api/v1/content/{content_id}"),
        format!("/api/v1/content/{content_id}/images"),
        format!("/api/v1/runs/{run}"),
        format!("/api/v1/runs/{run}/events"),
    ] {
        let got = as_b(Method::GET, path.clone(), None).await;
        assert_error(&got, 404, "not_found");
        assert!(
            !got.1.to_string().contains("trail"),
            "{path} leaked {}",
            got.1
        );
    }
    for path in [
        format!("/api/v1/sites/{site}/runs"),
        format!("/api/v1/sites/{site}/images/retry-failed"),
        format!("/api/v1/content/{content_id}/approve"),
        format!("/api/v1/content/{content_id}/reject"),
        format!("/api/v1/runs/{run}/pause"),
        format!("/api/v1/runs/{run}/resume"),
        format!("/api/v1/runs/{run}/cancel"),
    ] {
        assert_error(
            &as_b(Method::POST, path, Some(json!({}))).await,
            404,
            "not_found",
        );
    }
    assert_error(
        &as_b(
            Method::PATCH,
            format!("/api/v1/content/{content_id}"),
            Some(json!({"title": "mine now"})),
        )
        .await,
        404,
        "not_found",
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/sites/{site}/keywords/import")))
        .bearer_auth(&app.other_token)
        .body(KEYWORDS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Image ids of another account are reported per id as not found, and nothing changes.
    let (_, imgs) = app
        .get(&format!("/api/v1/content/{content_id}/images"))
        .await;
    let img = imgs[0]["id"].as_i64().unwrap();
    let (st, out) = as_b(
        Method::POST,
        "/api/v1/images/generate".into(),
        Some(json!({"ids": [img]})),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(out[0]["outcome"], "not_found");
    // Still A's, untouched.
    let (_, c) = app.get(&format!("/api/v1/content/{content_id}")).await;
    assert_eq!(c["status"], "review");
}

#[tokio::test]
async fn keywords_import_and_list() {
    let app = start_sqlite().await;
    let site = app.site;
    app.import().await;
    // Multipart upload of the same file merges every row.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(KEYWORDS.as_bytes().to_vec()).file_name("kw.csv"),
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/sites/{site}/keywords/import")))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["inserted"], 0, "{report}");
    assert_eq!(report["merged"], 8, "{report}");

    let (st, page) = app.get(&format!("/api/v1/sites/{site}/keywords")).await;
    assert_eq!(st, 200);
    assert_eq!(page["total"], 8);
    assert_eq!(page["items"][0]["phrase"], "trail running shoes");
    let (_, page) = app
        .get(&format!(
            "/api/v1/sites/{site}/keywords?search=coffee&limit=2&offset=1"
        ))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["phrase"], "how to make cold brew coffee");
    assert_eq!(page["total"], 4, "the total counts the search's matches");
    let (_, page) = app
        .get(&format!(
            "/api/v1/sites/{site}/keywords?min_volume=800&status=new"
        ))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        page["total"], 2,
        "the total counts the volume filter's matches"
    );
    let bad = app
        .get(&format!("/api/v1/sites/{site}/keywords?status=bogus"))
        .await;
    assert_error(&bad, 422, "invalid_value");
    assert!(
        bad.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("status")
    );
    assert_error(
        &app.get(&format!("/api/v1/sites/{site}/keywords?limit=many"))
            .await,
        400,
        "invalid_query",
    );

    // A file without a keyword column is refused whole; an empty one too.
    for (body, code) in [
        ("Volume,CPC\n10,1\n", "invalid_file"),
        ("", "invalid_value"),
    ] {
        let res = app
            .http
            .post(app.url(&format!("/api/v1/sites/{site}/keywords/import")))
            .bearer_auth(&app.token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["error"]["code"], code, "{v}");
    }
    // Viewers cannot import.
    let res = app
        .http
        .post(app.url(&format!("/api/v1/sites/{site}/keywords/import")))
        .bearer_auth(&app.viewer_token)
        .body(KEYWORDS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

engine_test!(a_run_to_review_and_everything_after, |db: Db| async move {
    let app = start(db).await;
    let site = app.site;
    app.import().await;

    let (st, est) = app
        .get(&format!("/api/v1/sites/{site}/runs/estimate"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(est["enough"], true);
    assert!(est["credits"].as_i64().unwrap() >= 0, "{est}");
    assert!(est["articles"].as_i64().unwrap() > 0, "{est}");

    let (st, started) = app
        .post(&format!("/api/v1/sites/{site}/runs"), json!({}))
        .await;
    assert_eq!(st, 201, "{started}");
    assert!(started["estimate"]["credits"].is_i64());
    let run = started["run"]["id"].as_i64().unwrap();
    // One active run per site.
    assert_error(
        &app.post(&format!("/api/v1/sites/{site}/runs"), json!({}))
            .await,
        409,
        "refused",
    );
    let done = app.wait_run(run, |s| s == "awaiting_review").await;
    assert_eq!(done["stages"].as_array().unwrap().len(), 7);
    assert!(done["stages"][3]["created"].as_i64().unwrap() > 0, "{done}");

    // Events, and events after an id.
    let (_, events) = app.get(&format!("/api/v1/runs/{run}/events")).await;
    let events = events.as_array().unwrap().clone();
    assert!(events.len() > 3);
    let first = events[0]["id"].as_i64().unwrap();
    let (_, later) = app
        .get(&format!("/api/v1/runs/{run}/events?after={first}"))
        .await;
    assert_eq!(later.as_array().unwrap().len(), events.len() - 1);
    let (_, history) = app.get(&format!("/api/v1/sites/{site}/runs")).await;
    assert_eq!(history[0]["id"], run);

    for (path, min) in [
        ("clusters", 1),
        ("ideas", 1),
        ("tasks", 1),
        ("content", 1),
        ("images", 2),
    ] {
        let (st, list) = app.get(&format!("/api/v1/sites/{site}/{path}")).await;
        assert_eq!(st, 200);
        assert!(list.as_array().unwrap().len() >= min, "{path}: {list}");
    }
    let (_, tasks) = app
        .get(&format!("/api/v1/sites/{site}/tasks?status=completed"))
        .await;
    assert!(!tasks.as_array().unwrap().is_empty());
    let (_, counts) = app.get(&format!("/api/v1/sites/{site}/counts")).await;
    assert!(counts["content_review"].as_i64().unwrap() >= 1, "{counts}");

    let (_, content) = app
        .get(&format!("/api/v1/sites/{site}/content?status=review"))
        .await;
    let c1 = content[0]["id"].as_i64().unwrap();
    let c2 = content[1]["id"].as_i64().unwrap();

    // Edit: markdown is re-rendered and sanitised.
    let (st, edited) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/content/{c1}"),
            &app.token,
            Some(json!({"title": "A better title", "body_markdown": "## Intro\n\nHello <script>alert(1)</script> **world**"})),
        )
        .await;
    assert_eq!(st, 200, "{edited}");
    assert_eq!(edited["title"], "A better title");
    let html = edited["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>world</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert_error(
        &app.call(
            Method::PATCH,
            &format!("/api/v1/content/{c1}"),
            &app.token,
            Some(json!({"title": ""})),
        )
        .await,
        422,
        "invalid_value",
    );
    assert_error(
        &app.call(
            Method::PATCH,
            &format!("/api/v1/content/{c1}"),
            &app.token,
            Some(json!({})),
        )
        .await,
        422,
        "invalid_value",
    );
    // Control characters in the title or body are refused by name and nothing changes;
    // newlines and tabs are fine in the body.
    for (body, field) in [
        (json!({"title": "a\u{0}b"}), "title"),
        (json!({"title": "two\nlines"}), "title"),
        (json!({"title": "x".repeat(301)}), "title"),
        (json!({"body_markdown": "text\u{0}"}), "body_markdown"),
        (
            json!({"title": "fine", "body_markdown": "bell\u{7}"}),
            "body_markdown",
        ),
    ] {
        let got = app
            .call(
                Method::PATCH,
                &format!("/api/v1/content/{c1}"),
                &app.token,
                Some(body),
            )
            .await;
        assert_error(&got, 422, "invalid_value");
        let msg = got.1["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with(&format!("{field}: ")), "{msg}");
    }
    let (_, now) = app.get(&format!("/api/v1/content/{c1}")).await;
    assert_eq!(now["title"], "A better title");
    let (st, v) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/content/{c1}"),
            &app.token,
            Some(json!({"body_markdown": "## Intro\n\n\tcode\r\nHello **world**"})),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    // Approve (confirming the offline sample), reject, and an illegal move.
    let (st, approved) = app
        .post(
            &format!("/api/v1/content/{c1}/approve?confirm_offline=true"),
            json!({}),
        )
        .await;
    assert_eq!(
        (st, approved["status"].as_str()),
        (200, Some("approved")),
        "{approved}"
    );
    let (st, rejected) = app
        .post(&format!("/api/v1/content/{c2}/reject"), json!({}))
        .await;
    assert_eq!((st, rejected["status"].as_str()), (200, Some("rejected")));
    assert_error(
        &app.post(&format!("/api/v1/content/{c1}/approve"), json!({}))
            .await,
        409,
        "illegal_transition",
    );
    // Reject is not a one-way door: the rejected article goes back to review; an approved one
    // cannot be reopened.
    let (st, reopened) = app
        .post(&format!("/api/v1/content/{c2}/reopen"), json!({}))
        .await;
    assert_eq!(
        (st, reopened["status"].as_str()),
        (200, Some("review")),
        "{reopened}"
    );
    assert_error(
        &app.post(&format!("/api/v1/content/{c1}/reopen"), json!({}))
            .await,
        409,
        "illegal_transition",
    );
    let (st, _) = app
        .post(&format!("/api/v1/content/{c2}/reject"), json!({}))
        .await;
    assert_eq!(st, 200);
    assert_error(&app.get("/api/v1/content/999999").await, 404, "not_found");

    // Images of a content item; a generated one is skipped, a failed one is retried.
    let (_, imgs) = app.get(&format!("/api/v1/content/{c1}/images")).await;
    let imgs = imgs.as_array().unwrap().clone();
    assert!(imgs.iter().any(|i| i["image_type"] == "featured"));
    assert!(imgs.iter().all(|i| i["status"] == "generated"), "{imgs:?}");
    let url = imgs[0]["url"].as_str().unwrap();
    let img = imgs[0]["id"].as_i64().unwrap();
    let (st, out) = app
        .post("/api/v1/images/generate", json!({"ids": [img, 999999]}))
        .await;
    assert_eq!(st, 200);
    assert_eq!(out[0]["outcome"], "already_generated");
    assert_eq!(out[1]["outcome"], "not_found");
    for bad in [
        json!({"ids": []}),
        json!({"ids": [0]}),
        json!({"ids": "1,2"}),
        json!({}),
    ] {
        let got = app.post("/api/v1/images/generate", bad).await;
        assert!(got.0 == 422, "{}", got.1);
        assert!(
            got.1["error"]["message"].as_str().unwrap().contains("ids"),
            "{}",
            got.1
        );
    }
    // The file is served to its account only.
    let res = app
        .http
        .get(app.url(url))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    let res = app
        .http
        .get(app.url(url))
        .bearer_auth(&app.other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .http
        .get(app.url("/media/../secret"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Make one image fail, then retry the site's failed images.
    let failed = imgs[1]["id"].as_i64().unwrap();
    pressroom_store::on_db!(app.p.db(), p => sqlx::query("UPDATE images SET status = 'failed', error = 'provider said no' WHERE id = $1")
        .bind(failed).execute(p).await.map(|_| ())).unwrap();
    let (_, listed) = app
        .get(&format!("/api/v1/sites/{site}/images?status=failed"))
        .await;
    assert_eq!(listed[0]["error"], "provider said no");
    let (st, out) = app
        .post(
            &format!("/api/v1/sites/{site}/images/retry-failed"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(out, json!([{"image": failed, "outcome": "queued"}]));
    for _ in 0..100 {
        let (_, imgs) = app.get(&format!("/api/v1/content/{c1}/images")).await;
        if imgs
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "generated")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, imgs) = app.get(&format!("/api/v1/content/{c1}/images")).await;
    assert!(
        imgs.as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "generated"),
        "{imgs}"
    );

    // Usage and credits.
    let (st, usage) = app.get("/api/v1/usage?by=function").await;
    assert_eq!(st, 200);
    assert!(!usage.as_array().unwrap().is_empty());
    assert_error(
        &app.get("/api/v1/usage?by=colour").await,
        422,
        "invalid_value",
    );
    let (_, day) = app.get("/api/v1/usage?by=day").await;
    assert!(!day.as_array().unwrap().is_empty());
    let (st, credits) = app.get("/api/v1/credits").await;
    assert_eq!(st, 200);
    assert!(credits["balance"].as_i64().unwrap() <= 100_000);
    assert!(!credits["entries"].as_array().unwrap().is_empty());
    // The run is finished: it cannot be paused.
    assert_error(
        &app.post(&format!("/api/v1/runs/{run}/pause"), json!({}))
            .await,
        409,
        "illegal_transition",
    );
});

#[tokio::test]
async fn pause_resume_cancel() {
    let app = start_sqlite().await;
    let site = app.site;
    app.import().await;
    let (_, started) = app
        .post(&format!("/api/v1/sites/{site}/runs"), json!({}))
        .await;
    let run = started["run"]["id"].as_i64().unwrap();
    let (st, paused) = app
        .post(&format!("/api/v1/runs/{run}/pause"), json!({}))
        .await;
    // The driver may have finished already on a fast machine; then pausing is refused.
    if st == 200 {
        assert_eq!(paused["status"], "paused");
        let (st, resumed) = app
            .post(&format!("/api/v1/runs/{run}/resume"), json!({}))
            .await;
        assert_eq!(st, 200, "{resumed}");
        let (st, cancelled) = app
            .post(&format!("/api/v1/runs/{run}/cancel"), json!({}))
            .await;
        if st == 200 {
            assert_eq!(cancelled["status"], "cancelled");
        } else {
            assert_eq!(st, 409, "{cancelled}");
        }
    } else {
        assert_eq!(st, 409, "{paused}");
    }
    app.wait_run(run, |s| !matches!(s, "queued" | "running" | "paused"))
        .await;
    assert_error(&app.get("/api/v1/runs/0").await, 404, "not_found");
}

#[tokio::test]
async fn shutdown_ends_open_event_streams_and_the_worker() {
    let mut app = start_sqlite().await;
    // A queued run with no driver stays active, so its stream would stay open forever.
    let run = app
        .p
        .db()
        .create_run(
            app.account,
            app.site,
            pressroom_domain::RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
    let res = app
        .http
        .get(app.url(&format!("/runs/{}/stream", run.id)))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let other = app
        .http
        .get(app.url(&format!("/runs/{}/stream", run.id)))
        .bearer_auth(&app.other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    let body = tokio::spawn(res.text());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.stop.cancel();
    let server = &mut app.server;
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops with a stream open")
        .unwrap();
    let text = body.await.unwrap().unwrap_or_default();
    assert!(text.contains("event: run"), "{text}");
}
