//! Provider keys per account: sealed at rest, checked against the site's providers, and used
//! by a run in preference to the environment's key.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::{PipelineError, keys};
use pressroom_store::{Db, SecretBox, engine_test, on_db};

const SITE_KEY: &str = "sk-site-own-key-7777";

fn secret_box() -> SecretBox {
    SecretBox::from_hex(&SecretBox::generate_hex()).unwrap()
}

engine_test!(
    keys_are_sealed_at_rest_and_checked_against_the_site,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        // Without a secret key the pipeline refuses to store one, saying how to configure it.
        let e = keys::add_key(&h.p, h.account, "main", "openai", SITE_KEY)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("PRESSROOM_SECRET_KEY"), "{e}");
        h.p = h.p.clone().with_secrets(secret_box());
        let k = keys::add_key(&h.p, h.account, "main", "openai", SITE_KEY)
            .await
            .unwrap();
        assert_eq!(k.hint, "7777");
        let (sealed, hint): (String, String) = on_db!(&db, p => sqlx::query_as(
        "SELECT sealed, hint FROM provider_keys WHERE account_id = $1 AND name = 'main'")
        .bind(h.account.get()).fetch_one(p).await)
        .unwrap();
        assert!(
            !sealed.contains(SITE_KEY) && !sealed.contains("own-key"),
            "{sealed}"
        );
        assert!(
            !sealed.contains(&hex_of(SITE_KEY)),
            "not merely hex-encoded"
        );
        assert_eq!(hint, "7777");
        assert_eq!(h.p.secrets().unwrap().open(&sealed).unwrap(), SITE_KEY);
        // Bad input names its field.
        let e = keys::add_key(&h.p, h.account, "x", "offline", SITE_KEY)
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("provider"), "{e}");
        let e = keys::add_key(&h.p, h.account, "x", "openai", "short")
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("key"), "{e}");
        keys::add_key(&h.p, h.account, "pics", "runware", "rw-site-key-1234")
            .await
            .unwrap();

        // The choice: a key of the account, for the site's provider of that use.
        let ok = SiteSettings {
            text_key: Some("main".into()),
            image_key: Some("pics".into()),
            ..SiteSettings::default()
        };
        keys::check_key_choice(&h.p, h.account, &ok).await.unwrap();
        let cases: [(SiteSettings, &str); 4] = [
            (
                SiteSettings {
                    text_key: Some("pics".into()),
                    ..SiteSettings::default()
                },
                "text_key",
            ),
            (
                SiteSettings {
                    text_key: Some("nope".into()),
                    ..SiteSettings::default()
                },
                "text_key",
            ),
            (
                SiteSettings {
                    image_key: Some("pics".into()),
                    image_provider: Some("openai".into()),
                    ..SiteSettings::default()
                },
                "image_key",
            ),
            (
                SiteSettings {
                    text_key: Some("main".into()),
                    text_provider: Some("offline".into()),
                    ..SiteSettings::default()
                },
                "text_key",
            ),
        ];
        for (settings, field) in cases {
            let e = keys::check_key_choice(&h.p, h.account, &settings)
                .await
                .unwrap_err();
            assert!(matches!(e, PipelineError::Invalid(_)), "{e:?}");
            assert!(e.to_string().starts_with(field), "{e}");
        }
        // Another account cannot choose this account's key.
        let other = db.create_account("other", Credits(0)).await.unwrap().id;
        assert!(keys::check_key_choice(&h.p, other, &ok).await.is_err());
        // A wrong-provider key stored on the site anyway is refused when the run picks providers.
        h.edit_settings(|s| {
            s.text_provider = None;
            s.text_key = Some("pics".into());
        })
        .await;
        let e = keys::text_for(&h.p, &h.site).await.err().unwrap();
        assert!(e.to_string().starts_with("text_key"), "{e}");
    }
);

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

engine_test!(
    a_run_calls_the_provider_with_the_sites_own_key,
    |db: Db| async move {
        let mut h = harness(db, MockConfig::default(), "openai", "offline").await;
        h.p = h.p.clone().with_secrets(secret_box());
        keys::add_key(&h.p, h.account, "client", "openai", SITE_KEY)
            .await
            .unwrap();
        h.edit_settings(|s| s.text_key = Some("client".into()))
            .await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let seen = h.mock.keys_seen();
        assert!(!seen.is_empty());
        assert!(
            seen.iter().all(|k| k == SITE_KEY),
            "environment key used: {seen:?}"
        );
        // Removal is refused while the site uses it.
        let id = keys::list_keys(&h.p, h.account).await.unwrap()[0].id;
        let e = keys::remove_key(&h.p, h.account, id).await.unwrap_err();
        assert!(e.to_string().contains(&h.site.name), "{e}");
    }
);
