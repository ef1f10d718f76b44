//! Publishing to a real WordPress (Debian's package on PHP's built-in server, MariaDB) on both
//! engines: approved articles become one post each with their featured image, in-body images
//! with alt text, category and tags; a publisher killed mid-batch, and records that lost the
//! post id they were given, make no second post when sent again; an edited article is updated
//! in place; the live page passes its check; a wrong password fails, names the user and makes
//! nothing; offline samples are refused unless forced.

use crate::support::*;
use pressroom_domain::publish::{DestinationOptions, PublishSchedule};
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::content::{ContentEdit, ContentEditInput, edit_content, review_many};
use pressroom_pipeline::publish::{self, DestinationInput, PUBLISH_JOB};
use pressroom_pipeline::{Pipeline, workers};
use pressroom_queue::CancellationToken;
use pressroom_store::testing::make_jobs_due;
use pressroom_store::{Db, SecretBox, engine_test};
use pressroom_testwp::{TestWordPress, TestWpOptions};
use std::time::Duration;

async fn approved_articles(h: &Harness) -> Vec<Content> {
    run_to_end(h).await;
    let drafts =
        h.p.db()
            .content_list(h.account, h.site.id, Some(ContentStatus::Review), 500)
            .await
            .unwrap();
    let ids: Vec<ContentId> = drafts.iter().map(|c| c.id).collect();
    review_many(&h.p, h.account, &ids, ContentStatus::Approved, true)
        .await
        .unwrap();
    h.p.db()
        .content_list(h.account, h.site.id, Some(ContentStatus::Approved), 500)
        .await
        .unwrap()
}

async fn add_wordpress(
    p: &Pipeline,
    h: &Harness,
    wp: &TestWordPress,
    password: &str,
) -> Destination {
    publish::add_destination(
        p,
        h.account,
        h.site.id,
        DestinationInput {
            name: "blog".into(),
            kind: DestinationKind::WordPress,
            url: wp.base_url.clone(),
            username: Some(wp.admin_user.clone()),
            secret: Some(password.into()),
            options: DestinationOptions::default(),
            schedule: PublishSchedule::default(),
        },
    )
    .await
    .unwrap()
    .destination
}

/// Queues every article at `d` now, the way a person's "publish now" does.
async fn queue_now(
    p: &Pipeline,
    account: AccountId,
    articles: &[Content],
    d: DestinationId,
    force: bool,
) {
    for c in articles {
        let mut tx = p.db().begin().await.unwrap();
        let q = tx
            .queue_publication(account, c.id, d, Some(p.now()), force)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        publish::enqueue_publication(p, account, q.publication.id, None)
            .await
            .unwrap();
    }
}

async fn records(p: &Pipeline, account: AccountId, articles: &[Content]) -> Vec<Publication> {
    let mut all = Vec::new();
    for c in articles {
        all.extend(p.db().publications_of_content(account, c.id).await.unwrap());
    }
    all
}

async fn settled(p: &Pipeline, account: AccountId, articles: &[Content]) -> bool {
    records(p, account, articles).await.iter().all(|r| {
        matches!(
            r.status,
            PublicationStatus::Published | PublicationStatus::Failed
        )
    })
}

engine_test!(
    approved_articles_go_live_on_wordpress_exactly_once,
    |db: Db| async move {
        let wp =
            TestWordPress::start(TestWpOptions::default()).expect("a real WordPress (see .ci/run)");
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.p =
            h.p.clone()
                .with_secrets(SecretBox::from_hex(&SecretBox::generate_hex()).unwrap());
        let p = h.p.clone();
        let articles = approved_articles(&h).await;
        assert!(articles.len() >= 3, "{} articles", articles.len());
        let d = add_wordpress(&p, &h, &wp, &wp.app_password).await;

        // Offline samples are refused by a live destination unless forced; nothing is posted.
        queue_now(&p, h.account, &articles[..1], d.id, false).await;
        work_until(&p, async || settled(&p, h.account, &articles[..1]).await).await;
        let refused = &records(&p, h.account, &articles[..1]).await[0];
        assert_eq!(refused.status, PublicationStatus::Failed);
        assert!(
            refused
                .last_error
                .as_deref()
                .unwrap()
                .contains("offline sample"),
            "{refused:?}"
        );
        assert_eq!(wp.post_count("publish").unwrap(), 0);

        // Killed mid-batch: the worker is dropped while it publishes, its jobs rescued after
        // their lease, and a second worker finishes the batch.
        queue_now(&p, h.account, &articles, d.id, true).await;
        let stop = CancellationToken::new();
        let first = tokio::spawn(workers::worker(&p, 4, test_worker_config()).run(stop.clone()));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while wp.post_count("publish").unwrap() == 0 {
            assert!(tokio::time::Instant::now() < deadline, "nothing published");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        first.abort();
        let _ = first.await;
        work_until(&p, async || settled(&p, h.account, &articles).await).await;
        let done = records(&p, h.account, &articles).await;
        assert!(
            done.iter()
                .all(|r| r.status == PublicationStatus::Published),
            "{done:#?}"
        );
        let posts = wp.posts().unwrap();
        let live: Vec<_> = posts.iter().filter(|p| p.status == "publish").collect();
        assert_eq!(live.len(), articles.len(), "one post per article");

        // Each post: its featured image, its in-body images with alt, category and tags; the
        // article is published and its live page passed the check.
        for r in &done {
            let post: u64 = r.external_id.as_deref().unwrap().parse().unwrap();
            let row = posts.iter().find(|p| p.id == post).unwrap();
            let featured = wp.post_meta(post, "_thumbnail_id").unwrap();
            assert!(
                featured.is_some_and(|m| m != "0"),
                "post {post} has no featured image"
            );
            assert!(
                row.content.contains("<img"),
                "post {post} has no image in its body"
            );
            assert!(
                !row.content.contains("alt=\"\""),
                "an image without alt text in post {post}"
            );
            assert!(
                !row.content.contains("/media/"),
                "an image left pointing at Pressroom in post {post}"
            );
            let terms = wp
            .query(&format!(
                "SELECT tt.taxonomy FROM wp_term_relationships r JOIN wp_term_taxonomy tt ON tt.term_taxonomy_id = r.term_taxonomy_id WHERE r.object_id = {post}"
            ))
            .unwrap();
            let has = |t: &str| terms.iter().any(|v| v["taxonomy"] == t);
            assert!(has("category") && has("post_tag"), "post {post}: {terms:?}");
            let check = r.live_check.as_ref().expect("a live check");
            assert_eq!(check["passed"], true, "{check}");
            let c = p.db().content(h.account, r.content_id).await.unwrap();
            assert_eq!(c.status, ContentStatus::Published);
        }

        // A crash after WordPress made the post but before Pressroom recorded it: the records
        // lose their post ids and are sent again. Each post is found by its marker, not made twice.
        for r in &done {
            let mut tx = db.begin().await.unwrap();
            tx.queue_publication(h.account, r.content_id, d.id, Some(p.now()), true)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        pressroom_store::testing::forget_external_ids(&db).await;
        for r in &done {
            publish::enqueue_publication(&p, h.account, r.id, None)
                .await
                .unwrap();
        }
        work_until(&p, async || settled(&p, h.account, &articles).await).await;
        let again = records(&p, h.account, &articles).await;
        assert!(
            again
                .iter()
                .all(|r| r.status == PublicationStatus::Published)
        );
        for (a, b) in done.iter().zip(&again) {
            assert_eq!(a.external_id, b.external_id, "the same post");
        }
        assert_eq!(wp.posts().unwrap().len(), posts.len(), "no new post");

        // Edited and published again: the same post, updated in place.
        let target = &articles[0];
        let edit = ContentEdit::parse(ContentEditInput {
            title: Some("A title edited after publishing"),
            ..Default::default()
        })
        .unwrap();
        edit_content(&p, h.account, target.id, edit).await.unwrap();
        let post: u64 = again
            .iter()
            .find(|r| r.content_id == target.id)
            .unwrap()
            .external_id
            .as_deref()
            .unwrap()
            .parse()
            .unwrap();
        let edited = p.db().content(h.account, target.id).await.unwrap();
        queue_now(&p, h.account, std::slice::from_ref(&edited), d.id, true).await;
        work_until(&p, async || {
            settled(&p, h.account, std::slice::from_ref(&edited)).await
        })
        .await;
        let row = wp
            .posts()
            .unwrap()
            .into_iter()
            .find(|r| r.id == post)
            .unwrap();
        assert_eq!(row.title, "A title edited after publishing");
        assert_eq!(wp.post_count("publish").unwrap(), articles.len());
        let _ = make_jobs_due(&db, PUBLISH_JOB).await;
    }
);

engine_test!(
    a_wrong_password_fails_clearly_and_changes_nothing,
    |db: Db| async move {
        let wp =
            TestWordPress::start(TestWpOptions::default()).expect("a real WordPress (see .ci/run)");
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.p =
            h.p.clone()
                .with_secrets(SecretBox::from_hex(&SecretBox::generate_hex()).unwrap());
        let p = h.p.clone();
        let articles = approved_articles(&h).await;
        let d = add_wordpress(&p, &h, &wp, "abcd efgh ijkl mnop qrst uvwx").await;

        let report = publish::test_destination(&p, h.account, d.id)
            .await
            .unwrap();
        assert!(!report.ok);
        assert!(
            report.summary.contains(&wp.admin_user),
            "{}",
            report.summary
        );

        queue_now(&p, h.account, &articles[..1], d.id, true).await;
        work_until(&p, async || settled(&p, h.account, &articles[..1]).await).await;
        let r = &records(&p, h.account, &articles[..1]).await[0];
        assert_eq!(r.status, PublicationStatus::Failed);
        let error = r.last_error.as_deref().unwrap();
        assert!(
            error.contains(&wp.admin_user) && !error.contains("abcd efgh"),
            "{error}"
        );
        assert_eq!(wp.posts().unwrap().len(), 0);
        assert_eq!(wp.media_count().unwrap(), 0);
        let c = p.db().content(h.account, articles[0].id).await.unwrap();
        assert_eq!(c.status, ContentStatus::Approved);

        // With the right password the test says what it found.
        let fixed = publish::change_destination(
            &p,
            h.account,
            d.id,
            publish::DestinationChange {
                secret: Some(wp.app_password.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let report = publish::test_destination(&p, h.account, fixed.id)
            .await
            .unwrap();
        assert!(report.ok, "{}", report.text());

        // The stored password is never sent to another host: moving needs it given again.
        let moved = publish::change_destination(
            &p,
            h.account,
            d.id,
            publish::DestinationChange {
                url: Some("http://127.0.0.2:9".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(
            matches!(&moved, Err(pressroom_pipeline::PipelineError::Invalid(m)) if m.contains("password")),
            "{moved:?}"
        );
    }
);
