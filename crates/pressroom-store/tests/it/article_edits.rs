//! A cluster's internal links (tombstones kept, scoped by account and site) and a person's
//! image edits (alt text, restart, upload winning over a call in flight), on both engines.

use super::articles::{images_for, not_found};
use crate::articles::in_tx;
use pressroom_domain::*;
use pressroom_store::testing::{article_site, new_cluster, seed_article};
use pressroom_store::{Db, GeneratedImage, NewLink, StoreError, engine_test};

fn file(name: &str) -> GeneratedImage {
    GeneratedImage {
        provider: "upload".into(),
        model: name.into(),
        file_path: format!("images/{name}.png"),
        public_url: None,
        bytes: 1234,
        sha256: format!("sha-{name}"),
    }
}

fn illegal<T: std::fmt::Debug>(r: Result<T, StoreError>, from: &str, to: &str) {
    match r {
        Err(StoreError::Domain(DomainError::IllegalTransition { from: f, to: t, .. })) => {
            assert_eq!((f, t), (from, to))
        }
        other => panic!("expected {from} -> {to} refused, got {other:?}"),
    }
}

/// The (source, target) pairs removed among links from `sources`.
async fn removed_pairs(
    db: &Db,
    account: AccountId,
    sources: &[ContentId],
) -> Vec<(ContentId, ContentId)> {
    in_tx(db)
        .await
        .links_from(account, sources, LinkStatus::Removed)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.source, l.target))
        .collect()
}

engine_test!(links_keep_tombstones, |db: Db| async move {
    let (account, site, cluster) = article_site(&db, "a").await;
    let a = seed_article(&db, account, site, cluster, "trail shoes").await;
    let b = seed_article(&db, account, site, cluster, "running shoes").await;
    let c = seed_article(&db, account, site, cluster, "hiking shoes").await;
    let link = |s: &Content, t: &Content, anchor: &str| NewLink {
        source: s.id,
        target: t.id,
        anchor: anchor.into(),
    };
    let all = [a.id, b.id, c.id];
    let mut tx = db.begin().await.unwrap();
    tx.replace_links(
        account,
        site,
        &all,
        &[
            link(&a, &b, "running shoes"),
            link(&a, &c, "hiking shoes"),
            link(&b, &a, "trail shoes"),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let out = db.outgoing_links(account, a.id).await.unwrap();
    assert_eq!(
        out.iter()
            .map(|v| (
                v.link.target_id,
                v.link.anchor.as_str(),
                v.target_title.as_str(),
                v.target_slug.as_str(),
                v.source_title.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            (
                b.id,
                "running shoes",
                b.title.as_str(),
                b.slug.as_str(),
                a.title.as_str()
            ),
            (
                c.id,
                "hiking shoes",
                c.title.as_str(),
                c.slug.as_str(),
                a.title.as_str()
            ),
        ]
    );
    assert!(out.iter().all(|v| v.link.status == LinkStatus::Active
        && v.link.site_id == site
        && v.link.account_id == account));

    // A person removes a -> b; another account cannot.
    let (other, other_site, other_cluster) = article_site(&db, "b").await;
    let ab = out[0].link.id;
    let mut tx = db.begin().await.unwrap();
    not_found(tx.remove_link(other, ab).await, "internal link");
    let removed = tx.remove_link(account, ab).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (removed.status, removed.source_id, removed.target_id),
        (LinkStatus::Removed, a.id, b.id)
    );
    assert_eq!(removed_pairs(&db, account, &all).await, vec![(a.id, b.id)]);
    assert!(removed_pairs(&db, other, &all).await.is_empty());
    assert_eq!(
        db.outgoing_links(account, a.id)
            .await
            .unwrap()
            .iter()
            .map(|v| v.link.target_id)
            .collect::<Vec<_>>(),
        vec![c.id]
    );

    // Planning again with the removed pair in it: the tombstone stays, the pair stays out,
    // the other active links are replaced by the new plan.
    let mut tx = db.begin().await.unwrap();
    tx.replace_links(
        account,
        site,
        &all,
        &[link(&a, &b, "running shoes"), link(&c, &a, "trail shoes")],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(db.outgoing_links(account, a.id).await.unwrap().is_empty());
    assert!(db.outgoing_links(account, b.id).await.unwrap().is_empty());
    let ca = db.outgoing_links(account, c.id).await.unwrap();
    assert_eq!(ca.len(), 1);
    // Planned again, a pair keeps its row and id; only its anchor follows the plan.
    let mut tx = db.begin().await.unwrap();
    tx.replace_links(account, site, &all, &[link(&c, &a, "Trail Shoes")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = db.outgoing_links(account, c.id).await.unwrap();
    assert_eq!(
        (again.len(), again[0].link.id, again[0].link.anchor.as_str()),
        (1, ca[0].link.id, "Trail Shoes")
    );
    assert_eq!(
        in_tx(&db)
            .await
            .links_from(account, &all, LinkStatus::Active)
            .await
            .unwrap(),
        vec![link(&c, &a, "Trail Shoes")]
    );
    assert_eq!(removed_pairs(&db, account, &all).await, vec![(a.id, b.id)]);

    // Both directions, every status, in id order.
    let of_a = db.links_of_content(account, a.id).await.unwrap();
    assert_eq!(
        of_a.iter()
            .map(|v| (v.link.source_id, v.link.target_id, v.link.status))
            .collect::<Vec<_>>(),
        vec![
            (a.id, b.id, LinkStatus::Removed),
            (c.id, a.id, LinkStatus::Active)
        ]
    );
    assert!(db.links_of_content(other, a.id).await.unwrap().is_empty());

    // Another account's article, or one of another site, is refused with nothing written.
    let theirs = seed_article(&db, other, other_site, other_cluster, "their shoes").await;
    let elsewhere = {
        let site2 = db
            .create_site(account, "second", None, "en", &SiteSettings::default())
            .await
            .unwrap()
            .id;
        let k = new_cluster(&db, account, site2, "elsewhere").await;
        seed_article(&db, account, site2, k, "other site shoes").await
    };
    let mut tx = db.begin().await.unwrap();
    not_found(
        tx.replace_links(account, site, &all, &[link(&a, &elsewhere, "shoes")])
            .await,
        "content",
    );
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    not_found(
        tx.replace_links(account, site, &all, &[link(&a, &theirs, "their shoes")])
            .await,
        "content",
    );
    drop(tx);
    assert_eq!(db.outgoing_links(account, c.id).await.unwrap().len(), 1);

    // A rejected article loses its active links both ways; the tombstone stays.
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.delete_links_touching(account, a.id).await.unwrap(), 1);
    assert_eq!(tx.delete_links_touching(other, c.id).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(
        db.links_of_content(account, a.id)
            .await
            .unwrap()
            .iter()
            .map(|v| v.link.status)
            .collect::<Vec<_>>(),
        vec![LinkStatus::Removed]
    );
});

engine_test!(image_edits, |db: Db| async move {
    let (account, site, cluster) = article_site(&db, "a").await;
    let content = seed_article(&db, account, site, cluster, "trail shoes").await;
    let ids = images_for(&db, &content).await;
    let (featured, inline) = (ids[0], ids[1]);
    let (other, _, _) = article_site(&db, "b").await;

    let mut tx = db.begin().await.unwrap();
    let alt = tx
        .set_image_alt(account, featured, "Shoes on a rock")
        .await
        .unwrap();
    assert_eq!(alt.alt_text, "Shoes on a rock");
    not_found(tx.set_image_alt(other, featured, "x").await, "image");
    // Pending is waiting already: no restart.
    illegal(
        tx.restart_image(account, featured).await,
        "pending",
        "pending",
    );
    not_found(tx.restart_image(other, featured).await, "image");
    tx.commit().await.unwrap();

    // Generate the featured image, then ask for a new one: the file stays until replaced.
    assert!(db.start_image(account, featured).await.unwrap());
    let mut tx = db.begin().await.unwrap();
    illegal(
        tx.restart_image(account, featured).await,
        "generating",
        "pending",
    );
    assert!(
        tx.finish_image(account, featured, &file("first"))
            .await
            .unwrap()
    );
    let restarted = tx.restart_image(account, featured).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (
            restarted.status,
            restarted.generation,
            restarted.file_path.as_deref(),
            restarted.error.as_deref()
        ),
        (ImageStatus::Pending, 2, Some("images/first.png"), None)
    );

    // A failed image restarts too, its error cleared.
    assert!(db.start_image(account, inline).await.unwrap());
    let mut tx = db.begin().await.unwrap();
    tx.fail_image(account, inline, ImageStatus::Failed, "provider down")
        .await
        .unwrap();
    let again = tx.restart_image(account, inline).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (again.status, again.generation, again.error),
        (ImageStatus::Pending, 2, None)
    );

    // An upload while a call is in flight wins; the late call writes nothing.
    assert!(db.start_image(account, featured).await.unwrap());
    let mut tx = db.begin().await.unwrap();
    not_found(
        tx.upload_image(other, featured, &file("theirs")).await,
        "image",
    );
    let uploaded = tx
        .upload_image(account, featured, &file("mine"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (
            uploaded.status,
            uploaded.generation,
            uploaded.file_path.as_deref(),
            uploaded.provider.as_deref(),
            uploaded.model.as_deref(),
            uploaded.sha256.as_deref(),
            uploaded.bytes
        ),
        (
            ImageStatus::Generated,
            3,
            Some("images/mine.png"),
            Some("upload"),
            Some("mine"),
            Some("sha-mine"),
            Some(1234)
        )
    );
    let mut tx = db.begin().await.unwrap();
    assert!(
        !tx.finish_image(account, featured, &file("late"))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(db.image(account, featured).await.unwrap(), uploaded);

    // Uploading over a generated picture replaces it; over a pending one settles it.
    let mut tx = db.begin().await.unwrap();
    let replaced = tx
        .upload_image(account, featured, &file("better"))
        .await
        .unwrap();
    let settled = tx
        .upload_image(account, inline, &file("inline"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (replaced.generation, replaced.file_path.as_deref()),
        (4, Some("images/better.png"))
    );
    assert_eq!(
        (settled.status, settled.generation),
        (ImageStatus::Generated, 3)
    );
    // Alt text survives all of it.
    assert_eq!(replaced.alt_text, "Shoes on a rock");
});
