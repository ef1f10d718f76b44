//! The repository suite. Every test runs on SQLite and on PostgreSQL (see `engine_test!`).

use pressroom_domain::*;
use pressroom_store::testing::TestDb;
use pressroom_store::{Charge, Db, Engine, KeywordFilter, Page, StoreError, engine_test};

fn draft(phrase: &str, volume: Option<i64>) -> KeywordDraft {
    let mut d = KeywordDraft::new(phrase).unwrap();
    d.volume = volume;
    d
}

engine_test!(local_default_is_created_once, |db: Db| async move {
    let (a1, s1) = db.local_default().await.unwrap();
    let (a2, s2) = db.local_default().await.unwrap();
    assert_eq!(a1.id, a2.id);
    assert_eq!(s1.id, s2.id);
    assert_eq!(s1.name, "default");
    assert_eq!(a1.credits, pressroom_store::LOCAL_STARTING_CREDITS);
    // Concurrent first use from several tasks still yields one account and one site.
    let fresh = db.create_account("other", Credits(0)).await.unwrap();
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.ensure_site(fresh.id, "blog").await.unwrap().id })
        })
        .collect();
    let mut ids = Vec::new();
    for h in handles {
        ids.push(h.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(db.sites(fresh.id).await.unwrap().len(), 1);
});

engine_test!(sites_are_scoped_by_account, |db: Db| async move {
    let a = db.create_account("a", Credits(0)).await.unwrap();
    let b = db.create_account("b", Credits(0)).await.unwrap();
    let site = db
        .create_site(
            a.id,
            "Trail Blog",
            Some("trail.example"),
            "en",
            &SiteSettings::default(),
        )
        .await
        .unwrap();
    assert!(matches!(
        db.create_site(a.id, "Trail Blog", None, "en", &SiteSettings::default())
            .await,
        Err(StoreError::AlreadyExists { .. })
    ));
    // The same name is fine for another account.
    db.create_site(b.id, "Trail Blog", None, "en", &SiteSettings::default())
        .await
        .unwrap();
    assert!(matches!(
        db.site(b.id, site.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        db.site_by_name(b.id, "Trail Blog")
            .await
            .unwrap()
            .unwrap()
            .id
            != site.id
    );
    let bad = SiteSettings {
        in_article_images: 20,
        ..Default::default()
    };
    assert!(db.update_site_settings(a.id, site.id, &bad).await.is_err());
    assert!(matches!(
        db.update_site_settings(b.id, site.id, &SiteSettings::default())
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let good = SiteSettings {
        in_article_images: 4,
        ..Default::default()
    };
    assert_eq!(
        db.update_site_settings(a.id, site.id, &good)
            .await
            .unwrap()
            .settings
            .in_article_images,
        4
    );
});

engine_test!(keyword_upsert_merges_and_counts, |db: Db| async move {
    let (acct, site) = db.local_default().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let first = tx
        .upsert_keywords(
            acct.id,
            site.id,
            "test",
            &[draft("Trail Shoes", Some(100)), draft("rain jacket", None)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((first.inserted, first.merged), (2, 0));

    let mut tx = db.begin().await.unwrap();
    let mut again = draft("  trail   SHOES ", None);
    again.difficulty = Some(30);
    let second = tx
        .upsert_keywords(
            acct.id,
            site.id,
            "test",
            &[
                again,
                draft("Rain Jacket", Some(50)),
                draft("tent", Some(5)),
            ],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((second.inserted, second.merged), (1, 2));
    assert_eq!(
        db.count_keywords(acct.id, site.id, &KeywordFilter::default())
            .await
            .unwrap(),
        3
    );

    let all = db
        .keywords(
            acct.id,
            site.id,
            &KeywordFilter::default(),
            Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    let shoes = all.iter().find(|k| k.normalised == "trail shoes").unwrap();
    assert_eq!(shoes.phrase, "Trail Shoes", "first spelling stays");
    assert_eq!(
        shoes.volume,
        Some(100),
        "an empty cell keeps the stored value"
    );
    assert_eq!(shoes.difficulty, Some(30), "a new value fills in");
    assert_eq!(all[0].normalised, "trail shoes", "highest volume first");

    let found = db
        .keywords(
            acct.id,
            site.id,
            &KeywordFilter {
                search: Some("JACK".into()),
                ..Default::default()
            },
            Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].volume, Some(50));
    // The total counts what the list shows: the same filter, no page.
    let jack = KeywordFilter {
        search: Some("JACK".into()),
        ..Default::default()
    };
    assert_eq!(db.count_keywords(acct.id, site.id, &jack).await.unwrap(), 1);
    let loud = KeywordFilter {
        min_volume: Some(60),
        ..Default::default()
    };
    let loud_rows = db
        .keywords(
            acct.id,
            site.id,
            &loud,
            Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        db.count_keywords(acct.id, site.id, &loud).await.unwrap(),
        loud_rows.len() as i64
    );
    assert!(loud_rows.len() < 3, "the volume filter leaves some out");
    let none = db
        .keywords(
            acct.id,
            site.id,
            &KeywordFilter {
                search: Some("%".into()),
                ..Default::default()
            },
            Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty(), "LIKE wildcards in the search are literal");

    // Another account sees nothing of this site.
    let other = db.create_account("other", Credits(0)).await.unwrap();
    assert_eq!(
        db.count_keywords(other.id, site.id, &KeywordFilter::default())
            .await
            .unwrap(),
        0
    );
    assert!(
        db.keywords(
            other.id,
            site.id,
            &KeywordFilter::default(),
            Page {
                limit: 10,
                offset: 0
            }
        )
        .await
        .unwrap()
        .is_empty()
    );
});

engine_test!(status_moves_are_checked_and_scoped, |db: Db| async move {
    let (acct, site) = db.local_default().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.upsert_keywords(acct.id, site.id, "test", &[draft("tent", None)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let kw = db
        .keywords(
            acct.id,
            site.id,
            &KeywordFilter::default(),
            Page {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .remove(0);

    let mut tx = db.begin().await.unwrap();
    let err = tx
        .move_status(acct.id, kw.id, KeywordStatus::New)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Domain(DomainError::IllegalTransition {
                entity: "keyword",
                from: "new",
                to: "new"
            })
        ),
        "{err}"
    );
    let other = AccountId::new(acct.id.get() + 1000);
    assert!(matches!(
        tx.move_status(other, kw.id, KeywordStatus::Archived).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        tx.move_status(acct.id, kw.id, KeywordStatus::Archived)
            .await
            .unwrap(),
        KeywordStatus::New
    );
    tx.commit().await.unwrap();
    assert_eq!(
        db.count_keywords(
            acct.id,
            site.id,
            &KeywordFilter::with_status(KeywordStatus::Archived)
        )
        .await
        .unwrap(),
        1
    );
});

engine_test!(
    ledger_is_idempotent_and_never_negative,
    |db: Db| async move {
        let acct = db.create_account("a", Credits(100)).await.unwrap();
        assert_eq!(acct.credits, Credits(100));
        let mut tx = db.begin().await.unwrap();
        let first = tx
            .charge_credits(acct.id, Credits(30), "image", "image:1:gen:1", None)
            .await
            .unwrap();
        assert!(matches!(
            first,
            Charge::Applied {
                balance_after: Credits(70),
                ..
            }
        ));
        let again = tx
            .charge_credits(acct.id, Credits(30), "image", "image:1:gen:1", None)
            .await
            .unwrap();
        assert_eq!(again, Charge::AlreadyApplied);
        tx.commit().await.unwrap();
        assert_eq!(db.account(acct.id).await.unwrap().credits, Credits(70));

        let mut tx = db.begin().await.unwrap();
        let err = tx
            .charge_credits(acct.id, Credits(71), "image", "image:2:gen:1", None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::InsufficientCredits {
                    needed: Credits(71),
                    balance: Credits(70)
                }
            ),
            "{err}"
        );
        tx.commit().await.unwrap();
        assert_eq!(
            db.account(acct.id).await.unwrap().credits,
            Credits(70),
            "a refused charge changes nothing"
        );
        let mut tx = db.begin().await.unwrap();
        assert!(
            tx.charge_credits(acct.id, Credits(-5), "bad", "k", None)
                .await
                .is_err()
        );
    }
);

/// Both engines' migrations must produce the same tables and columns.
#[tokio::test]
async fn migrations_are_in_lockstep() {
    let Some(pg) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let pg_cols: Vec<(String, String)> = match &pg.db {
        Db::Postgres(p) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' ORDER BY 1, 2")
            .fetch_all(p).await.unwrap(),
        Db::Sqlite(_) => unreachable!(),
    };
    let lite_cols: Vec<(String, String)> = match &lite.db {
        Db::Sqlite(p) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' ORDER BY 1, 2")
            .fetch_all(p).await.unwrap(),
        Db::Postgres(_) => unreachable!(),
    };
    assert!(lite_cols.len() > 50);
    assert_eq!(pg_cols, lite_cols);
}
