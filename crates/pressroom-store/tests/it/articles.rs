//! Articles an editor would publish (migration 0006) on both engines: the new content and image
//! fields, versions and revisions, a cluster's articles and the passing-articles filter
//! (links and image edits are in `article_edits`). Everything is scoped by account.

use pressroom_domain::article::{Check, CheckName, OnPageReport};
use pressroom_domain::*;
use pressroom_store::testing::{article_site, new_cluster, plan_idea, seed_article, write_article};
use pressroom_store::{ContentText, Db, NewImage, StoreError, engine_test};

fn report(score: u8) -> OnPageReport {
    OnPageReport {
        score,
        checks: vec![Check {
            name: CheckName::MetaTitle,
            pass: score == 100,
            reason: "58 characters".into(),
        }],
    }
}

fn text(title: &str, offline: bool) -> ContentText {
    ContentText {
        title: title.into(),
        slug: "new-slug".into(),
        meta_title: format!("{title} | Blog"),
        meta_description: "A new description.".into(),
        excerpt: "New excerpt.".into(),
        body_markdown: "New body.".into(),
        body_html: "<p>New body.</p>".into(),
        word_count: 2,
        primary_keyword: "new keyword".into(),
        offline,
    }
}

/// A transaction for reads that run inside one (dropped, so rolled back, after the read).
pub(crate) async fn in_tx(db: &Db) -> pressroom_store::Tx {
    db.begin().await.unwrap()
}

async fn move_content(db: &Db, account: AccountId, id: ContentId, path: &[ContentStatus]) {
    let mut tx = db.begin().await.unwrap();
    for to in path {
        tx.move_status(account, id, *to).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// A featured and an in-article image for `content`, pending.
pub(crate) async fn images_for(db: &Db, content: &Content) -> Vec<ImageId> {
    let new = |image_type, position, alt: &str, section: Option<&str>| NewImage {
        image_type,
        position,
        prompt: format!("prompt {position}"),
        negative_prompt: None,
        alt_text: alt.into(),
        section: section.map(Into::into),
        size: "1024x1024".into(),
    };
    let mut tx = db.begin().await.unwrap();
    let ids = tx
        .insert_images(
            content,
            &[
                new(ImageType::Featured, 0, "A trail at dawn", None),
                new(ImageType::InArticle, 1, "Laces tied", Some("How to lace")),
            ],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ids
}

pub(crate) fn not_found(r: Result<impl std::fmt::Debug, StoreError>, what: &str) {
    match r {
        Err(StoreError::NotFound { entity, .. }) => assert_eq!(entity, what),
        other => panic!("expected {what} not found, got {other:?}"),
    }
}

engine_test!(new_fields_round_trip, |db: Db| async move {
    let (account, site, cluster) = article_site(&db, "a").await;
    let idea = plan_idea(&db, account, site, cluster, "trail shoes").await;
    let sample = write_article(&db, &idea, true).await;
    assert!(sample.offline);
    assert_eq!((sample.version, sample.checks.clone()), (1, None));
    let real = seed_article(&db, account, site, cluster, "cold brew").await;
    assert!(!real.offline);

    db.set_content_checks(account, sample.id, &report(90))
        .await
        .unwrap();
    assert_eq!(
        db.content(account, sample.id).await.unwrap().checks,
        Some(report(90))
    );
    let mut tx = db.begin().await.unwrap();
    tx.set_content_checks(account, sample.id, &report(100))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        db.content(account, sample.id).await.unwrap().checks,
        Some(report(100))
    );
    let (other, _, _) = article_site(&db, "b").await;
    not_found(
        db.set_content_checks(other, sample.id, &report(100)).await,
        "content",
    );

    let ids = images_for(&db, &sample).await;
    let images = db.images_by_ids(account, &ids).await.unwrap();
    assert_eq!(
        images
            .iter()
            .map(|i| (i.alt_text.as_str(), i.section.as_deref(), i.generation))
            .collect::<Vec<_>>(),
        vec![
            ("A trail at dawn", None, 1),
            ("Laces tied", Some("How to lace"), 1)
        ]
    );
});

engine_test!(
    update_content_with_and_without_a_new_version,
    |db: Db| async move {
        let (account, site, cluster) = article_site(&db, "a").await;
        let before = seed_article(&db, account, site, cluster, "trail shoes").await;
        db.set_content_checks(account, before.id, &report(100))
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let locked = tx.content_for_update(account, before.id).await.unwrap();
        assert_eq!(locked.checks, Some(report(100)));
        let edited = tx
            .update_content(account, before.id, &text("Edited", true), false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(edited.version, 1);
        // The check was for the old text: it goes with it until the new text is checked.
        assert_eq!(edited.checks, None);
        let (other, _, _) = article_site(&db, "other").await;
        let mut tx = db.begin().await.unwrap();
        not_found(tx.content_for_update(other, before.id).await, "content");
        drop(tx);
        assert_eq!(
            (
                edited.title.as_str(),
                edited.slug.as_str(),
                edited.meta_title.as_str(),
                edited.body_html.as_str(),
                edited.primary_keyword.as_str(),
                edited.word_count,
                edited.offline
            ),
            (
                "Edited",
                "new-slug",
                "Edited | Blog",
                "<p>New body.</p>",
                "new keyword",
                2,
                true
            )
        );
        assert!(edited.updated_at >= before.updated_at);
        // Untouched by a text edit.
        assert_eq!(edited.secondary_keywords, before.secondary_keywords);
        assert_eq!(db.content(account, before.id).await.unwrap(), edited);

        let mut tx = db.begin().await.unwrap();
        let regenerated = tx
            .update_content(account, before.id, &text("Regenerated", false), true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((regenerated.version, regenerated.offline), (2, false));

        let (other, _, _) = article_site(&db, "b").await;
        let mut tx = db.begin().await.unwrap();
        not_found(
            tx.update_content(other, before.id, &text("Theirs", false), true)
                .await,
            "content",
        );
        drop(tx);

        use ContentStatus::*;
        move_content(&db, account, before.id, &[Review, Approved, Published]).await;
        let mut tx = db.begin().await.unwrap();
        match tx
            .update_content(account, before.id, &text("Late", false), true)
            .await
        {
            Err(StoreError::Domain(DomainError::InvalidValue { value, .. })) => {
                assert_eq!(value, "published")
            }
            other => panic!("published content was edited: {other:?}"),
        }
        drop(tx);
        assert_eq!(db.content(account, before.id).await.unwrap().version, 2);
        // A person's edit of a live article is kept (and published again by them): same
        // version, still published.
        let mut tx = db.begin().await.unwrap();
        let edited = tx
            .update_content(account, before.id, &text("Live edit", false), false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((edited.status, edited.version), (Published, 2));
    }
);

engine_test!(revisions_newest_first_and_scoped, |db: Db| async move {
    let (account, site, cluster) = article_site(&db, "a").await;
    let v1 = seed_article(&db, account, site, cluster, "trail shoes").await;
    let mut tx = db.begin().await.unwrap();
    let r1 = tx.insert_revision(account, &v1).await.unwrap();
    let v2 = tx
        .update_content(account, v1.id, &text("Second", false), true)
        .await
        .unwrap();
    let r2 = tx.insert_revision(account, &v2).await.unwrap();
    tx.commit().await.unwrap();

    let revisions = db.revisions(account, v1.id).await.unwrap();
    assert_eq!(
        revisions
            .iter()
            .map(|r| (r.id, r.version, r.title.as_str()))
            .collect::<Vec<_>>(),
        vec![(r2, 2, "Second"), (r1, 1, v1.title.as_str())]
    );
    let kept = db.revision(account, r1).await.unwrap();
    assert_eq!(
        (
            kept.content_id,
            kept.slug.as_str(),
            kept.meta_title.as_str(),
            kept.meta_description.as_str(),
            kept.excerpt.as_str(),
            kept.body_markdown.as_str(),
            kept.primary_keyword.as_str(),
            kept.offline
        ),
        (
            v1.id,
            v1.slug.as_str(),
            v1.meta_title.as_str(),
            v1.meta_description.as_str(),
            v1.excerpt.as_str(),
            v1.body_markdown.as_str(),
            v1.primary_keyword.as_str(),
            false
        )
    );

    let (other, _, _) = article_site(&db, "b").await;
    assert!(db.revisions(other, v1.id).await.unwrap().is_empty());
    not_found(db.revision(other, r1).await, "revision");
    not_found(
        db.revision(account, RevisionId::new(9999)).await,
        "revision",
    );
    let mut tx = db.begin().await.unwrap();
    not_found(tx.insert_revision(other, &v1).await, "content");
    drop(tx);
    assert_eq!(db.revisions(account, v1.id).await.unwrap().len(), 2);
});

engine_test!(cluster_articles_in_plan_order, |db: Db| async move {
    let (account, site, shoes) = article_site(&db, "a").await;
    let coffee = new_cluster(&db, account, site, "coffee").await;
    let first = plan_idea(&db, account, site, shoes, "trail shoes").await;
    let second = plan_idea(&db, account, site, shoes, "running shoes").await;
    let third = plan_idea(&db, account, site, shoes, "hiking shoes").await;
    // Written out of plan order, so content ids do not follow idea ids.
    let c3 = write_article(&db, &third, false).await;
    let c1 = write_article(&db, &first, false).await;
    let c2 = write_article(&db, &second, false).await;
    let brew = seed_article(&db, account, site, coffee, "cold brew").await;
    let ids = |v: Vec<Content>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(in_tx(&db)
            .await
            .cluster_articles(account, shoes)
            .await
            .unwrap()),
        vec![c1.id, c2.id, c3.id]
    );
    use ContentStatus::*;
    move_content(&db, account, c2.id, &[Review, Rejected]).await;
    assert_eq!(
        ids(in_tx(&db)
            .await
            .cluster_articles(account, shoes)
            .await
            .unwrap()),
        vec![c1.id, c3.id]
    );
    assert_eq!(
        ids(in_tx(&db)
            .await
            .cluster_articles(account, coffee)
            .await
            .unwrap()),
        vec![brew.id]
    );
    assert_eq!(db.cluster_of_content(account, c3.id).await.unwrap(), shoes);
    assert_eq!(
        db.cluster_of_content(account, brew.id).await.unwrap(),
        coffee
    );

    let (other, _, _) = article_site(&db, "b").await;
    assert!(
        in_tx(&db)
            .await
            .cluster_articles(other, shoes)
            .await
            .unwrap()
            .is_empty()
    );
    not_found(db.cluster_of_content(other, c1.id).await, "content");
});

engine_test!(review_content_passing_filters, |db: Db| async move {
    let (account, site, cluster) = article_site(&db, "a").await;
    let mut made = Vec::new();
    for (keyword, offline) in [
        ("passing one", false),
        ("offline sample", true),
        ("low score", false),
        ("still a draft", false),
        ("not checked", false),
        ("passing two", false),
    ] {
        let idea = plan_idea(&db, account, site, cluster, keyword).await;
        made.push(write_article(&db, &idea, offline).await.id);
    }
    let scores = [Some(100), Some(100), Some(90), Some(100), None, Some(100)];
    for (id, score) in made.iter().zip(scores) {
        if let Some(score) = score {
            db.set_content_checks(account, *id, &report(score))
                .await
                .unwrap();
        }
    }
    for (n, id) in made.iter().enumerate() {
        if n != 3 {
            move_content(&db, account, *id, &[ContentStatus::Review]).await;
        }
    }
    assert_eq!(
        db.review_content_passing(account, site, 0, 10)
            .await
            .unwrap(),
        vec![made[0], made[5]]
    );
    assert_eq!(
        db.review_content_passing(account, site, made[0].get(), 10)
            .await
            .unwrap(),
        vec![made[5]]
    );
    assert_eq!(
        db.review_content_passing(account, site, 0, 1)
            .await
            .unwrap(),
        vec![made[0]]
    );
    let (other, other_site, _) = article_site(&db, "b").await;
    assert!(
        db.review_content_passing(other, site, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        db.review_content_passing(other, other_site, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
});

engine_test!(
    content_by_ids_skips_foreign_and_unknown,
    |db: Db| async move {
        let (account, site, cluster) = article_site(&db, "a").await;
        let one = seed_article(&db, account, site, cluster, "trail shoes").await;
        let two = seed_article(&db, account, site, cluster, "cold brew").await;
        let (other, other_site, other_cluster) = article_site(&db, "b").await;
        let foreign = seed_article(&db, other, other_site, other_cluster, "yoga mat").await;
        let got: Vec<ContentId> = db
            .content_by_ids(
                account,
                &[two.id, foreign.id, ContentId::new(999_999), one.id],
            )
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(got, vec![one.id, two.id]);
        assert!(db.content_by_ids(account, &[]).await.unwrap().is_empty());
    }
);
