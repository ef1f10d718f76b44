//! A site's prompts over the API (`GET /api/v1/sites/{site}/prompts[/{function}]`) and on
//! the Prompts page: rendered with the voice, which template, variables, what offline
//! ignores; another account's site is not found, an unknown function is refused.

use crate::pages::{page, sign_in};
use crate::support::*;
use pressroom_domain::{BrandVoice, PointOfView};
use pressroom_store::{Db, engine_test};

async fn give_voice(app: &App) {
    let db = app.p.db();
    let mut site = db.site(app.account, app.site).await.unwrap();
    site.settings.voice = BrandVoice {
        tone: Some("calm <and> plain".into()),
        audience: Some("home baristas".into()),
        point_of_view: Some(PointOfView::Second),
        words_min: 900,
        words_max: 1100,
        always_say: vec!["roasted weekly".into()],
        never_say: vec!["cheap".into()],
    };
    site.settings.prompt_templates.insert(
        "generate-image-prompts".into(),
        "Pictures for {title} in {language}. {brand_voice}\nSections:\n{headings}".into(),
    );
    db.update_site_settings(app.account, app.site, &site.settings)
        .await
        .unwrap();
}

engine_test!(prompts_over_the_api, |db: Db| async move {
    let app = start(db).await;
    give_voice(&app).await;
    let path = format!("/api/v1/sites/{}/prompts/generate-content", app.site);
    let (st, v) = app.get(&path).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["function"], "generate-content");
    assert_eq!(v["overridden"], false);
    assert_eq!(v["provider"], "offline");
    let rendered = v["rendered"].as_str().unwrap();
    assert!(rendered.contains("900 to 1100 words long"), "{rendered}");
    assert!(rendered.contains("Tone: calm <and> plain."), "{rendered}");
    assert!(
        rendered.contains("Always say (each at least once where it fits): \"roasted weekly\".")
    );
    assert_eq!(
        v["offline_ignores"],
        serde_json::json!(["tone", "audience", "point_of_view"])
    );
    let tone = v["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "tone")
        .unwrap();
    assert_eq!(tone["value"], "calm <and> plain");
    assert_eq!(tone["sample"], false);

    // A viewer may read it; every function is listed; the override is marked.
    let (st, all) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/sites/{}/prompts", app.site),
            &app.viewer_token,
            None,
        )
        .await;
    assert_eq!(st, 200, "{all}");
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 5);
    let images = all
        .iter()
        .find(|p| p["function"] == "generate-image-prompts")
        .unwrap();
    assert_eq!(images["overridden"], true);
    assert!(
        images["rendered"]
            .as_str()
            .unwrap()
            .starts_with("Pictures for ")
    );

    assert_error(
        &app.get(&format!("/api/v1/sites/{}/prompts/write-poem", app.site))
            .await,
        422,
        "invalid_value",
    );
    assert_error(
        &app.get(&format!(
            "/api/v1/sites/{}/prompts/generate-content",
            app.other_site
        ))
        .await,
        404,
        "not_found",
    );
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    assert!(
        doc["paths"]["/api/v1/sites/{site}/prompts/{function}"]["get"].is_object(),
        "listed in the OpenAPI document"
    );
    assert!(doc["components"]["schemas"]["PromptPreviewDto"].is_object());
});

engine_test!(the_prompts_page, |db: Db| async move {
    let app = start(db).await;
    give_voice(&app).await;
    let cookie = sign_in(&app, "owner@a.example").await;
    let (st, html) = page(&app, &cookie, &format!("/sites/{}/prompts", app.site)).await;
    assert_eq!(st, 200, "{html}");
    for f in [
        "auto-cluster",
        "generate-ideas",
        "generate-content",
        "generate-image-prompts",
        "generate-image",
    ] {
        assert!(html.contains(&format!("<h2>{f}</h2>")), "{f} missing");
    }
    assert!(html.contains("<pre class=\"prompt\">"));
    assert!(html.contains("Site&#39;s own template") || html.contains("Site's own template"));
    assert!(html.contains("The offline writer ignores: tone, audience, point_of_view"));
    // Values are escaped, not markup.
    assert!(html.contains("calm &lt;and&gt; plain") || html.contains("calm &#60;and&#62; plain"));
    assert!(!html.contains("calm <and> plain"));
    assert!(
        html.contains("{cluster_name}"),
        "the variable table names them"
    );
    let (st, _) = page(&app, &cookie, &format!("/sites/{}/prompts", app.other_site)).await;
    assert_eq!(st, 404);
});
