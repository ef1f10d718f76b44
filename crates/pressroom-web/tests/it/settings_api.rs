//! A site's settings over the API (read, patch, change log; both engines) and on the Settings
//! page (a group's form, errors naming the field, the log, viewers read-only).

use crate::pages::{csrf_of, page, post_form, sign_in};
use crate::support::*;
use pressroom_domain::Role;
use pressroom_store::{Db, engine_test};
use reqwest::Method;
use serde_json::json;

engine_test!(
    settings_are_read_patched_and_logged_over_the_api,
    |db: Db| async move {
        let app = start(db).await;
        let path = format!("/api/v1/sites/{}/settings", app.site);
        let (st, before) = app.get(&path).await;
        assert_eq!(st, 200, "{before}");
        assert_eq!(before["settings"]["in_article_images"], 2);
        assert_eq!(before["settings"]["language"], "en");
        let keys = before["keys"].as_array().unwrap();
        assert!(keys.iter().any(|k| k["key"] == "schedule.frequency"
            && k["group"] == "automation"
            && k["kind"] == "choice"
            && k["choices"].as_array().unwrap().len() == 4));

        let patch = |body| app.call(reqwest::Method::PATCH, &path, &app.token, Some(body));
        let (st, done) = patch(json!({"in_article_images": 1, "voice": {"tone": "plain"}})).await;
        assert_eq!(st, 200, "{done}");
        assert_eq!(done["settings"]["in_article_images"], 1);
        assert_eq!(
            done["settings"]["voice"]["words_min"], 1200,
            "untouched keys stay"
        );
        assert_eq!(done["changes"].as_array().unwrap().len(), 2, "{done}");
        let (_, after) = app.get(&path).await;

        // Every kind of bad input: 422 naming the key, nothing changed.
        let bad = [
            (json!({"in_article_imagez": 1}), "in_article_imagez"),
            (json!({"in_article_images": 99}), "in_article_images"),
            (json!({"caps": {"credits": "lots"}}), "caps.credits"),
            (json!({"image_provider": "midjourney"}), "image_provider"),
            (json!({"text_model": "dall-e-3"}), "text_model"),
            (
                json!({"image_provider": "openai", "image_model": "dall-e-3", "in_article_image_size": "512x512"}),
                "in_article_image_size",
            ),
            (
                json!({"prompt_templates": {"generate-content": "{nope}"}}),
                "prompt_templates.generate-content",
            ),
            (
                json!({"voice": {"point_of_view": "fourth"}}),
                "voice.point_of_view",
            ),
        ];
        for (body, key) in bad {
            let got = patch(body.clone()).await;
            assert_error(&got, 422, "invalid_value");
            assert!(
                got.1["error"]["message"].as_str().unwrap().contains(key),
                "{body}: {}",
                got.1
            );
        }
        assert_error(&patch(json!([1, 2])).await, 422, "invalid_value");
        assert_eq!(app.get(&path).await.1, after);

        // Viewers read but cannot patch; another account's token sees no such site.
        let (_, viewer) = add_user(&app, "viewer2@example.com", Role::Viewer).await;
        let got = app
            .call(
                reqwest::Method::PATCH,
                &path,
                &viewer,
                Some(json!({"in_article_images": 3})),
            )
            .await;
        assert_error(&got, 403, "forbidden");
        assert_eq!(
            app.call(reqwest::Method::GET, &path, &viewer, None).await.0,
            200
        );
        let got = app
            .call(
                reqwest::Method::PATCH,
                &path,
                &app.other_token,
                Some(json!({"in_article_images": 3})),
            )
            .await;
        assert_error(&got, 404, "not_found");
        let got = app
            .call(
                reqwest::Method::GET,
                &format!("{path}/changes"),
                &app.other_token,
                None,
            )
            .await;
        assert_error(&got, 404, "not_found");

        // The log: who (user id and email), old, new; newest first.
        let (st, log) = app.get(&format!("{path}/changes")).await;
        assert_eq!(st, 200, "{log}");
        let rows = log.as_array().unwrap();
        assert_eq!(rows.len(), 2, "{log}");
        let images = rows
            .iter()
            .find(|r| r["key"] == "in_article_images")
            .unwrap();
        assert_eq!(images["actor"], app.owner.email.as_str());
        assert_eq!(images["user_id"], app.owner.id.get());
        assert_eq!(
            (images["old_value"].clone(), images["new_value"].clone()),
            (json!(2), json!(1))
        );
        let (_, limited) = app.get(&format!("{path}/changes?limit=1")).await;
        assert_eq!(limited.as_array().unwrap().len(), 1);

        let (_, doc) = app.get("/api/v1/openapi.json").await;
        let paths = &doc["paths"];
        assert!(
            paths["/api/v1/sites/{site}/settings"]["patch"].is_object(),
            "in the OpenAPI document"
        );
        assert!(paths["/api/v1/sites/{site}/settings/changes"]["get"].is_object());
    }
);

#[tokio::test]
async fn the_settings_page_saves_a_group_and_names_the_field_at_fault() {
    let app = start_sqlite().await;
    let cookie = sign_in(&app, &app.owner.email).await;
    let url = format!("/sites/{}/settings", app.site);
    let (st, html) = page(&app, &cookie, &url).await;
    assert_eq!(st, 200);
    for part in [
        "Writing",
        "Images",
        "Automation",
        "Limits",
        "name=\"voice.tone\"",
        "name=\"prompt_templates.generate-content\"",
        "name=\"monthly_budget\"",
        &format!("/sites/{}/prompts", app.site),
        "No changes yet.",
    ] {
        assert!(html.contains(part), "{part}");
    }
    let token = csrf_of(&html);

    // The Images form: its fields are saved; a Writing field sent along is ignored.
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("{url}/images"),
        &[
            ("csrf", &token),
            ("in_article_images", "1"),
            ("featured_image_size", "1024x1024"),
            ("image_provider", ""),
            ("image_model", ""),
            ("voice.tone", "sneaky"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, s) = app
        .get(&format!("/api/v1/sites/{}/settings", app.site))
        .await;
    assert_eq!(s["settings"]["in_article_images"], 1);
    assert_eq!(s["settings"]["voice"]["tone"], serde_json::Value::Null);
    let (_, html) = page(&app, &cookie, &format!("{url}?changed=1")).await;
    assert!(html.contains("1 setting changed"));
    assert!(
        html.contains(&app.owner.email)
            && html.contains("<code>in_article_images</code></td><td>2</td><td>1</td>"),
        "the log row"
    );

    // A bad value: the page again, 422, naming the field; nothing saved.
    let (st, html) = post_form(
        &app,
        &cookie,
        &format!("{url}/limits"),
        &[
            ("csrf", &token),
            ("caps.content", "3"),
            ("monthly_budget", "-5"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        html.contains("id=\"settings-error\"") && html.contains("monthly_budget"),
        "{html}"
    );
    let marked = html
        .find("<label class=\"bad\">")
        .expect("the field at fault is marked");
    let label = &html[marked..marked + 80];
    assert!(label.contains("<code>monthly_budget</code>"), "{label}");
    let (_, s) = app
        .get(&format!("/api/v1/sites/{}/settings", app.site))
        .await;
    assert_eq!(s["settings"]["caps"]["content"], serde_json::Value::Null);
    assert_eq!(s["settings"]["monthly_budget"], serde_json::Value::Null);

    // Writing: language, lists and a template override.
    let (st, _) = post_form(
        &app,
        &cookie,
        &format!("{url}/writing"),
        &[
            ("csrf", &token),
            ("language", "de"),
            // One phrase per line (CRLF, as browsers send it); a comma stays in its phrase.
            (
                "voice.always_say",
                "free returns, no questions asked\r\n30 days\r\n",
            ),
            (
                "prompt_templates.generate-ideas",
                "Ideas for {cluster_name} in {language}",
            ),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, s) = app
        .get(&format!("/api/v1/sites/{}/settings", app.site))
        .await;
    assert_eq!(s["settings"]["language"], "de");
    assert_eq!(
        s["settings"]["voice"]["always_say"],
        json!(["free returns, no questions asked", "30 days"])
    );
    assert_eq!(
        s["settings"]["prompt_templates"]["generate-ideas"],
        "Ideas for {cluster_name} in {language}"
    );

    // A viewer sees the values, disabled, with no save buttons, and cannot post.
    add_user(&app, "reader@example.com", Role::Viewer).await;
    let viewer = sign_in(&app, "reader@example.com").await;
    let (st, html) = page(&app, &viewer, &url).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("can only read")
            && html.contains("disabled")
            && !html.contains("Save Images")
    );
    let vtoken = csrf_of(&html);
    let (st, _) = post_form(
        &app,
        &viewer,
        &format!("{url}/images"),
        &[("csrf", &vtoken), ("in_article_images", "3")],
    )
    .await;
    assert_eq!(st, 403);
}

engine_test!(limits_are_the_owners, |db: Db| async move {
    let app = start(db).await;
    let (_, editor) = add_user(&app, "editor@example.com", Role::Editor).await;
    let url = format!("/api/v1/sites/{}/settings", app.site);
    // An editor changes what articles look like, not what the site may spend or bill to.
    let (st, _) = app
        .call(
            Method::PATCH,
            &url,
            &editor,
            Some(json!({"in_article_images": 1})),
        )
        .await;
    assert_eq!(st, 200);
    for body in [
        json!({"monthly_budget": 100}),
        json!({"caps": {"credits": 5}}),
        json!({"caps": {"images": null}}),
        json!({"text_key": null, "in_article_images": 2}),
    ] {
        let (st, err) = app
            .call(Method::PATCH, &url, &editor, Some(body.clone()))
            .await;
        assert_eq!(st, 403, "{body}: {err}");
    }
    let (_, s) = app.get(&url).await;
    assert_eq!(
        s["settings"]["in_article_images"], 1,
        "the refused patch changed nothing"
    );
    let (st, _) = app
        .call(
            Method::PATCH,
            &url,
            &app.token,
            Some(json!({"monthly_budget": 100})),
        )
        .await;
    assert_eq!(st, 200, "the owner can");
});
