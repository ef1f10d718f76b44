//! Provider keys and teammates over HTTP: only owners manage them, no answer carries a key,
//! the account keeps an active owner, and a disabled user is signed out for good.

use crate::pages::page;
use crate::support::*;
use pressroom_domain::*;
use pressroom_store::{Db, engine_test};
use reqwest::Method;
use serde_json::json;

const KEY: &str = "sk-client-secret-9876";

/// Signs in with `password`; the session cookie, or `None` when refused.
async fn sign_in_with(app: &App, email: &str, password: &str) -> Option<String> {
    let res = app.http.get(app.url("/login")).send().await.unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = res.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..at + 32].to_string();
    let res = app
        .http
        .post(app.url("/login"))
        .header("cookie", cookie)
        .form(&[("email", email), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    if res.status() != 303 {
        return None;
    }
    let c = res.headers()["set-cookie"].to_str().unwrap();
    Some(c.split(';').next().unwrap().to_string())
}

engine_test!(provider_keys_over_the_api, |db: Db| async move {
    let app = start(db).await;
    let body = json!({"name": "client", "provider": "openai", "key": KEY});
    let (st, _) = app
        .call(
            Method::POST,
            "/api/v1/keys",
            &app.viewer_token,
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, 403);
    let (_, editor_token) = add_user(&app, "editor@a.example", Role::Editor).await;
    let (st, _) = app
        .call(
            Method::POST,
            "/api/v1/keys",
            &editor_token,
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, 403, "editors use keys, owners manage them");
    let (st, k) = app.post("/api/v1/keys", body.clone()).await;
    assert_eq!(st, 201, "{k}");
    assert_eq!(k["hint"], "9876");
    assert!(!k.to_string().contains(KEY), "{k}");
    let (st, _) = app.post("/api/v1/keys", body).await;
    assert_eq!(st, 409);
    let (st, bad) = app
        .post(
            "/api/v1/keys",
            json!({"name": "x", "provider": "offline", "key": KEY}),
        )
        .await;
    assert_eq!(st, 422);
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("provider"),
        "{bad}"
    );
    // Listed (hint only) to anyone of the account, to no one else.
    let (st, list) = app
        .call(Method::GET, "/api/v1/keys", &app.viewer_token, None)
        .await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(KEY));
    let (_, theirs) = app
        .call(Method::GET, "/api/v1/keys", &app.other_token, None)
        .await;
    assert_eq!(theirs, json!([]));
    let id = k["id"].as_i64().unwrap();
    let path = format!("/api/v1/keys/{id}");
    let (st, _) = app
        .call(Method::DELETE, &path, &app.other_token, None)
        .await;
    assert_eq!(st, 404);
    // In use by a site: refused, naming it.
    let settings = SiteSettings {
        text_key: Some("client".into()),
        ..SiteSettings::default()
    };
    app.p
        .db()
        .update_site_settings(app.account, app.site, &settings)
        .await
        .unwrap();
    let (st, e) = app.call(Method::DELETE, &path, &app.token, None).await;
    assert_eq!(st, 409, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("blog"),
        "{e}"
    );
    let (_, list) = app.get("/api/v1/keys").await;
    assert_eq!(list[0]["used_by"], json!(["blog"]));
    app.p
        .db()
        .update_site_settings(app.account, app.site, &SiteSettings::default())
        .await
        .unwrap();
    let (st, gone) = app.call(Method::DELETE, &path, &app.token, None).await;
    assert_eq!(st, 200);
    assert!(!gone.to_string().contains(KEY));
    // The pages: the hint for everyone, the form for owners only.
    app.post(
        "/api/v1/keys",
        json!({"name": "pics", "provider": "runware", "key": "rw-secret-4321"}),
    )
    .await;
    let owner = sign_in_with(&app, "owner@a.example", PASSWORD)
        .await
        .unwrap();
    let (st, html) = page(&app, &owner, "/keys").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("…4321") && !html.contains("rw-secret"),
        "{html}"
    );
    assert!(html.contains("type=\"password\" name=\"key\""));
    let viewer = sign_in_with(&app, "viewer@a.example", PASSWORD)
        .await
        .unwrap();
    let (_, html) = page(&app, &viewer, "/keys").await;
    assert!(html.contains("…4321") && !html.contains("name=\"key\""));
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    for p in [
        "/api/v1/keys",
        "/api/v1/keys/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/password",
    ] {
        assert!(doc["paths"][p].is_object(), "missing {p}");
    }
});

engine_test!(
    owners_manage_the_team_and_keep_an_owner,
    |db: Db| async move {
        let app = start(db).await;
        // Viewers and editors read the team but change nothing.
        let (_, editor_token) = add_user(&app, "editor@a.example", Role::Editor).await;
        for token in [&app.viewer_token, &editor_token] {
            let (st, list) = app.call(Method::GET, "/api/v1/users", token, None).await;
            assert_eq!(st, 200);
            assert_eq!(list.as_array().unwrap().len(), 3);
            let (st, _) = app
                .call(
                    Method::POST,
                    "/api/v1/users",
                    token,
                    Some(json!({"email": "x@a.example", "role": "owner"})),
                )
                .await;
            assert_eq!(st, 403);
            let me = format!("/api/v1/users/{}", app.owner.id);
            let (st, _) = app
                .call(
                    Method::PATCH,
                    &me,
                    token,
                    Some(json!({"status": "disabled"})),
                )
                .await;
            assert_eq!(st, 403);
            let (st, _) = app
                .call(Method::POST, &format!("{me}/password"), token, None)
                .await;
            assert_eq!(st, 403);
        }
        // The owner invites: a generated password, shown once, signs the new user in.
        let (st, made) = app
            .post(
                "/api/v1/users",
                json!({"email": "New@A.example", "role": "editor"}),
            )
            .await;
        assert_eq!(st, 201, "{made}");
        assert_eq!(
            (
                made["user"]["email"].as_str(),
                made["user"]["role"].as_str()
            ),
            (Some("new@a.example"), Some("editor"))
        );
        let password = made["password"].as_str().unwrap().to_string();
        assert!(password.len() >= 16);
        let new_id = made["user"]["id"].as_i64().unwrap();
        let (st, bad) = app
            .post(
                "/api/v1/users",
                json!({"email": "y@a.example", "role": "admin"}),
            )
            .await;
        assert_eq!(st, 422, "{bad}");
        assert!(
            bad["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("role")
        );
        let session = sign_in_with(&app, "new@a.example", &password)
            .await
            .unwrap();
        let (st, _) = page(&app, &session, "/team").await;
        assert_eq!(st, 200);

        // The last active owner can be neither demoted nor disabled.
        let me = format!("/api/v1/users/{}", app.owner.id);
        for body in [json!({"role": "editor"}), json!({"status": "disabled"})] {
            let (st, e) = app.call(Method::PATCH, &me, &app.token, Some(body)).await;
            assert_eq!(st, 409, "{e}");
            assert!(
                e["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("last active owner"),
                "{e}"
            );
        }
        let (st, _) = app
            .call(Method::PATCH, &me, &app.token, Some(json!({})))
            .await;
        assert_eq!(st, 422);
        // Another account's user is not found.
        let (st, _) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/users/{new_id}"),
                &app.other_token,
                Some(json!({"role": "owner"})),
            )
            .await;
        assert_eq!(st, 404);

        // A reset password: the old one stops working, the session ends.
        let path = format!("/api/v1/users/{new_id}/password");
        let (st, reset) = app.call(Method::POST, &path, &app.token, None).await;
        assert_eq!(st, 200);
        let password2 = reset["password"].as_str().unwrap().to_string();
        assert_ne!(password, password2);
        assert!(
            sign_in_with(&app, "new@a.example", &password)
                .await
                .is_none()
        );
        let (st, _) = page(&app, &session, "/team").await;
        assert_eq!(st, 303, "the old session ended");
        let session = sign_in_with(&app, "new@a.example", &password2)
            .await
            .unwrap();

        // Disabled: the session stops working and sign-in is refused; enabled: signs in again.
        let user_path = format!("/api/v1/users/{new_id}");
        let (st, u) = app
            .call(
                Method::PATCH,
                &user_path,
                &app.token,
                Some(json!({"status": "disabled"})),
            )
            .await;
        assert_eq!((st, u["status"].as_str()), (200, Some("disabled")));
        let (st, _) = page(&app, &session, "/team").await;
        assert_eq!(st, 303);
        assert!(
            sign_in_with(&app, "new@a.example", &password2)
                .await
                .is_none()
        );
        app.call(
            Method::PATCH,
            &user_path,
            &app.token,
            Some(json!({"status": "active", "role": "owner"})),
        )
        .await;
        assert!(
            sign_in_with(&app, "new@a.example", &password2)
                .await
                .is_some()
        );
        // With a second owner the first may step down.
        let (st, u) = app
            .call(
                Method::PATCH,
                &me,
                &app.token,
                Some(json!({"role": "viewer"})),
            )
            .await;
        assert_eq!((st, u["role"].as_str()), (200, Some("viewer")));
    }
);

engine_test!(
    the_team_page_invites_and_shows_the_password_once,
    |db: Db| async move {
        let app = start(db).await;
        let owner = sign_in_with(&app, "owner@a.example", PASSWORD)
            .await
            .unwrap();
        let (st, html) = page(&app, &owner, "/team").await;
        assert_eq!(st, 200);
        assert!(html.contains("viewer@a.example") && html.contains("action=\"/team\""));
        let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
        let csrf = html[at..at + 64].to_string();
        let res = app
            .http
            .post(app.url("/team"))
            .header("cookie", &owner)
            .form(&[
                ("email", "pager@a.example"),
                ("role", "viewer"),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        let at = html.find("id=\"secret\">").unwrap() + 12;
        let password = html[at..].split('<').next().unwrap().to_string();
        assert!(
            sign_in_with(&app, "pager@a.example", &password)
                .await
                .is_some()
        );
        let viewer = sign_in_with(&app, "viewer@a.example", PASSWORD)
            .await
            .unwrap();
        let (_, html) = page(&app, &viewer, "/team").await;
        assert!(!html.contains("action=\"/team\"") && !html.contains("Reset password"));
    }
);
