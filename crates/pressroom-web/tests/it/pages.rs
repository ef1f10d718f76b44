//! The pages over HTTP: sign-in with a session cookie, CSRF on every form post, each page
//! rendering for its account only, the run's event stream, media, sign-out.

use crate::support::*;
use pressroom_domain::Role;
use pressroom_store::{Db, engine_test};
use serde_json::json;
use std::time::Duration;

pub(crate) fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[at..at + 64].to_string()
}

/// The sign-in form's token and its cookie.
async fn login_form(app: &App) -> (String, String) {
    let res = app.http.get(app.url("/login")).send().await.unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = res.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    (html[at..at + 32].to_string(), cookie)
}

pub(crate) async fn sign_in(app: &App, email: &str) -> String {
    let (token, login_cookie) = login_form(app).await;
    let res = app
        .http
        .post(app.url("/login"))
        .header("cookie", login_cookie)
        .form(&[("email", email), ("password", PASSWORD), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    cookie.split(';').next().unwrap().to_string()
}

pub(crate) async fn page(app: &App, cookie: &str, path: &str) -> (u16, String) {
    let res = app
        .http
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let st = res.status().as_u16();
    if st == 200 {
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    }
    (st, res.text().await.unwrap())
}

pub(crate) async fn post_form(
    app: &App,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = app
        .http
        .post(app.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let st = res.status().as_u16();
    (st, res.text().await.unwrap())
}

#[tokio::test]
async fn sign_in_csrf_and_every_page() {
    let app = start_sqlite().await;
    let site = app.site;
    // Signed out: pages send the browser to the sign-in page.
    let res = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let (st, html) = page(&app, "", "/login").await;
    assert_eq!(st, 200);
    assert!(html.contains("Sign in"));
    // A wrong password is refused without a session cookie.
    let (token, login_cookie) = login_form(&app).await;
    let res = app
        .http
        .post(app.url("/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("email", "owner@a.example"),
            ("password", "nope nope"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let set = res.headers()["set-cookie"].to_str().unwrap();
    assert!(!set.contains("pressroom_session"), "{set}");
    // A sign-in posted from elsewhere (no login cookie, or a wrong token) is refused.
    let res = app
        .http
        .post(app.url("/login"))
        .form(&[
            ("email", "owner@a.example"),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .http
        .post(app.url("/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("email", "owner@a.example"),
            ("password", PASSWORD),
            ("csrf", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let cookie = sign_in(&app, "owner@a.example").await;
    let (st, html) = page(&app, &cookie, "/").await;
    assert_eq!(st, 200);
    assert!(html.contains("blog") && !html.contains("rival"), "{html}");
    let token = csrf_of(&html);

    // Form posts need the session's CSRF token.
    let (st, _) = post_form(&app, &cookie, "/sites", &[("name", "shop")]).await;
    assert_eq!(st, 403);
    let (st, _) = post_form(
        &app,
        &cookie,
        "/sites",
        &[("name", "shop"), ("csrf", "0".repeat(64).as_str())],
    )
    .await;
    assert_eq!(st, 403);
    let (st, _) = post_form(
        &app,
        &cookie,
        "/sites",
        &[("name", "shop"), ("csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    // The API with a cookie needs the token in a header for writes.
    let res = app
        .http
        .post(app.url("/api/v1/sites"))
        .header("cookie", &cookie)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .http
        .post(app.url("/api/v1/sites"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &token)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // Upload through the page (multipart with the CSRF field).
    let form = reqwest::multipart::Form::new()
        .text("csrf", token.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(KEYWORDS.as_bytes().to_vec()).file_name("keywords.csv"),
        );
    let res = app
        .http
        .post(app.url(&format!("/sites/{site}/keywords/upload")))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<strong>8</strong> new"), "{html}");

    // Start a run from the automation page and stream it to the end.
    let (st, html) = page(&app, &cookie, &format!("/sites/{site}/automation")).await;
    assert_eq!(st, 200);
    assert!(html.contains("Estimated cost"));
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/sites/{site}/runs"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, runs) = app.get(&format!("/api/v1/sites/{site}/runs")).await;
    let run = runs[0]["id"].as_i64().unwrap();
    let res = app
        .http
        .get(app.url(&format!("/runs/{run}/stream")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let body = tokio::time::timeout(std::time::Duration::from_secs(60), res.text())
        .await
        .expect("stream ends with the run")
        .unwrap();
    assert!(body.contains("event: event"), "{body}");
    assert!(body.contains("event: run"));
    assert!(body.contains("event: end\ndata: awaiting_review"), "{body}");

    for path in [
        format!("/sites/{site}/keywords?search=coffee&status=mapped"),
        format!("/sites/{site}/clusters"),
        format!("/sites/{site}/ideas"),
        format!("/sites/{site}/tasks"),
        format!("/sites/{site}/content?status=review"),
        format!("/sites/{site}/images"),
        format!("/sites/{site}/automation"),
        "/usage".to_string(),
        "/tokens".to_string(),
    ] {
        let (st, html) = page(&app, &cookie, &path).await;
        assert_eq!(st, 200, "{path}: {html}");
        assert!(!html.contains("<script>"), "{path} has an inline script");
    }
    // Another account's site is a 404 page.
    let (st, _) = page(
        &app,
        &cookie,
        &format!("/sites/{}/keywords", app.other_site),
    )
    .await;
    assert_eq!(st, 404);

    // Read an article with its images, approve it, then reject it.
    let (_, content) = app.get(&format!("/api/v1/sites/{site}/content")).await;
    let id = content[0]["id"].as_i64().unwrap();
    let (st, html) = page(&app, &cookie, &format!("/content/{id}")).await;
    assert_eq!(st, 200);
    assert!(html.contains("<img src=\"/media/"), "{html}");
    let at = html.find("<img src=\"").unwrap() + 10;
    let src = &html[at..at + html[at..].find('"').unwrap()];
    let (st, _) = page(&app, &cookie, src).await;
    assert_eq!(st, 200);
    // An offline sample is approved only with its confirmation box ticked.
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/content/{id}/approve"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(st, 409);
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/content/{id}/approve"),
        &[("csrf", &token), ("confirm_offline", "1")],
    )
    .await;
    assert_eq!(st, 303);
    let (_, c) = app.get(&format!("/api/v1/content/{id}")).await;
    assert_eq!(c["status"], "approved");
    // The page offers only the moves the domain allows: an approved article cannot be
    // approved or rejected again, nor reopened.
    let (_, html) = page(&app, &cookie, &format!("/content/{id}")).await;
    assert!(
        html.contains("id=\"approve\" class=\"good\" disabled"),
        "{html}"
    );
    assert!(
        html.contains("id=\"reject\" class=\"bad\" disabled"),
        "{html}"
    );
    assert!(!html.contains("id=\"reopen\""));
    // A rejected article offers "Back to review", and the button works.
    let other = content[1]["id"].as_i64().unwrap();
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/content/{other}/reject"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, html) = page(&app, &cookie, &format!("/content/{other}")).await;
    assert!(
        html.contains("id=\"approve\" class=\"good\" disabled"),
        "{html}"
    );
    assert!(html.contains("id=\"reopen\""), "{html}");
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/content/{other}/reopen"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, c) = app.get(&format!("/api/v1/content/{other}")).await;
    assert_eq!(c["status"], "review");
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/content/{id}/edit"),
        &[
            ("csrf", &token),
            ("title", "Edited <b>title</b>"),
            ("body_markdown", "Hello *there*"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, html) = page(&app, &cookie, &format!("/content/{id}")).await;
    assert!(
        html.contains("Edited &#60;b&#62;title&#60;/b&#62;")
            || html.contains("Edited &lt;b&gt;title&lt;/b&gt;"),
        "{html}"
    );
    assert!(html.contains("<em>there</em>"));
    // A control character in the title is refused by name; the article keeps its title.
    let (st, html) = post_form(
        &app,
        &cookie,
        &format!("/content/{id}/edit"),
        &[
            ("csrf", &token),
            ("title", "bad\u{0}title"),
            ("body_markdown", "Hello *there*"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        html.contains("title: contains a control character (U+0000)"),
        "{html}"
    );
    let (_, c) = app.get(&format!("/api/v1/content/{id}")).await;
    assert_eq!(c["title"], "Edited <b>title</b>");

    // Images: select and generate (generated ones are skipped), retry failed.
    let (_, imgs) = app.get(&format!("/api/v1/content/{id}/images")).await;
    let img = imgs[0]["id"].as_i64().unwrap().to_string();
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/sites/{site}/images/generate"),
        &[("csrf", &token), ("ids", &img), ("ids", &img)],
    )
    .await;
    assert_eq!(st, 303);
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/sites/{site}/images/generate"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(st, 422);
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("/sites/{site}/images/retry-failed"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);

    // Tokens: created on the page, shown once.
    let (st, html) = post_form(
        &app,
        &cookie,
        "/tokens",
        &[("csrf", &token), ("name", "laptop")],
    )
    .await;
    assert_eq!(st, 200);
    assert!(html.contains("prs_"));
    let (_, html) = page(&app, &cookie, "/tokens").await;
    assert!(html.contains("laptop") && !html.contains("id=\"secret\""));

    // A viewer sees pages but cannot act.
    let viewer = sign_in(&app, "viewer@a.example").await;
    let (_, html) = page(&app, &viewer, "/").await;
    let vtoken = csrf_of(&html);
    let (st, _) = post_form(
        &app,
        &viewer,
        &format!("/content/{id}/reject"),
        &[("csrf", &vtoken)],
    )
    .await;
    assert_eq!(st, 403);

    // Sign out ends the session.
    let (st, _) = post_form(&app, &cookie, "/logout", &[("csrf", &token)]).await;
    assert_eq!(st, 303);
    let res = app
        .http
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

/// Posts the sign-in form, optionally with an `X-Forwarded-For` header.
async fn try_sign_in(
    app: &App,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let (token, login_cookie) = login_form(app).await;
    let mut req = app
        .http
        .post(app.url("/login"))
        .header("cookie", login_cookie)
        .form(&[("email", email), ("password", password), ("csrf", &token)]);
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

fn throttled(trust_forwarded_for: bool) -> pressroom_web::WebConfig {
    pressroom_web::WebConfig {
        trust_forwarded_for,
        throttle: pressroom_web::ThrottleConfig {
            free_failures_per_email: 3,
            free_failures_per_address: 6,
            base_delay: Duration::from_secs(60),
            ..Default::default()
        },
        ..Default::default()
    }
}

engine_test!(
    sign_in_is_throttled_per_email_and_per_address,
    |db: Db| async move {
        let app = start_with(db, throttled(false)).await;
        for _ in 0..3 {
            let res = try_sign_in(&app, "owner@a.example", "wrong password", None).await;
            assert_eq!(res.status(), 401);
        }
        // Locked: even the right password is not checked, and no session is made.
        let res = try_sign_in(&app, " OWNER@a.example", PASSWORD, None).await;
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "60");
        let set = res.headers()["set-cookie"].to_str().unwrap();
        assert!(!set.contains("pressroom_session"), "{set}");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Too many failed sign-ins")
        );
        // Another account from the same address still signs in (3 of the address's 6).
        let res = try_sign_in(&app, "viewer@a.example", PASSWORD, None).await;
        assert_eq!(res.status(), 303);
        // Guessing over many emails locks the address; a made-up X-Forwarded-For is ignored
        // because this server does not trust it.
        for i in 0..3 {
            let res = try_sign_in(
                &app,
                &format!("guess{i}@a.example"),
                "wrong password",
                Some(&format!("198.51.100.{i}")),
            )
            .await;
            assert_eq!(res.status(), 401);
        }
        let res = try_sign_in(&app, "viewer@a.example", PASSWORD, Some("198.51.100.9")).await;
        assert_eq!(res.status(), 429);
        drop(app);
    }
);

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled() {
    let t = pressroom_store::testing::TestDb::sqlite().await;
    let app = start_with(t.db.clone(), throttled(true)).await;
    for i in 0..6 {
        let res = try_sign_in(
            &app,
            &format!("guess{i}@a.example"),
            "wrong password",
            Some("10.0.0.1, 203.0.113.7"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    // The proxy appends the client's address last; that is the one counted.
    let res = try_sign_in(&app, "viewer@a.example", PASSWORD, Some("203.0.113.7")).await;
    assert_eq!(res.status(), 429);
    let res = try_sign_in(
        &app,
        "viewer@a.example",
        PASSWORD,
        Some("203.0.113.7, 203.0.113.8"),
    )
    .await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn secure_cookies_hsts_and_no_store_when_signed_in() {
    let t = pressroom_store::testing::TestDb::sqlite().await;
    let app = start_with(
        t.db.clone(),
        pressroom_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    let res = app.http.get(app.url("/login")).send().await.unwrap();
    let set = res.headers()["set-cookie"].to_str().unwrap();
    assert!(set.contains("; Secure"), "{set}");
    let res = try_sign_in(&app, "owner@a.example", PASSWORD, None).await;
    assert_eq!(res.status(), 303);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.starts_with("pressroom_session=") && set.contains("; Secure"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap();
    let res = app
        .http
        .get(app.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let res = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
}

engine_test!(
    page_forms_refuse_control_characters_naming_the_field,
    |db: Db| async move {
        let app = start(db).await;
        let site = app.site;
        let cookie = sign_in(&app, "owner@a.example").await;
        let (_, html) = page(&app, &cookie, "/").await;
        let token = csrf_of(&html);
        let refused = |(st, html): (u16, String), msg: &str| {
            assert_eq!(st, 422, "{html}");
            assert!(html.contains(msg), "{msg}: {html}");
        };
        let nul = "contains a control character (U+0000)";
        refused(
            post_form(
                &app,
                &cookie,
                "/sites",
                &[("csrf", &token), ("name", "a\u{0}b")],
            )
            .await,
            &format!("name: {nul}"),
        );
        refused(
            post_form(
                &app,
                &cookie,
                "/sites",
                &[
                    ("csrf", &token),
                    ("name", "shop"),
                    ("domain", "shop\u{0}.example"),
                ],
            )
            .await,
            &format!("domain: {nul}"),
        );
        refused(
            post_form(
                &app,
                &cookie,
                "/sites",
                &[
                    ("csrf", &token),
                    ("name", "shop"),
                    ("domain", "http://shop.example/"),
                ],
            )
            .await,
            "domain: give the host name only",
        );
        refused(
            post_form(
                &app,
                &cookie,
                "/tokens",
                &[("csrf", &token), ("name", "\u{0}")],
            )
            .await,
            &format!("name: {nul}"),
        );
        refused(
            page(&app, &cookie, &format!("/sites/{site}/keywords?search=%00")).await,
            &format!("search: {nul}"),
        );
        let (_, sites) = app.get("/api/v1/sites").await;
        assert_eq!(sites.as_array().unwrap().len(), 1, "{sites}");
        assert_eq!(
            app.get("/api/v1/tokens").await.1.as_array().unwrap().len(),
            2
        );
        // The sign-in form's email too.
        let res = try_sign_in(&app, "owner\u{0}@a.example", PASSWORD, None).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(&format!("email: {nul}")));

        // An editor cannot revoke the owner's token from the Tokens page either.
        add_user(&app, "editor@a.example", Role::Editor).await;
        let editor = sign_in(&app, "editor@a.example").await;
        let (_, html) = page(&app, &editor, "/tokens").await;
        let etoken = csrf_of(&html);
        let (_, tokens) = app.get("/api/v1/tokens").await;
        let owners = tokens[0]["id"].as_i64().unwrap();
        let (st, html) = post_form(
            &app,
            &editor,
            &format!("/tokens/{owners}/revoke"),
            &[("csrf", &etoken)],
        )
        .await;
        assert_eq!(st, 403, "{html}");
        assert_eq!(app.get("/api/v1/me").await.0, 200);
    }
);

/// Everything the stream sends within `window`.
async fn read_for(res: &mut reqwest::Response, window: Duration) -> String {
    let deadline = tokio::time::Instant::now() + window;
    let mut got = String::new();
    while let Ok(chunk) = tokio::time::timeout_at(deadline, res.chunk()).await {
        match chunk.unwrap() {
            Some(bytes) => got.push_str(&String::from_utf8_lossy(&bytes)),
            None => break,
        }
    }
    got
}

/// The run stream sends the run once, then nothing but keep-alives while nothing changes; a
/// change (here the run's credits) sends it again, and the page's header shows the credits.
#[tokio::test]
async fn the_run_stream_is_quiet_until_the_run_changes() {
    let app = start_sqlite().await;
    let cookie = sign_in(&app, "owner@a.example").await;
    let db = app.p.db();
    // A queued run that nothing drives: created in the store, never queued as a job.
    let run = db
        .create_run(
            app.account,
            app.site,
            pressroom_domain::RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
    // An event the browser already has: a reconnect names it in Last-Event-ID, which wins
    // over the page's `after`, so it is not sent again.
    let seen = db
        .add_run_event(
            app.account,
            run.id,
            None,
            pressroom_domain::EventLevel::Info,
            "already shown",
            json!({}),
        )
        .await
        .unwrap();
    let mut res = app
        .http
        .get(app.url(&format!("/runs/{}/stream?after=0", run.id)))
        .header("cookie", &cookie)
        .header("last-event-id", seen.get().to_string())
        .send()
        .await
        .unwrap();
    let window = Duration::from_millis(1500);
    let first = read_for(&mut res, window).await;
    assert_eq!(first.matches("event: run\n").count(), 1, "{first}");
    assert!(first.contains("\"credits_used\":0"), "{first}");
    assert!(!first.contains("event: event"), "{first}");

    // Several polls later, still nothing but (at most) keep-alive comments.
    let quiet = read_for(&mut res, window).await;
    assert!(
        quiet.lines().all(|l| l.is_empty() || l.starts_with(':')),
        "sent while nothing changed: {quiet}"
    );

    let mut changed = run.clone();
    changed.credits_used = pressroom_domain::Credits(42);
    let mut tx = db.begin().await.unwrap();
    tx.save_run_progress(&changed).await.unwrap();
    tx.commit().await.unwrap();
    let next = read_for(&mut res, window).await;
    assert_eq!(next.matches("event: run\n").count(), 1, "{next}");
    assert!(next.contains("\"credits_used\":42"), "{next}");

    let (st, html) = page(
        &app,
        &cookie,
        &format!("/sites/{}/automation?run={}", app.site, run.id),
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        html.contains("<span id=\"run-credits\">42</span> credits used"),
        "{html}"
    );
}
