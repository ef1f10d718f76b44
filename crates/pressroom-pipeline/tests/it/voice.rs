//! The brand voice in every text prompt (as the mock server received it), the prompt
//! preview, and an offline run that honours the word range and says what it ignores.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::{functions, prompts};
use pressroom_store::{Db, engine_test};
use serde_json::Value;
use std::io::Cursor;

const KEYWORDS: &str = "Keyword,Volume,Intent\n\
    laufschuhe,900,informational\nbeste laufschuhe,700,commercial\nlaufschuhe damen,300,informational\nlaufschuhe wasserdicht,200,commercial\n";

fn voice() -> BrandVoice {
    BrandVoice {
        tone: Some("warm and plain".into()),
        audience: Some("first-time trail runners".into()),
        point_of_view: Some(PointOfView::Second),
        words_min: 600,
        words_max: 800,
        always_say: vec!["free returns within 30 days".into()],
        never_say: vec!["cheap".into()],
    }
}

/// The prompt (first user message) of the last chat request the mock received.
fn last_prompt(h: &Harness) -> String {
    let sent: Value = h.mock.last_request("chat_completions").unwrap();
    sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap()
        .to_string()
}

fn assert_voice(prompt: &str, function: &str) {
    for part in [
        "write in German",
        "Tone: warm and plain.",
        "Audience: first-time trail runners.",
        "address the reader as \"you\"",
        "Always say (each at least once where it fits): \"free returns within 30 days\".",
        "Never say or mention: \"cheap\".",
    ] {
        assert!(
            prompt.contains(part),
            "{function} lacks {part:?}:\n{prompt}"
        );
    }
}

engine_test!(
    every_text_prompt_carries_the_language_and_voice,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        let mut settings = h.site.settings.clone();
        settings.voice = voice();
        let site = db
            .create_site(h.account, "Laufwelt", None, "de", &settings)
            .await
            .unwrap();
        pressroom_pipeline::import::import_keywords(
            &db,
            h.account,
            site.id,
            "test",
            Cursor::new(KEYWORDS.as_bytes().to_vec()),
        )
        .await
        .unwrap();
        h.site = site;

        let report = functions::cluster_keywords(&h.p, h.account, h.site.id, None)
            .await
            .unwrap();
        // With a model the clusters are named by one auto-cluster call per group.
        assert_voice(&last_prompt(&h), "auto-cluster");
        let ideas = functions::generate_ideas(&h.p, h.account, report.clusters[0], None)
            .await
            .unwrap()
            .ideas;
        let prompt = last_prompt(&h);
        assert_voice(&prompt, "generate-ideas");
        assert!(
            prompt.contains("target word count between 600 and 800"),
            "{prompt}"
        );

        let tasks = functions::create_tasks(&h.p, h.account, &ideas[..1])
            .await
            .unwrap();
        let (content, _) = functions::generate_content(&h.p, h.account, tasks[0], None)
            .await
            .unwrap();
        let prompt = last_prompt(&h);
        assert_voice(&prompt, "generate-content");
        assert!(
            prompt.contains("(language: German), 600 to 800 words long"),
            "{prompt}"
        );
        // The idea's own target is brought inside the site's range.
        let target: u32 = prompt
            .split("aim for about ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!((600..=800).contains(&target), "{target}");
        // The mock answers from the prompt alone, so it read the voice back: the range and the
        // phrases hold in the stored article too.
        let article = db.content(h.account, content).await.unwrap();
        assert!(
            (600..=800).contains(&article.word_count),
            "{}",
            article.word_count
        );
        assert!(
            article
                .body_markdown
                .contains("free returns within 30 days")
        );

        functions::generate_image_prompts(&h.p, h.account, content, None)
            .await
            .unwrap();
        assert_voice(&last_prompt(&h), "generate-image-prompts");
    }
);

engine_test!(
    an_override_renders_the_voice_variables,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        h.edit_settings(|s| {
        s.voice = voice();
        s.prompt_templates.insert(
            "generate-ideas".into(),
            "Ideas for {cluster_name} in {language}, {tone}, for {audience}, {point_of_view}, {words_min}-{words_max} words; say {always_say}; avoid {never_say}.\nKeywords:\n{keywords}".into(),
        );
    })
    .await;
        let report = functions::cluster_keywords(&h.p, h.account, h.site.id, None)
            .await
            .unwrap();
        functions::generate_ideas(&h.p, h.account, report.clusters[0], None)
            .await
            .unwrap();
        let prompt = last_prompt(&h);
        assert!(
        prompt.contains("in English, warm and plain, for first-time trail runners, second person (address the reader as \"you\"), 600-800 words; say \"free returns within 30 days\"; avoid \"cheap\"."),
        "{prompt}"
    );
        assert!(
            !prompt.contains("Brand voice:"),
            "an override without {{brand_voice}} gets none"
        );
    }
);

engine_test!(
    the_preview_shows_template_values_and_what_offline_ignores,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| {
            s.voice = voice();
            s.prompt_templates.insert(
                "generate-ideas".into(),
                "{min_ideas}-{max_ideas} ideas on {cluster_name} for {site_name}. {brand_voice}"
                    .into(),
            );
        })
        .await;
        let ideas = prompts::preview(&h.p, h.account, h.site.id, AiFunction::GenerateIdeas)
            .await
            .unwrap();
        assert!(ideas.overridden);
        assert_eq!(ideas.provider, "offline");
        assert!(ideas.template.starts_with("{min_ideas}-{max_ideas} ideas"));
        assert!(
        ideas.rendered.starts_with(&format!("1-3 ideas on Example Topic for {}. Brand voice:\nLanguage: write in English.\nTone: warm and plain.", h.site.name)),
        "{}",
        ideas.rendered
    );
        let var = |name: &str| {
            ideas
                .variables
                .iter()
                .find(|v| v.name == name)
                .unwrap()
                .clone()
        };
        assert!(var("cluster_name").sample);
        assert!(!var("tone").sample && var("tone").value == "warm and plain");
        assert_eq!(var("words_max").value, "800");
        assert!(
            var("brand_voice")
                .value
                .contains("Never say or mention: \"cheap\".")
        );
        assert_eq!(
            ideas.offline_ignores,
            vec!["tone", "audience", "point_of_view"]
        );

        let content = prompts::preview(&h.p, h.account, h.site.id, AiFunction::GenerateContent)
            .await
            .unwrap();
        assert!(!content.overridden);
        assert_eq!(
            content.template,
            template::default_template(AiFunction::GenerateContent)
        );
        assert!(
            content
                .rendered
                .contains("600 to 800 words long (aim for about 700 words)")
        );
        assert!(
            !content.rendered.contains('{'),
            "every variable filled: {}",
            content.rendered
        );

        let image = prompts::preview(&h.p, h.account, h.site.id, AiFunction::GenerateImage)
            .await
            .unwrap();
        assert!(image.offline_ignores.is_empty(), "a picture has no voice");
        assert!(image.variables.iter().all(|v| v.name != "tone"));
        let all = prompts::preview_all(&h.p, h.account, h.site.id)
            .await
            .unwrap();
        assert_eq!(all.len(), AiFunction::ALL.len());
        // Another account's site is not found.
        let other = db.create_account("other", Credits::ZERO).await.unwrap();
        assert!(
            prompts::preview(&h.p, other.id, h.site.id, AiFunction::GenerateIdeas)
                .await
                .is_err()
        );
    }
);

engine_test!(
    an_offline_run_keeps_the_word_range_and_notes_what_it_ignores_once,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| {
            s.voice = voice();
            s.caps.content = Some(2);
            s.in_article_images = 1;
        })
        .await;
        let run = run_to_end(&h).await;
        let events = db.run_events(h.account, run.id, None, 1000).await.unwrap();
        let notes: Vec<&RunEvent> = events
            .iter()
            .filter(|e| e.message.contains("offline writer ignores"))
            .collect();
        assert_eq!(notes.len(), 1, "{events:#?}");
        assert_eq!(notes[0].level, EventLevel::Warn);
        assert!(
            notes[0].message.contains("tone, audience, point_of_view"),
            "{}",
            notes[0].message
        );
        let articles = db
            .content_list(h.account, h.site.id, None, 100)
            .await
            .unwrap();
        assert!(!articles.is_empty());
        for a in &articles {
            assert!(
                (600..=800).contains(&a.word_count),
                "{}: {}",
                a.title,
                a.word_count
            );
            assert_eq!(
                a.body_markdown
                    .matches("free returns within 30 days")
                    .count(),
                1
            );
            let prose: String = a
                .body_markdown
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect();
            assert!(!prose.to_lowercase().contains("cheap"));
        }
    }
);
