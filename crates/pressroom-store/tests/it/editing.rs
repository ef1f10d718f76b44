//! The plan's edit writes (`work/editing.rs`) on both engines: locks and reads scoped by
//! account, name clashes as `AlreadyExists` with nothing written, merges moving keywords,
//! ideas and tasks, counts that leave archived keywords out, guarded idea deletes.

use pressroom_domain::ai::{ClusterItem, IdeaItem};
use pressroom_domain::*;
use pressroom_store::{Db, MergeCounts, StoreError, engine_test};

struct Fixture {
    account: AccountId,
    site: SiteId,
    /// Cluster "shoes" holds keywords 0-1, cluster "coffee" holds 2-3; keyword 4 is new.
    shoes: ClusterId,
    coffee: ClusterId,
    keywords: Vec<KeywordId>,
}

async fn fixture(db: &Db, name: &str) -> Fixture {
    let account = db.create_account(name, Credits(0)).await.unwrap().id;
    let site = db
        .create_site(account, "blog", None, "en", &SiteSettings::default())
        .await
        .unwrap()
        .id;
    let drafts: Vec<KeywordDraft> = [
        ("trail shoes", 900),
        ("trail shoes women", 100),
        ("cold brew", 800),
        ("cold brew ratio", 50),
        ("green tea", 10),
    ]
    .iter()
    .map(|(p, v)| {
        let mut d = KeywordDraft::new(p).unwrap();
        d.volume = Some(*v);
        d
    })
    .collect();
    let mut tx = db.begin().await.unwrap();
    tx.upsert_keywords(account, site, "test", &drafts)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, members) in [
        ("shoes", ["trail shoes", "trail shoes women"]),
        ("coffee", ["cold brew", "cold brew ratio"]),
    ] {
        let item = ClusterItem {
            name: name.into(),
            description: String::new(),
            keywords: Vec::new(),
        };
        let id = tx
            .insert_cluster(
                account,
                site,
                &item.name,
                &item.description,
                ClusterMethod::Lexical,
                None,
            )
            .await
            .unwrap()
            .expect("a name the site does not have");
        let members: Vec<String> = members.iter().map(|m| normalise_phrase(m)).collect();
        pressroom_store::testing::map_phrases(&mut tx, account, site, id, &members)
            .await
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    let keywords = db
        .keywords_by_status(account, site, KeywordStatus::Mapped, 10)
        .await
        .unwrap()
        .into_iter()
        .chain(
            db.keywords_by_status(account, site, KeywordStatus::New, 10)
                .await
                .unwrap(),
        )
        .map(|k| k.id)
        .collect();
    Fixture {
        account,
        site,
        shoes: ids[0],
        coffee: ids[1],
        keywords,
    }
}

fn idea(title: &str) -> IdeaItem {
    IdeaItem {
        title: title.into(),
        description: String::new(),
        content_structure: ContentStructure::Article,
        outline: vec!["One".into()],
        primary_keyword: title.to_lowercase(),
        secondary_keywords: Vec::new(),
        target_words: 800,
    }
}

async fn counts(db: &Db, f: &Fixture, id: ClusterId) -> (i64, i64, ClusterStatus) {
    let c = db.cluster(f.account, id).await.unwrap();
    (c.keyword_count, c.total_volume, c.status)
}

engine_test!(locks_and_reads_are_scoped_by_account, |db: Db| async move {
    let f = fixture(&db, "a").await;
    let g = fixture(&db, "b").await;
    let mut tx = db.begin().await.unwrap();
    let both = tx
        .clusters_for_update(f.account, &[f.coffee, f.shoes, f.shoes])
        .await
        .unwrap();
    assert_eq!(
        both.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![f.shoes, f.coffee]
    );
    // Another account's cluster or keyword is not found, naming the id.
    match tx.clusters_for_update(f.account, &[f.shoes, g.shoes]).await {
        Err(StoreError::NotFound { entity, id }) => {
            assert_eq!((entity, id), ("cluster", g.shoes.to_string()))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        tx.keywords_for_update(f.account, &[f.keywords[0], g.keywords[0]])
            .await,
        Err(StoreError::NotFound {
            entity: "keyword",
            ..
        })
    ));
    assert_eq!(
        tx.keywords_for_update(f.account, &f.keywords)
            .await
            .unwrap()
            .len(),
        5
    );
    assert!(
        tx.cluster_named(g.account, g.site, "shoes")
            .await
            .unwrap()
            .is_some_and(|c| c.id == g.shoes)
    );
    assert!(
        tx.cluster_named(f.account, g.site, "shoes")
            .await
            .unwrap()
            .is_none()
    );
    // Writes with another account's ids change nothing.
    assert_eq!(
        tx.link_keywords(g.account, &f.keywords, Some(g.coffee))
            .await
            .unwrap(),
        0
    );
    assert_eq!(tx.delete_keywords(g.account, &f.keywords).await.unwrap(), 0);
    assert!(matches!(
        tx.set_cluster_text(g.account, f.shoes, "x", "").await,
        Err(StoreError::NotFound { .. })
    ));
    tx.commit().await.unwrap();
    assert_eq!(
        counts(&db, &f, f.shoes).await,
        (2, 1000, ClusterStatus::New)
    );
    let listed = db
        .keywords_in_cluster(f.account, f.shoes, 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].phrase, "trail shoes", "highest volume first");
    assert!(
        db.keywords_in_cluster(g.account, f.shoes, 10)
            .await
            .unwrap()
            .is_empty()
    );
});

engine_test!(
    a_taken_name_is_already_exists_and_changes_nothing,
    |db: Db| async move {
        let f = fixture(&db, "a").await;
        let mut tx = db.begin().await.unwrap();
        let e = tx
            .set_cluster_text(f.account, f.shoes, "coffee", "new text")
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::AlreadyExists { entity: "cluster", name } if name == "coffee"),
            "{e:?}"
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            tx.insert_manual_cluster(f.account, f.site, "shoes", "")
                .await,
            Err(StoreError::AlreadyExists { .. })
        ));
        drop(tx);
        let shoes = db.cluster(f.account, f.shoes).await.unwrap();
        assert_eq!(
            (shoes.name.as_str(), shoes.description.as_str()),
            ("shoes", "")
        );
        assert_eq!(
            db.clusters(f.account, f.site, None, 10)
                .await
                .unwrap()
                .len(),
            2
        );

        let mut tx = db.begin().await.unwrap();
        tx.set_cluster_text(f.account, f.shoes, "Trail shoes", "For trails")
            .await
            .unwrap();
        let made = tx
            .insert_manual_cluster(f.account, f.site, "Road shoes", "")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let shoes = db.cluster(f.account, f.shoes).await.unwrap();
        assert_eq!(
            (shoes.name.as_str(), shoes.description.as_str()),
            ("Trail shoes", "For trails")
        );
        let made = db.cluster(f.account, made).await.unwrap();
        assert_eq!(
            (made.method, made.status, made.keyword_count, made.site_id),
            (ClusterMethod::Manual, ClusterStatus::New, 0, f.site)
        );
    }
);

engine_test!(
    merge_moves_keywords_ideas_and_tasks_and_recounts,
    |db: Db| async move {
        let f = fixture(&db, "a").await;
        let mut tx = db.begin().await.unwrap();
        let first = tx
            .insert_idea(
                f.account,
                f.site,
                f.shoes,
                &idea("Best trail shoes"),
                &pressroom_domain::clustering::terms_key("Best trail shoes"),
            )
            .await
            .unwrap()
            .expect("a new search");
        tx.insert_idea(
            f.account,
            f.site,
            f.shoes,
            &idea("Trail shoes for women"),
            &pressroom_domain::clustering::terms_key("Trail shoes for women"),
        )
        .await
        .unwrap()
        .expect("a new search");
        tx.commit().await.unwrap();
        let first = db.idea(f.account, first).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let task = tx.create_task_for_idea(&first).await.unwrap();
        assert!(!tx.cluster_has_ideas(f.account, f.coffee).await.unwrap());
        let moved = tx
            .move_cluster_work(f.account, f.shoes, f.coffee)
            .await
            .unwrap();
        assert_eq!(
            moved,
            MergeCounts {
                keywords: 2,
                ideas: 2,
                tasks: 1
            }
        );
        assert!(tx.cluster_has_ideas(f.account, f.coffee).await.unwrap());
        tx.recount_clusters(f.account, &[f.shoes, f.coffee])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(counts(&db, &f, f.shoes).await.0, 0);
        assert_eq!(counts(&db, &f, f.coffee).await.0, 4);
        assert_eq!(counts(&db, &f, f.coffee).await.1, 1850);
        assert_eq!(db.task(f.account, task).await.unwrap().cluster_id, f.coffee);
        assert_eq!(
            db.ideas_in_cluster(f.account, f.coffee, 10)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            db.ideas_in_cluster(f.account, f.shoes, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

engine_test!(counts_leave_archived_keywords_out, |db: Db| async move {
    let f = fixture(&db, "a").await;
    let trail = f.keywords[0];
    let mut tx = db.begin().await.unwrap();
    tx.move_status(f.account, trail, KeywordStatus::Archived)
        .await
        .unwrap();
    tx.recount_clusters(f.account, &[f.shoes]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(counts(&db, &f, f.shoes).await, (1, 100, ClusterStatus::New));
    // Stage 1's recount follows the same rule.
    let mut tx = db.begin().await.unwrap();
    pressroom_store::testing::map_phrases(
        &mut tx,
        f.account,
        f.site,
        f.shoes,
        &[normalise_phrase("green tea")],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(counts(&db, &f, f.shoes).await, (2, 110, ClusterStatus::New));
    // Linking and deleting, then recounting.
    let mut tx = db.begin().await.unwrap();
    let tea = db
        .keywords_in_cluster(f.account, f.shoes, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.phrase == "green tea")
        .unwrap()
        .id;
    assert_eq!(
        tx.link_keywords(f.account, &[tea], Some(f.coffee))
            .await
            .unwrap(),
        1
    );
    assert_eq!(tx.delete_keywords(f.account, &[trail]).await.unwrap(), 1);
    tx.recount_clusters(f.account, &[f.shoes, f.coffee])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(counts(&db, &f, f.shoes).await.0, 1);
    assert_eq!(
        counts(&db, &f, f.coffee).await,
        (3, 860, ClusterStatus::New)
    );
    assert!(
        db.keywords_by_ids(f.account, &[trail])
            .await
            .unwrap()
            .is_empty()
    );
});

engine_test!(only_a_new_idea_is_deleted, |db: Db| async move {
    let f = fixture(&db, "a").await;
    let g = fixture(&db, "b").await;
    let mut tx = db.begin().await.unwrap();
    let keep = tx
        .insert_idea(
            f.account,
            f.site,
            f.shoes,
            &idea("Queued one"),
            &pressroom_domain::clustering::terms_key("Queued one"),
        )
        .await
        .unwrap()
        .expect("a new search");
    let drop_me = tx
        .insert_idea(
            f.account,
            f.site,
            f.shoes,
            &idea("New one"),
            &pressroom_domain::clustering::terms_key("New one"),
        )
        .await
        .unwrap()
        .expect("a new search");
    tx.commit().await.unwrap();
    let queued = db.idea(f.account, keep).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.create_task_for_idea(&queued).await.unwrap();
    assert!(!tx.delete_new_idea(f.account, keep).await.unwrap());
    assert!(!tx.delete_new_idea(g.account, drop_me).await.unwrap());
    assert!(matches!(
        tx.idea_for_update(g.account, drop_me).await,
        Err(StoreError::NotFound { entity: "idea", .. })
    ));
    assert_eq!(
        tx.idea_for_update(f.account, drop_me).await.unwrap().status,
        IdeaStatus::New
    );
    assert!(tx.delete_new_idea(f.account, drop_me).await.unwrap());
    tx.commit().await.unwrap();
    assert!(db.idea(f.account, keep).await.is_ok());
    assert!(matches!(
        db.idea(f.account, drop_me).await,
        Err(StoreError::NotFound { .. })
    ));
});

engine_test!(
    ideas_from_before_the_rule_get_their_terms_on_migrate,
    |db: Db| async move {
        let f = fixture(&db, "a").await;
        let mut tx = db.begin().await.unwrap();
        for title in ["Trail shoes", "Trail shoe", "Cold brew"] {
            tx.insert_idea(f.account, f.site, f.shoes, &idea(title), title)
                .await
                .unwrap()
                .expect("a new key");
        }
        tx.commit().await.unwrap();
        // As planned before migration 0004: no terms, and two ideas on one search.
        let clear = "UPDATE ideas SET primary_terms = NULL";
        match &db {
            Db::Sqlite(p) => sqlx::query(clear).execute(p).await.map(|_| ()).unwrap(),
            Db::Postgres(p) => sqlx::query(clear).execute(p).await.map(|_| ()).unwrap(),
        }
        db.migrate().await.unwrap();
        let taken = db
            .taken_primary_terms(
                f.account,
                f.site,
                &["shoe trail".to_string(), "brew cold".to_string()],
            )
            .await
            .unwrap();
        assert_eq!(taken.len(), 2, "both searches are covered again: {taken:?}");
        // The older duplicate keeps its terms; the later one stays NULL rather than failing.
        let mut tx = db.begin().await.unwrap();
        let again = tx
            .insert_idea(
                f.account,
                f.site,
                f.shoes,
                &idea("Trail shoes"),
                "shoe trail",
            )
            .await
            .unwrap();
        assert_eq!(again, None, "no second idea on a backfilled search");
        tx.commit().await.unwrap();
    }
);
