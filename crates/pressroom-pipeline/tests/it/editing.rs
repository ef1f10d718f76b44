//! A person's edits of clusters, keywords and ideas (`pressroom_pipeline::planning`) on both
//! engines: each operation, and bad input that changes nothing (merging into itself, foreign
//! ids, empty and taken names, keywords of another site).

use pressroom_domain::ai::{ClusterItem, IdeaItem};
use pressroom_domain::text::ClusterName;
use pressroom_domain::*;
use pressroom_pipeline::planning::{self, ClusterEdit};
use pressroom_pipeline::{Pipeline, PipelineError};
use pressroom_providers::{DownloadConfig, Limits, ModelRegistry, ProviderEnv, Providers};
use pressroom_store::{Db, StoreError, engine_test};

struct Fixture {
    p: Pipeline,
    account: AccountId,
    site: SiteId,
    /// Clusters of `site`: shoes (trail shoes 900, trail shoes women 100), coffee (cold brew
    /// 800, cold brew ratio 50); "green tea" (10) is new, in no cluster.
    shoes: ClusterId,
    coffee: ClusterId,
    kw: std::collections::HashMap<&'static str, KeywordId>,
    /// A cluster of another site of the same account, with keyword "yoga mat".
    elsewhere: ClusterId,
    /// A cluster and keyword of another account.
    foreign_cluster: ClusterId,
    foreign_keyword: KeywordId,
    _dir: tempfile::TempDir,
}

async fn site_with(
    db: &Db,
    account: AccountId,
    name: &str,
    keywords: &[(&str, i64)],
    clusters: &[(&str, &[&str])],
) -> (SiteId, Vec<ClusterId>) {
    let site = db
        .create_site(account, name, None, "en", &SiteSettings::default())
        .await
        .unwrap()
        .id;
    let drafts: Vec<KeywordDraft> = keywords
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
    for (name, members) in clusters {
        let item = ClusterItem {
            name: name.to_string(),
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
    (site, ids)
}

async fn fixture(db: Db) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let env = ProviderEnv::from_lookup(|_| None);
    let providers = Providers::new(env, ModelRegistry::seeded().shared(), Limits::new());
    let p = Pipeline::new(db.clone(), providers, dir.path(), DownloadConfig::default());
    let account = db.create_account("a", Credits(0)).await.unwrap().id;
    let (site, ids) = site_with(
        &db,
        account,
        "blog",
        &[
            ("trail shoes", 900),
            ("trail shoes women", 100),
            ("cold brew", 800),
            ("cold brew ratio", 50),
            ("green tea", 10),
        ],
        &[
            ("shoes", &["trail shoes", "trail shoes women"]),
            ("coffee", &["cold brew", "cold brew ratio"]),
        ],
    )
    .await;
    let (other_site, elsewhere) = site_with(
        &db,
        account,
        "yoga",
        &[("yoga mat", 500)],
        &[("mats", &["yoga mat"])],
    )
    .await;
    let other = db.create_account("b", Credits(0)).await.unwrap().id;
    let (foreign_site, foreign) = site_with(
        &db,
        other,
        "blog",
        &[("trail shoes", 900)],
        &[("shoes", &["trail shoes"])],
    )
    .await;
    let mut kw = std::collections::HashMap::new();
    for k in db
        .keywords(account, site, &Default::default(), page())
        .await
        .unwrap()
        .into_iter()
        .chain(
            db.keywords(account, other_site, &Default::default(), page())
                .await
                .unwrap(),
        )
    {
        let phrase: &'static str = Box::leak(k.phrase.into_boxed_str());
        kw.insert(phrase, k.id);
    }
    let foreign_keyword = db
        .keywords(other, foreign_site, &Default::default(), page())
        .await
        .unwrap()[0]
        .id;
    Fixture {
        p,
        account,
        site,
        shoes: ids[0],
        coffee: ids[1],
        kw,
        elsewhere: elsewhere[0],
        foreign_cluster: foreign[0],
        foreign_keyword,
        _dir: dir,
    }
}

fn page() -> pressroom_store::Page {
    pressroom_store::Page {
        limit: 100,
        offset: 0,
    }
}

/// Every cluster and keyword of the account's sites as comparable text: "nothing changed"
/// means this is the same before and after.
async fn snapshot(f: &Fixture) -> Vec<String> {
    let db = f.p.db();
    let mut out = Vec::new();
    for site in db.sites(f.account).await.unwrap() {
        for c in db.clusters(f.account, site.id, None, 100).await.unwrap() {
            out.push(format!(
                "cluster {} {:?} {:?} {} {} {}",
                c.id, c.name, c.description, c.keyword_count, c.total_volume, c.status
            ));
        }
        for k in db
            .keywords(f.account, site.id, &Default::default(), page())
            .await
            .unwrap()
        {
            out.push(format!("keyword {} {:?} {}", k.id, k.cluster_id, k.status));
        }
        for i in db.ideas(f.account, site.id, None, 100).await.unwrap() {
            out.push(format!("idea {} {} {}", i.id, i.cluster_id, i.status));
        }
    }
    out
}

async fn cluster(f: &Fixture, id: ClusterId) -> Cluster {
    f.p.db().cluster(f.account, id).await.unwrap()
}

async fn keyword(f: &Fixture, phrase: &str) -> Keyword {
    f.p.db()
        .keywords_by_ids(f.account, &[f.kw[phrase]])
        .await
        .unwrap()[0]
        .clone()
}

async fn add_idea(f: &Fixture, cluster: ClusterId, title: &str) -> IdeaId {
    let item = IdeaItem {
        title: title.into(),
        description: String::new(),
        content_structure: ContentStructure::Article,
        outline: vec!["One".into()],
        primary_keyword: title.to_lowercase(),
        secondary_keywords: Vec::new(),
        target_words: 800,
    };
    let mut tx = f.p.db().begin().await.unwrap();
    let id = tx
        .insert_idea(
            f.account,
            f.site,
            cluster,
            &item,
            &pressroom_domain::clustering::terms_key(&item.primary_keyword),
        )
        .await
        .unwrap()
        .expect("a new search");
    tx.commit().await.unwrap();
    id
}

fn message(e: &PipelineError) -> String {
    e.to_string()
}

engine_test!(rename_describe_archive_and_restore, |db: Db| async move {
    let f = fixture(db).await;
    let edit = ClusterEdit::parse(
        Some("  Trail\trunning shoes\u{0} "),
        Some("For the hills"),
        None,
    )
    .unwrap();
    let c = planning::edit_cluster(&f.p, f.account, f.shoes, edit)
        .await
        .unwrap();
    assert_eq!(c.name, "Trail running shoes", "cleaned");
    assert_eq!(c.description, "For the hills");
    assert_eq!((c.keyword_count, c.total_volume), (2, 1000));

    let before = snapshot(&f).await;
    // A name the site's other cluster has: a conflict naming it, nothing changed.
    let e = planning::edit_cluster(
        &f.p,
        f.account,
        f.shoes,
        ClusterEdit::parse(Some("coffee"), Some("changed too"), None).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, PipelineError::Conflict(_)), "{e:?}");
    assert!(
        message(&e).contains(&format!("cluster {}", f.coffee)),
        "{e}"
    );
    // Empty names, unknown statuses and empty edits are refused before anything is read.
    let e = ClusterEdit::parse(Some(" \n "), None, None).unwrap_err();
    assert_eq!(message(&e), "name: must not be empty");
    let e = ClusterEdit::parse(None, None, Some("mapped")).unwrap_err();
    assert!(matches!(e, PipelineError::Invalid(_)) && message(&e).starts_with("status:"));
    assert!(matches!(
        planning::edit_cluster(&f.p, f.account, f.shoes, ClusterEdit::default()).await,
        Err(PipelineError::Invalid(_))
    ));
    // Another account's cluster is not found; another site's may share a name.
    let rename = || ClusterEdit::parse(Some("x"), None, None).unwrap();
    assert!(matches!(
        planning::edit_cluster(&f.p, f.account, f.foreign_cluster, rename()).await,
        Err(PipelineError::Store(StoreError::NotFound { .. }))
    ));
    assert_eq!(snapshot(&f).await, before);
    let mats = planning::edit_cluster(
        &f.p,
        f.account,
        f.elsewhere,
        ClusterEdit::parse(Some("coffee"), None, None).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(mats.name, "coffee");

    // Archive, then restore to new; archiving twice changes nothing; restoring a mapped
    // cluster is an illegal move.
    let archive = || ClusterEdit::parse(None, None, Some("archived")).unwrap();
    let restore = || ClusterEdit::parse(None, None, Some("new")).unwrap();
    let c = planning::edit_cluster(&f.p, f.account, f.coffee, archive())
        .await
        .unwrap();
    assert_eq!(c.status, ClusterStatus::Archived);
    assert_eq!(c.keyword_count, 2, "archiving keeps the counts");
    let c = planning::edit_cluster(&f.p, f.account, f.coffee, archive())
        .await
        .unwrap();
    assert_eq!(c.status, ClusterStatus::Archived);
    let c = planning::edit_cluster(&f.p, f.account, f.coffee, restore())
        .await
        .unwrap();
    assert_eq!(c.status, ClusterStatus::New);
    let mut tx = f.p.db().begin().await.unwrap();
    tx.move_status(f.account, f.coffee, ClusterStatus::Mapped)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A planned cluster set back to new is reopened: stage 2 looks again for search intents it
    // has no article for (and plans none for those it has).
    let c = planning::edit_cluster(&f.p, f.account, f.coffee, restore())
        .await
        .unwrap();
    assert_eq!(c.status, ClusterStatus::New);
});

engine_test!(
    merge_moves_everything_and_refuses_bad_pairs,
    |db: Db| async move {
        let f = fixture(db).await;
        let idea = add_idea(&f, f.shoes, "Best trail shoes").await;
        let queued = add_idea(&f, f.shoes, "Trail shoes for women").await;
        let queued = f.p.db().idea(f.account, queued).await.unwrap();
        let mut tx = f.p.db().begin().await.unwrap();
        let task = tx.create_task_for_idea(&queued).await.unwrap();
        tx.commit().await.unwrap();

        let before = snapshot(&f).await;
        let e = planning::merge_clusters(&f.p, f.account, f.shoes, f.shoes)
            .await
            .unwrap_err();
        assert!(matches!(e, PipelineError::Invalid(_)), "{e:?}");
        assert!(
            message(&e).starts_with("into:") && message(&e).contains("itself"),
            "{e}"
        );
        for (from, into) in [(f.shoes, f.foreign_cluster), (f.foreign_cluster, f.shoes)] {
            assert!(matches!(
                planning::merge_clusters(&f.p, f.account, from, into).await,
                Err(PipelineError::Store(StoreError::NotFound { .. }))
            ));
        }
        let e = planning::merge_clusters(&f.p, f.account, f.shoes, f.elsewhere)
            .await
            .unwrap_err();
        assert!(
            matches!(e, PipelineError::Invalid(_)) && message(&e).contains("another site"),
            "{e:?}"
        );
        assert_eq!(snapshot(&f).await, before, "refusals change nothing");

        let merged = planning::merge_clusters(&f.p, f.account, f.shoes, f.coffee)
            .await
            .unwrap();
        assert_eq!(
            (
                merged.moved.keywords,
                merged.moved.ideas,
                merged.moved.tasks
            ),
            (2, 2, 1)
        );
        assert_eq!(merged.into.id, f.coffee);
        assert_eq!(
            (merged.into.keyword_count, merged.into.total_volume),
            (4, 1850)
        );
        assert_eq!(
            merged.into.status,
            ClusterStatus::Mapped,
            "a new cluster that took over ideas is mapped"
        );
        let gone = cluster(&f, f.shoes).await;
        assert_eq!(
            (gone.status, gone.keyword_count, gone.total_volume),
            (ClusterStatus::Archived, 0, 0)
        );
        assert_eq!(keyword(&f, "trail shoes").await.cluster_id, Some(f.coffee));
        assert_eq!(
            keyword(&f, "trail shoes").await.status,
            KeywordStatus::Mapped
        );
        let db = f.p.db();
        assert_eq!(db.idea(f.account, idea).await.unwrap().cluster_id, f.coffee);
        assert_eq!(db.task(f.account, task).await.unwrap().cluster_id, f.coffee);
        // The archived cluster cannot take part in another merge.
        let e = planning::merge_clusters(&f.p, f.account, f.coffee, f.shoes)
            .await
            .unwrap_err();
        assert!(matches!(e, PipelineError::Refused(_)), "{e:?}");
    }
);

engine_test!(
    split_makes_a_manual_cluster_from_chosen_keywords,
    |db: Db| async move {
        let f = fixture(db).await;
        let name = |s: &str| ClusterName::parse(s).unwrap();
        let before = snapshot(&f).await;
        let women = f.kw["trail shoes women"];
        // A taken name, a keyword of another cluster, none at all, another account's keyword.
        let e = planning::split_cluster(&f.p, f.account, f.shoes, &[women], name("coffee"))
            .await
            .unwrap_err();
        assert!(matches!(e, PipelineError::Conflict(_)), "{e:?}");
        let e = planning::split_cluster(
            &f.p,
            f.account,
            f.shoes,
            &[women, f.kw["cold brew"]],
            name("x"),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(e, PipelineError::Invalid(_)) && message(&e).starts_with("keywords:"),
            "{e:?}"
        );
        let e = planning::split_cluster(&f.p, f.account, f.shoes, &[], name("x"))
            .await
            .unwrap_err();
        assert_eq!(message(&e), "keywords: choose at least one keyword");
        assert!(matches!(
            planning::split_cluster(&f.p, f.account, f.shoes, &[f.foreign_keyword], name("x"))
                .await,
            Err(PipelineError::Store(StoreError::NotFound { .. }))
        ));
        assert_eq!(snapshot(&f).await, before);

        let made = planning::split_cluster(
            &f.p,
            f.account,
            f.shoes,
            &[women],
            name("Women's trail shoes"),
        )
        .await
        .unwrap();
        assert_eq!(
            (made.name.as_str(), made.method, made.status, made.site_id),
            (
                "Women's trail shoes",
                ClusterMethod::Manual,
                ClusterStatus::New,
                f.site
            )
        );
        assert_eq!((made.keyword_count, made.total_volume), (1, 100));
        let shoes = cluster(&f, f.shoes).await;
        assert_eq!((shoes.keyword_count, shoes.total_volume), (1, 900));
        assert_eq!(
            keyword(&f, "trail shoes women").await.cluster_id,
            Some(made.id)
        );
    }
);

engine_test!(move_keywords_within_a_site_only, |db: Db| async move {
    let f = fixture(db).await;
    let before = snapshot(&f).await;
    let e = planning::move_keywords(
        &f.p,
        f.account,
        &[f.kw["trail shoes"], f.kw["yoga mat"]],
        f.coffee,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, PipelineError::Invalid(_)) && message(&e).contains("another site"),
        "{e:?}"
    );
    assert!(matches!(
        planning::move_keywords(
            &f.p,
            f.account,
            &[f.kw["trail shoes"], f.foreign_keyword],
            f.coffee
        )
        .await,
        Err(PipelineError::Store(StoreError::NotFound { .. }))
    ));
    assert!(matches!(
        planning::move_keywords(&f.p, f.account, &[f.kw["trail shoes"]], f.foreign_cluster).await,
        Err(PipelineError::Store(StoreError::NotFound { .. }))
    ));
    let too_many: Vec<KeywordId> = (1..=1001).map(KeywordId::new).collect();
    assert!(matches!(
        planning::move_keywords(&f.p, f.account, &too_many, f.coffee).await,
        Err(PipelineError::Invalid(_))
    ));
    assert_eq!(snapshot(&f).await, before);

    let moved = planning::move_keywords(
        &f.p,
        f.account,
        &[f.kw["trail shoes"], f.kw["green tea"], f.kw["cold brew"]],
        f.coffee,
    )
    .await
    .unwrap();
    assert_eq!(moved.moved, 2, "cold brew was there already");
    assert_eq!(
        (moved.cluster.keyword_count, moved.cluster.total_volume),
        (4, 1760)
    );
    let shoes = cluster(&f, f.shoes).await;
    assert_eq!((shoes.keyword_count, shoes.total_volume), (1, 100));
    assert_eq!(
        keyword(&f, "green tea").await.status,
        KeywordStatus::Mapped,
        "new -> mapped"
    );

    // An archived cluster takes no keywords.
    planning::edit_cluster(
        &f.p,
        f.account,
        f.shoes,
        ClusterEdit::parse(None, None, Some("archived")).unwrap(),
    )
    .await
    .unwrap();
    assert!(matches!(
        planning::move_keywords(&f.p, f.account, &[f.kw["cold brew"]], f.shoes).await,
        Err(PipelineError::Refused(_))
    ));
});

engine_test!(archive_restore_and_delete_keywords, |db: Db| async move {
    let f = fixture(db).await;
    let idea = add_idea(&f, f.shoes, "Best trail shoes").await;
    let trail = f.kw["trail shoes"];
    let tea = f.kw["green tea"];
    let edited = planning::archive_keywords(&f.p, f.account, &[trail, tea])
        .await
        .unwrap();
    assert_eq!((edited.changed, edited.unchanged), (2, 0));
    assert!(
        edited
            .keywords
            .iter()
            .all(|k| k.status == KeywordStatus::Archived)
    );
    let shoes = cluster(&f, f.shoes).await;
    assert_eq!((shoes.keyword_count, shoes.total_volume), (1, 100));
    // Again: nothing to do. With a foreign id: not found, nothing changed.
    let again = planning::archive_keywords(&f.p, f.account, &[trail])
        .await
        .unwrap();
    assert_eq!((again.changed, again.unchanged), (0, 1));
    let before = snapshot(&f).await;
    assert!(matches!(
        planning::restore_keywords(&f.p, f.account, &[trail, f.foreign_keyword]).await,
        Err(PipelineError::Store(StoreError::NotFound { .. }))
    ));
    assert_eq!(snapshot(&f).await, before);

    // Restored: back to its cluster (mapped), or to new when it had none.
    let restored = planning::restore_keywords(&f.p, f.account, &[trail, tea, f.kw["cold brew"]])
        .await
        .unwrap();
    assert_eq!((restored.changed, restored.unchanged), (2, 1));
    assert_eq!(
        keyword(&f, "trail shoes").await.status,
        KeywordStatus::Mapped
    );
    assert_eq!(keyword(&f, "trail shoes").await.cluster_id, Some(f.shoes));
    assert_eq!(keyword(&f, "green tea").await.status, KeywordStatus::New);
    assert_eq!(cluster(&f, f.shoes).await.keyword_count, 2);

    let deleted = planning::delete_keywords(&f.p, f.account, &[trail])
        .await
        .unwrap();
    assert_eq!(deleted.changed, 1);
    assert_eq!(deleted.keywords[0].phrase, "trail shoes", "as it was");
    let shoes = cluster(&f, f.shoes).await;
    assert_eq!((shoes.keyword_count, shoes.total_volume), (1, 100));
    assert!(
        f.p.db()
            .keywords_by_ids(f.account, &[trail])
            .await
            .unwrap()
            .is_empty()
    );
    // The idea written from it is untouched.
    let idea = f.p.db().idea(f.account, idea).await.unwrap();
    assert_eq!(
        (idea.status, idea.primary_keyword.as_str()),
        (IdeaStatus::New, "best trail shoes")
    );
    assert!(matches!(
        planning::delete_keywords(&f.p, f.account, &[f.foreign_keyword]).await,
        Err(PipelineError::Store(StoreError::NotFound { .. }))
    ));
});

engine_test!(only_new_ideas_are_deleted, |db: Db| async move {
    let f = fixture(db).await;
    let fresh = add_idea(&f, f.shoes, "Fresh").await;
    let queued = add_idea(&f, f.shoes, "Queued").await;
    let idea = f.p.db().idea(f.account, queued).await.unwrap();
    let mut tx = f.p.db().begin().await.unwrap();
    tx.create_task_for_idea(&idea).await.unwrap();
    tx.commit().await.unwrap();
    let e = planning::delete_idea(&f.p, f.account, queued)
        .await
        .unwrap_err();
    assert!(matches!(e, PipelineError::Refused(_)), "{e:?}");
    assert!(message(&e).contains("queued"), "{e}");
    let gone = planning::delete_idea(&f.p, f.account, fresh).await.unwrap();
    assert_eq!((gone.id, gone.title.as_str()), (fresh, "Fresh"));
    assert!(matches!(
        planning::delete_idea(&f.p, f.account, fresh).await,
        Err(PipelineError::Store(StoreError::NotFound { .. }))
    ));
    assert!(f.p.db().idea(f.account, queued).await.is_ok());
});
