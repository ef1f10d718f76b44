//! `pressroom sites prompt SITE FUNCTION` as a user runs it, on each engine: the default
//! template rendered with the site's voice, the variables, what offline ignores; an unknown
//! function or site is refused.

use crate::cli::{Env, engines, one_document};
use pressroom_domain::{BrandVoice, PointOfView};
use pressroom_store::Db;
use serde_json::Value;

fn doc(env: &Env, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    one_document(&env.expect(&all, code))
}

/// Gives the default site a voice straight in the database (`sites set` is its own command).
fn set_voice(env: &Env) {
    let url = env
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", env.dir.path().join("pressroom.db").display()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = Db::connect(&url).await.unwrap();
        let (account, mut site) = db.local_default().await.unwrap();
        site.settings.voice = BrandVoice {
            tone: Some("dry wit".into()),
            point_of_view: Some(PointOfView::First),
            words_min: 500,
            words_max: 700,
            never_say: vec!["cheap".into()],
            ..Default::default()
        };
        db.update_site_settings(account.id, site.id, &site.settings)
            .await
            .unwrap();
    });
}

#[test]
fn sites_prompt_shows_the_rendered_prompt_and_its_variables() {
    for env in engines() {
        preview(&env);
    }
}

fn preview(env: &Env) {
    let d = doc(env, &["sites", "prompt", "default", "generate-content"], 0);
    let p = &d["prompt"];
    assert_eq!(p["function"], "generate-content", "{d}");
    assert_eq!(p["overridden"], false);
    assert_eq!(p["provider"], "offline");
    let rendered = p["rendered"].as_str().unwrap();
    assert!(rendered.contains("1200 to 2000 words long"), "{rendered}");
    assert!(
        rendered.contains("Language: write in English."),
        "{rendered}"
    );
    assert!(p["offline_ignores"].as_array().unwrap().is_empty());
    let names: Vec<&str> = p["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    for n in [
        "title",
        "outline",
        "language",
        "tone",
        "brand_voice",
        "words_max",
    ] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }

    set_voice(env);
    let d = doc(env, &["sites", "prompt", "default", "generate-ideas"], 0);
    let rendered = d["prompt"]["rendered"].as_str().unwrap();
    assert!(rendered.contains("between 500 and 700"), "{rendered}");
    assert!(rendered.contains("Tone: dry wit."), "{rendered}");
    assert!(
        rendered.contains("Never say or mention: \"cheap\"."),
        "{rendered}"
    );
    assert_eq!(
        d["prompt"]["offline_ignores"],
        serde_json::json!(["tone", "point_of_view"])
    );
    // The human form names the template and lists what offline ignores.
    let out = env.expect(&["sites", "prompt", "default", "generate-ideas"], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("generate-ideas (default template; provider offline)"),
        "{text}"
    );
    assert!(text.contains("{cluster_name}*"), "{text}");
    assert!(
        text.contains("The offline writer ignores: tone, point_of_view"),
        "{text}"
    );

    let bad = doc(env, &["sites", "prompt", "default", "write-poem"], 1);
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("write-poem"),
        "{bad}"
    );
    let missing = doc(env, &["sites", "prompt", "nosuchsite", "generate-ideas"], 4);
    assert_eq!(missing["error"]["code"], "not_found", "{missing}");
}
