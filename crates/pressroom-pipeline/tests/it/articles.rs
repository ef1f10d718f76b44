//! Articles an editor would publish, on both engines: what a run writes (alt text, images in
//! the body, links between a cluster's articles, meta within limits, the on-page check, the
//! offline mark); edits recomputing the check; regenerate and restore; image regenerate and
//! upload; bulk review; the link rules when a target is rejected or a link removed.

use crate::support::*;
use pressroom_domain::article::CheckName;
use pressroom_domain::*;
use pressroom_mock_ai::{ImageMode, MockConfig};
use pressroom_pipeline::PipelineError;
use pressroom_pipeline::article::{Urls, load_article, refresh_links, remove_link};
use pressroom_pipeline::content::{
    self, ContentEdit, ContentEditInput, regenerate_content, restore_revision, review_many,
    review_passing,
};
use pressroom_store::{Db, engine_test};

/// Every article of the harness's site, in id order.
async fn articles(h: &Harness) -> Vec<Content> {
    h.p.db()
        .content_after(h.account, h.site.id, None, 0, 1000)
        .await
        .unwrap()
}

fn check(c: &Content, name: CheckName) -> bool {
    c.checks
        .as_ref()
        .expect("checked")
        .checks
        .iter()
        .find(|k| k.name == name)
        .expect("the check is there")
        .pass
}

engine_test!(
    an_offline_run_writes_articles_an_editor_could_publish,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        import_generated(&h, 120).await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let all = articles(&h).await;
        assert!(all.len() >= 20, "{} articles", all.len());
        let mut by_cluster: std::collections::HashMap<ClusterId, Vec<ContentId>> =
            Default::default();
        let clusters =
            h.p.db()
                .clusters_of_content(h.account, &all.iter().map(|c| c.id).collect::<Vec<_>>())
                .await
                .unwrap();
        for c in &all {
            by_cluster.entry(clusters[&c.id]).or_default().push(c.id);
        }
        for c in &all {
            assert!(c.offline, "content {} is an offline sample", c.id);
            let n = c.meta_title.chars().count();
            assert!(n <= 60, "meta title {n}: {}", c.meta_title);
            let n = c.meta_description.chars().count();
            assert!(
                (120..=160).contains(&n),
                "meta description {n}: {}",
                c.meta_description
            );
            assert!(c.slug.chars().count() <= 75);
            let report = c.checks.as_ref().expect("every article is checked");
            assert!(check(c, CheckName::MetaTitle), "{report:?}");
            assert!(check(c, CheckName::MetaDescription), "{report:?}");
            assert!(check(c, CheckName::SingleH1), "{report:?}");
            assert!(check(c, CheckName::ImageAltText), "{report:?}");
            assert!(check(c, CheckName::NoInventedSources), "{report:?}");
            let view = load_article(&h.p, h.account, c.id, &Urls::site_relative())
                .await
                .unwrap();
            let in_article: Vec<&Image> = view
                .images
                .iter()
                .filter(|i| i.image_type == ImageType::InArticle)
                .collect();
            assert!(!in_article.is_empty());
            for i in &view.images {
                assert!(!i.alt_text.trim().is_empty(), "image {} has no alt", i.id);
                assert!(
                    !i.alt_text.starts_with("Image "),
                    "placeholder alt {}",
                    i.alt_text
                );
                assert_eq!(i.status, ImageStatus::Generated);
            }
            for i in in_article {
                let src = format!("/media/{}", i.file_path.as_deref().unwrap());
                assert!(view.html.contains(&src), "image {} not in the body", i.id);
                assert!(
                    view.html
                        .contains(&format!("alt=\"{}\"", i.alt_text.replace('"', "&quot;")))
                        || view.html.contains("alt=")
                );
                assert!(i.section.is_some());
            }
            let siblings = &by_cluster[&clusters[&c.id]];
            if siblings.len() >= 2 {
                assert!(
                    view.links_placed >= 1,
                    "content {} has {} siblings and no link: {:?}",
                    c.id,
                    siblings.len() - 1,
                    view.links
                );
                assert!(check(c, CheckName::InternalLinks));
                for l in &view.links {
                    assert_ne!(l.link.target_id, c.id);
                    assert!(siblings.contains(&l.link.target_id));
                    assert!(!l.link.anchor.eq_ignore_ascii_case(&c.primary_keyword));
                    assert!(view.html.contains(&format!("href=\"/{}/\"", l.target_slug)));
                }
            }
        }
        // The three offline pictures of an article differ.
        let first = &all[0];
        let shas: std::collections::HashSet<_> =
            h.p.db()
                .images_of_content(h.account, first.id)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.sha256)
                .collect();
        assert_eq!(shas.len(), 3);
    }
);

engine_test!(an_edit_recomputes_the_check, |db: Db| async move {
    let h = harness(db, MockConfig::default(), "offline", "offline").await;
    let (id, _) = content_with_pending_images(&h).await;
    let before = h.p.db().content(h.account, id).await.unwrap();
    assert!(check(&before, CheckName::MetaTitle));
    let long =
        "A meta title that goes on and on well past the sixty characters a search result shows";
    let edit = ContentEdit::parse(ContentEditInput {
        meta_title: Some(long),
        ..Default::default()
    })
    .unwrap();
    let after = content::edit_content(&h.p, h.account, id, edit)
        .await
        .unwrap();
    assert_eq!(after.meta_title, long);
    assert!(!check(&after, CheckName::MetaTitle));
    assert!(after.checks.as_ref().unwrap().score < before.checks.as_ref().unwrap().score);
    // A title edit leaves the slug unless asked; asked, the slug follows.
    let edit = ContentEdit::parse(ContentEditInput {
        title: Some("A Whole New Title"),
        ..Default::default()
    })
    .unwrap();
    let kept = content::edit_content(&h.p, h.account, id, edit)
        .await
        .unwrap();
    assert_eq!(kept.slug, before.slug);
    let edit = ContentEdit::parse(ContentEditInput {
        title: Some("A Whole New Title"),
        slug_from_title: true,
        ..Default::default()
    })
    .unwrap();
    let followed = content::edit_content(&h.p, h.account, id, edit)
        .await
        .unwrap();
    assert_eq!(followed.slug, "a-whole-new-title");
    // Bad input names the field and changes nothing.
    let e = ContentEdit::parse(ContentEditInput {
        slug: Some("Not A Slug"),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("slug"), "{e}");
    // A body with a second H1 and a references list fails those checks.
    let body = format!(
        "# Another heading\n\n{}\n\n## References\n\n[1] The French press. Wikipedia.\n",
        before.body_markdown
    );
    let edit = ContentEdit::parse(ContentEditInput {
        body_markdown: Some(&body),
        ..Default::default()
    })
    .unwrap();
    let bad = content::edit_content(&h.p, h.account, id, edit)
        .await
        .unwrap();
    assert!(!check(&bad, CheckName::SingleH1));
    assert!(!check(&bad, CheckName::NoInventedSources));
});

engine_test!(
    regenerate_keeps_a_revision_charges_and_restores,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "openai", "offline").await;
        let (id, _) = content_with_pending_images(&h).await;
        let first = h.p.db().content(h.account, id).await.unwrap();
        assert!(!first.offline);
        let charges = ledger_charges(h.p.db(), h.account).await.len();
        let second = regenerate_content(&h.p, h.account, id).await.unwrap();
        assert_eq!(second.version, 2);
        assert_eq!(
            ledger_charges(h.p.db(), h.account).await.len(),
            charges + 1,
            "charged like the first time"
        );
        let revisions = h.p.db().revisions(h.account, id).await.unwrap();
        assert_eq!(revisions.len(), 1);
        assert_eq!(revisions[0].version, 1);
        assert_eq!(revisions[0].body_markdown, first.body_markdown);
        let restored = restore_revision(&h.p, h.account, id, revisions[0].id)
            .await
            .unwrap();
        assert_eq!(restored.version, 3);
        assert_eq!(restored.body_markdown, first.body_markdown);
        assert_eq!(restored.title, first.title);
        assert_eq!(h.p.db().revisions(h.account, id).await.unwrap().len(), 2);
        assert!(restored.checks.is_some());
        // Another article's revision is not this one's.
        let other = RevisionId::new(revisions[0].id.get() + 1000);
        assert!(restore_revision(&h.p, h.account, id, other).await.is_err());
    }
);

engine_test!(
    an_image_is_regenerated_for_a_new_charge_or_replaced_by_an_upload,
    |db: Db| async move {
        let h = harness(
            db,
            MockConfig {
                image_mode: ImageMode::B64,
                ..Default::default()
            },
            "offline",
            "openai",
        )
        .await;
        let (_, images) = content_with_pending_images(&h).await;
        let one = images[1];
        pressroom_pipeline::images::generate_images(&h.p, h.account, &[one], None)
            .await
            .unwrap();
        let settled = async || {
            h.p.db()
                .image(h.account, one)
                .await
                .unwrap()
                .status
                .is_settled()
        };
        work_until(&h.p, settled).await;
        let charges = ledger_charges(h.p.db(), h.account).await.len();
        let first = h.p.db().image(h.account, one).await.unwrap();
        assert_eq!(
            (first.status, first.generation),
            (ImageStatus::Generated, 1)
        );
        content::regenerate_image(&h.p, h.account, one)
            .await
            .unwrap();
        work_until(&h.p, settled).await;
        let second = h.p.db().image(h.account, one).await.unwrap();
        assert_eq!(
            (second.status, second.generation),
            (ImageStatus::Generated, 2)
        );
        assert_ne!(second.file_path, first.file_path);
        assert_eq!(ledger_charges(h.p.db(), h.account).await.len(), charges + 1);
        // An upload: checked, stored, free.
        let bad = content::upload_image(&h.p, h.account, one, b"not a picture".to_vec()).await;
        assert!(matches!(bad, Err(PipelineError::Invalid(_))), "{bad:?}");
        assert_eq!(h.p.db().image(h.account, one).await.unwrap(), second);
        let png =
            h.p.media()
                .root()
                .join(second.file_path.as_deref().unwrap());
        let bytes = std::fs::read(png).unwrap();
        let up = content::upload_image(&h.p, h.account, one, bytes)
            .await
            .unwrap();
        assert_eq!((up.generation, up.provider.as_deref()), (3, Some("upload")));
        assert_eq!(ledger_charges(h.p.db(), h.account).await.len(), charges + 1);
        // Alt text: edited, checked again, bounded.
        let alt = content::set_image_alt(&h.p, h.account, one, "Laces tied in a runner's knot")
            .await
            .unwrap();
        assert_eq!(alt.alt_text, "Laces tied in a runner's knot");
        let long = "x".repeat(126);
        assert!(
            content::set_image_alt(&h.p, h.account, one, &long)
                .await
                .is_err()
        );
        assert!(
            content::set_image_alt(&h.p, h.account, one, " ")
                .await
                .is_err()
        );
    }
);

engine_test!(
    bulk_review_needs_confirmation_for_offline_samples,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let ids: Vec<ContentId> = articles(&h).await.iter().map(|c| c.id).collect();
        assert!(ids.len() >= 2);
        // Offline samples are never approved by "all passing", nor without confirmation.
        assert!(
            review_passing(&h.p, h.account, h.site.id)
                .await
                .unwrap()
                .is_empty()
        );
        let refused = review_many(&h.p, h.account, &ids[..1], ContentStatus::Approved, false)
            .await
            .unwrap();
        assert!(
            refused[0]
                .result
                .as_ref()
                .unwrap_err()
                .contains("offline sample")
        );
        let done = review_many(&h.p, h.account, &ids, ContentStatus::Approved, true)
            .await
            .unwrap();
        assert!(done.iter().all(|o| o.result.is_ok()), "{done:?}");
        for id in &ids {
            let c = h.p.db().content(h.account, *id).await.unwrap();
            assert_eq!(c.status, ContentStatus::Approved);
        }
    }
);

engine_test!(
    links_leave_a_rejected_target_and_a_removed_link_stays_removed,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        import_generated(&h, 120).await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        // A source with a link, and that link's target.
        let mut found = None;
        for c in articles(&h).await {
            let links = h.p.db().outgoing_links(h.account, c.id).await.unwrap();
            if let Some(l) = links.into_iter().next() {
                found = Some((c, l));
                break;
            }
        }
        let (source, link) = found.expect("some article links to a sibling");
        let cluster =
            h.p.db()
                .cluster_of_content(h.account, source.id)
                .await
                .unwrap();
        remove_link(&h.p, h.account, link.link.id).await.unwrap();
        refresh_links(&h.p, h.account, cluster).await.unwrap();
        let now = h.p.db().outgoing_links(h.account, source.id).await.unwrap();
        assert!(now.iter().all(|l| l.link.target_id != link.link.target_id));
        let all =
            h.p.db()
                .links_of_content(h.account, source.id)
                .await
                .unwrap();
        assert!(
            all.iter()
                .any(|l| l.link.id == link.link.id && l.link.status == LinkStatus::Removed)
        );
        // Rejecting an article takes every link to it out of its siblings.
        let target = link.link.target_id;
        review_many(&h.p, h.account, &[target], ContentStatus::Rejected, false)
            .await
            .unwrap();
        for c in articles(&h).await {
            let links = h.p.db().outgoing_links(h.account, c.id).await.unwrap();
            assert!(
                links.iter().all(|l| l.link.target_id != target),
                "{} still links to {target}",
                c.id
            );
        }
    }
);
