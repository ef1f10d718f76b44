//! `functions::embed_phrases` against the mock's `/v1/embeddings` over real HTTP: batching,
//! the cache, charges matching the registry, refusals and broken answers.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::{MockConfig, Step};
use pressroom_pipeline::{PipelineError, functions};
use pressroom_providers::embeddings::offline_vector;
use pressroom_providers::{ModelKind, ModelRegistry, ProviderKind};
use pressroom_store::{Db, StoreError, engine_test};

fn phrases(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Keyword Number {i}")).collect()
}

/// What the registry charges for one batch of phrases, as the mock counts their tokens.
fn batch_credits(batch: &[String]) -> Credits {
    let tokens: i64 = batch
        .iter()
        .map(|s| (s.chars().count() as i64 + 3) / 4)
        .sum();
    ModelRegistry::seeded()
        .resolve(
            ProviderKind::OpenAi,
            ModelKind::Embedding,
            "text-embedding-3-small",
        )
        .text_credits(tokens, 0)
}

engine_test!(
    embeddings_are_batched_charged_and_then_served_from_the_cache,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        let before = db.account(h.account).await.unwrap().credits;
        // 300 distinct phrases (and one repeat differing only in case): 2 batches, 256 + 44.
        let mut asked = phrases(300);
        asked.push("KEYWORD number 5".into());
        let (vectors, charged) = functions::embed_phrases(&h.p, h.account, &h.site, &asked, None)
            .await
            .unwrap();
        assert_eq!(h.mock.requests("embeddings"), 2);
        assert_eq!(vectors.len(), 301);
        assert_eq!(vectors[7], offline_vector("keyword number 7"));
        assert_eq!(vectors[300], vectors[5]);
        // The charge is the registry's price of each batch, as sent (sorted, normalised).
        let mut sent: Vec<String> = phrases(300).iter().map(|p| normalise_phrase(p)).collect();
        sent.sort();
        let expected = Credits(
            sent.chunks(functions::EMBED_BATCH)
                .map(|b| batch_credits(b).0)
                .sum(),
        );
        assert!(expected.0 >= 2, "each batch costs at least one credit");
        assert_eq!(charged, expected);
        let after = db.account(h.account).await.unwrap().credits;
        assert_eq!(before.0 - after.0, expected.0);
        let rows = db.usage_rows(h.account, 10).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.2 == "text-embedding-3-small" && r.8));

        // Again: everything from the cache, no call, no charge.
        let (again, charged) = functions::embed_phrases(&h.p, h.account, &h.site, &asked, None)
            .await
            .unwrap();
        assert_eq!(again, vectors);
        assert_eq!(charged, Credits::ZERO);
        assert_eq!(h.mock.requests("embeddings"), 2);
        assert_eq!(db.account(h.account).await.unwrap().credits, after);
    }
);

engine_test!(
    a_broken_answer_is_a_clear_error_and_caches_nothing,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        let before = db.account(h.account).await.unwrap().credits;
        let asked = phrases(10);
        h.mock.script([Step::Named("wrong-count".into())]);
        let err = functions::embed_phrases(&h.p, h.account, &h.site, &asked, None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("9 vectors for 10 inputs"), "{err}");
        assert_eq!(db.account(h.account).await.unwrap().credits, before);
        let normalised: Vec<String> = asked.iter().map(|p| normalise_phrase(p)).collect();
        assert!(
            db.cached_embeddings(h.account, "text-embedding-3-small", &normalised)
                .await
                .unwrap()
                .is_empty()
        );
        // The failed call is on the books, uncharged.
        let rows = db.usage_rows(h.account, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].8);
        assert_eq!(rows[0].6, 0);
        // The next call works and is charged.
        let (_, charged) = functions::embed_phrases(&h.p, h.account, &h.site, &asked, None)
            .await
            .unwrap();
        assert!(charged.0 > 0);
    }
);

engine_test!(
    an_empty_balance_is_refused_before_any_call,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        let balance = db.account(h.account).await.unwrap().credits;
        let mut tx = db.begin().await.unwrap();
        tx.charge_credits(h.account, balance, "spend", "spend-all", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let err = functions::embed_phrases(&h.p, h.account, &h.site, &phrases(3), None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                PipelineError::Store(StoreError::InsufficientCredits { .. })
            ),
            "{err}"
        );
        assert_eq!(h.mock.requests("embeddings"), 0);
    }
);

engine_test!(
    without_a_key_vectors_are_offline_and_free,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let before = db.account(h.account).await.unwrap().credits;
        let asked = vec!["descale espresso machine".to_string()];
        let (v, charged) = functions::embed_phrases(&h.p, h.account, &h.site, &asked, None)
            .await
            .unwrap();
        assert_eq!(v[0], offline_vector("descale espresso machine"));
        assert_eq!(charged, Credits::ZERO);
        assert_eq!(db.account(h.account).await.unwrap().credits, before);
        assert_eq!(h.mock.requests("embeddings"), 0);
        let rows = db.usage_rows(h.account, 10).await.unwrap();
        assert_eq!((rows[0].1.as_str(), rows[0].6), ("offline", 0));
    }
);
