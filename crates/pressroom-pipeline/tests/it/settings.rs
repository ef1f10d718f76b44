//! `settings::update` on both engines: a patch lands whole with its change-log rows, every
//! kind of invalid input changes nothing and names the key, and concurrent patches of
//! different keys both survive.

use crate::support::harness;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::settings::{self, Actor};
use pressroom_pipeline::{Pipeline, PipelineError};
use pressroom_store::{Db, engine_test};
use serde_json::json;

async fn stored(p: &Pipeline, account: AccountId, site: SiteId) -> Site {
    p.db().site(account, site).await.unwrap()
}

engine_test!(
    a_patch_writes_settings_language_and_log,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        let (site, changes) = settings::update(
            &h.p,
            h.account,
            h.site.id,
            &Actor::Cli,
            &json!({"in_article_images": 1, "language": "de", "voice": {"tone": "plain"},
                "batch_sizes": {"tasks": 3}}),
        )
        .await
        .unwrap();
        assert_eq!(site.settings.in_article_images, 1);
        assert_eq!(site.settings.batch_sizes.tasks, 3);
        assert_eq!(site.settings.voice.tone.as_deref(), Some("plain"));
        assert_eq!(site.language, "de");
        assert_eq!(changes.len(), 4);
        let log = settings::changes(&h.p, h.account, h.site.id, 50)
            .await
            .unwrap();
        assert_eq!(log.len(), 4);
        let images = log.iter().find(|c| c.key == "in_article_images").unwrap();
        assert_eq!(images.actor, "cli");
        assert_eq!(images.user_id, None);
        assert_eq!(images.old_value, json!(2));
        assert_eq!(images.new_value, json!(1));
        let lang = log.iter().find(|c| c.key == "language").unwrap();
        assert_eq!(
            (lang.old_value.clone(), lang.new_value.clone()),
            (json!("en"), json!("de"))
        );
        // The same patch again changes nothing and logs nothing.
        let (_, again) = settings::update(
            &h.p,
            h.account,
            h.site.id,
            &Actor::Cli,
            &json!({"in_article_images": 1}),
        )
        .await
        .unwrap();
        assert!(again.is_empty());
        assert_eq!(
            settings::changes(&h.p, h.account, h.site.id, 50)
                .await
                .unwrap()
                .len(),
            4
        );
        // Newest first, and scoped by account: another account sees no such site.
        let other =
            h.p.db()
                .create_account("other", Credits(0))
                .await
                .unwrap()
                .id;
        assert!(
            settings::update(
                &h.p,
                other,
                h.site.id,
                &Actor::Cli,
                &json!({"in_article_images": 3})
            )
            .await
            .is_err()
        );
        assert!(
            settings::changes(&h.p, other, h.site.id, 50)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

engine_test!(
    every_invalid_patch_names_its_key_and_changes_nothing,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        let before = stored(&h.p, h.account, h.site.id).await;
        let cases = [
            // unknown key (with a close one suggested)
            (json!({"in_article_imagez": 1}), "in_article_imagez"),
            // out of range
            (json!({"in_article_images": 99}), "in_article_images"),
            // wrong type
            (
                json!({"batch_sizes": {"tasks": "many"}}),
                "batch_sizes.tasks",
            ),
            // unknown provider
            (json!({"text_provider": "acme"}), "text_provider"),
            // a model of the wrong kind, and one the registry does not know
            (json!({"text_model": "dall-e-3"}), "text_model"),
            (json!({"image_model": "no-such-model"}), "image_model"),
            // a model of another provider
            (
                json!({"text_provider": "offline", "text_model": "gpt-4o"}),
                "text_model",
            ),
            // a size the image model does not accept
            (
                json!({"image_provider": "openai", "image_model": "dall-e-3", "featured_image_size": "512x512"}),
                "featured_image_size",
            ),
            // a bad template
            (
                json!({"prompt_templates": {"generate-ideas": "{nope}"}}),
                "prompt_templates.generate-ideas",
            ),
            // a good key before a bad one: the good one is not written either
            (
                json!({"review_mode": "auto", "schedule": {"time": "7 o'clock"}}),
                "schedule.time",
            ),
        ];
        for (patch, key) in cases {
            let e = settings::update(&h.p, h.account, h.site.id, &Actor::Cli, &patch)
                .await
                .unwrap_err();
            assert!(matches!(e, PipelineError::Invalid(_)), "{patch}: {e:?}");
            assert!(e.to_string().contains(key), "{patch}: {e}");
        }
        assert_eq!(stored(&h.p, h.account, h.site.id).await, before);
        assert!(
            settings::changes(&h.p, h.account, h.site.id, 50)
                .await
                .unwrap()
                .is_empty()
        );
        // The size check follows the model: dall-e-2 takes 512x512.
        let (site, _) = settings::update(&h.p, h.account, h.site.id, &Actor::Cli,
        &json!({"image_provider": "openai", "image_model": "dall-e-2", "featured_image_size": "512x512"}))
        .await
        .unwrap();
        assert_eq!(site.settings.featured_image_size, "512x512");
    }
);

engine_test!(
    concurrent_patches_of_different_keys_both_survive,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        let patches = [
            json!({"batch_sizes": {"tasks": 3}}),
            json!({"batch_sizes": {"ideas": 7}}),
            json!({"voice": {"tone": "warm"}}),
            json!({"voice": {"audience": "runners"}}),
            json!({"caps": {"content": 5}}),
            json!({"in_article_images": 4}),
        ];
        let tasks: Vec<_> = patches
            .into_iter()
            .map(|patch| {
                let p = h.p.clone();
                let (account, site) = (h.account, h.site.id);
                tokio::spawn(async move {
                    settings::update(&p, account, site, &Actor::Cli, &patch).await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let s = stored(&h.p, h.account, h.site.id).await.settings;
        assert_eq!(s.batch_sizes.tasks, 3);
        assert_eq!(s.batch_sizes.ideas, 7);
        assert_eq!(s.voice.tone.as_deref(), Some("warm"));
        assert_eq!(s.voice.audience.as_deref(), Some("runners"));
        assert_eq!(s.caps.content, Some(5));
        assert_eq!(s.in_article_images, 4);
        assert_eq!(
            settings::changes(&h.p, h.account, h.site.id, 50)
                .await
                .unwrap()
                .len(),
            6
        );
    }
);
