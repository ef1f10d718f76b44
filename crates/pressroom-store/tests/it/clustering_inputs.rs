//! The embedding cache and the imported search results, on both engines.

use pressroom_domain::*;
use pressroom_store::{Db, SerpRow, engine_test};

engine_test!(
    embeddings_are_cached_per_account_and_model,
    |db: Db| async move {
        let a = db.create_account("a", Credits(0)).await.unwrap();
        let b = db.create_account("b", Credits(0)).await.unwrap();
        let phrases: Vec<String> = (0..1200).map(|i| format!("phrase {i}")).collect();
        let entries: Vec<(String, Vec<f32>)> = phrases
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), vec![i as f32, -0.5, 1e-3]))
            .collect();
        let mut tx = db.begin().await.unwrap();
        tx.cache_embeddings(a.id, "m1", &entries).await.unwrap();
        tx.commit().await.unwrap();
        // More phrases than one statement takes: read in batches, all found, bit for bit.
        let mut asked = phrases.clone();
        asked.push("never cached".into());
        let got = db.cached_embeddings(a.id, "m1", &asked).await.unwrap();
        assert_eq!(got.len(), 1200);
        assert_eq!(got["phrase 7"], vec![7.0, -0.5, 1e-3]);
        assert!(!got.contains_key("never cached"));
        // Another model or another account sees none of them.
        assert!(
            db.cached_embeddings(a.id, "m2", &asked)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            db.cached_embeddings(b.id, "m1", &asked)
                .await
                .unwrap()
                .is_empty()
        );
        // Writing a phrase again replaces its vector.
        let mut tx = db.begin().await.unwrap();
        tx.cache_embeddings(a.id, "m1", &[("phrase 7".into(), vec![1.0; 5])])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let got = db
            .cached_embeddings(a.id, "m1", &["phrase 7".into()])
            .await
            .unwrap();
        assert_eq!(got["phrase 7"], vec![1.0; 5]);
        // A rolled-back write leaves nothing.
        let mut tx = db.begin().await.unwrap();
        tx.cache_embeddings(b.id, "m1", &[("x".into(), vec![1.0])])
            .await
            .unwrap();
        drop(tx);
        assert!(
            db.cached_embeddings(b.id, "m1", &["x".into()])
                .await
                .unwrap()
                .is_empty()
        );
    }
);

engine_test!(
    serp_results_are_replaced_per_keyword_and_scoped,
    |db: Db| async move {
        let a = db.create_account("a", Credits(0)).await.unwrap();
        let b = db.create_account("b", Credits(0)).await.unwrap();
        let s = db
            .create_site(a.id, "blog", None, "en", &SiteSettings::default())
            .await
            .unwrap();
        let other = db
            .create_site(a.id, "other", None, "en", &SiteSettings::default())
            .await
            .unwrap();
        let rows = |urls: &[&str]| -> Vec<SerpRow> {
            urls.iter()
                .enumerate()
                .map(|(i, u)| SerpRow {
                    position: i as i64 + 1,
                    url: u.to_string(),
                })
                .collect()
        };
        // Enough keywords to need several statements.
        let many: Vec<(String, Vec<SerpRow>)> = (0..120)
            .map(|i| {
                (
                    format!("kw {i}"),
                    rows(&["https://a.example/", "https://b.example/"]),
                )
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        tx.replace_serp_results(a.id, s.id, &many).await.unwrap();
        tx.replace_serp_results(
            a.id,
            s.id,
            &[(
                "trail shoes".into(),
                rows(&["https://x.example/1", "https://y.example/2"]),
            )],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.count_serp_keywords(a.id, s.id).await.unwrap(), 121);
        let names: Vec<String> = (0..120).map(|i| format!("kw {i}")).collect();
        assert_eq!(db.serp_urls(a.id, s.id, &names).await.unwrap().len(), 120);
        // A re-import of a keyword replaces its rows, in its new order.
        let mut tx = db.begin().await.unwrap();
        tx.replace_serp_results(
            a.id,
            s.id,
            &[(
                "trail shoes".into(),
                rows(&["https://z.example/", "https://x.example/1"]),
            )],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let got = db
            .serp_urls(a.id, s.id, &["trail shoes".into(), "unknown".into()])
            .await
            .unwrap();
        assert_eq!(
            got["trail shoes"],
            vec![
                "https://z.example/".to_string(),
                "https://x.example/1".into()
            ]
        );
        assert!(!got.contains_key("unknown"));
        // Another site of the account, or another account, sees none of them.
        assert!(
            db.serp_urls(a.id, other.id, &["trail shoes".into()])
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            db.serp_urls(b.id, s.id, &["trail shoes".into()])
                .await
                .unwrap()
                .is_empty()
        );
    }
);
