use crate::support::{admin, article, eval_json, target, wordpress};
use pressroom_publish::{UnpublishTo, WordPressClient, WpPostStatus, check_live};
use pressroom_testwp::SeoEmulation;

#[tokio::test]
async fn creates_post_with_featured_image_body_images_and_terms() {
    let wp = wordpress(SeoEmulation::None);
    let client = admin(&wp);
    let a = article(7, "start-composting");
    let p = client.publish(&a, None).await.unwrap();

    assert_eq!(wp.post_count("publish").unwrap(), 1);
    assert_eq!(wp.media_count().unwrap(), 3);
    assert_eq!(p.status, "publish");
    assert!(!p.adopted);
    assert_eq!(p.media.len(), 3);
    assert_eq!(p.featured_media, p.media[0].media_id);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let id = p.post_id;
    let stored = eval_json(
        &wp,
        &format!(
            "echo json_encode(['thumb' => (int) get_post_thumbnail_id({id}), \
             'cats' => wp_get_post_categories({id}, ['fields' => 'names']), \
             'tags' => wp_get_post_tags({id}, ['fields' => 'names']), \
             'alts' => array_map(fn($m) => get_post_meta($m, '_wp_attachment_image_alt', true), [{}, {}, {}]), \
             'caption' => wp_get_attachment_caption({}), \
             'content' => get_post({id})->post_content, 'excerpt' => get_post({id})->post_excerpt]);",
            p.media[0].media_id, p.media[1].media_id, p.media[2].media_id, p.media[1].media_id
        ),
    );
    assert_eq!(stored["thumb"], p.media[0].media_id);
    assert_eq!(stored["cats"], serde_json::json!(["Garden Care"]));
    let mut tags: Vec<String> = serde_json::from_value(stored["tags"].clone()).unwrap();
    tags.sort();
    assert_eq!(tags, ["compost", "soil health"]);
    assert_eq!(
        stored["alts"],
        serde_json::json!([
            "A red compost bin",
            "Green seedlings in trays",
            "Blue watering can"
        ])
    );
    assert_eq!(stored["caption"], "Caption 72");
    assert_eq!(stored["excerpt"], "Compost in five steps.");
    let content = stored["content"].as_str().unwrap();
    assert!(
        content.starts_with("<!-- pressroom:content:7 -->"),
        "{content}"
    );
    assert!(
        !content.contains("pressroom-image://"),
        "srcs not rewritten: {content}"
    );
    for m in &p.media[1..] {
        assert!(
            content.contains(&format!("src=\"{}\"", m.source_url)),
            "{content}"
        );
    }
    // The uploaded file is served where WordPress says.
    let img = reqwest::get(&p.media[0].source_url).await.unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(
        img.bytes().await.unwrap().as_ref(),
        a.images[0].bytes.as_ref()
    );

    let live = check_live(
        client.target().policy,
        &p.url,
        &a.title,
        Some(&p.media[0].source_url),
    )
    .await;
    assert!(live.passed(), "{live:?}");
    let wrong = check_live(
        client.target().policy,
        &p.url,
        "A Title Not On The Page",
        None,
    )
    .await;
    assert!(!wrong.passed() && !wrong.title_found, "{wrong:?}");
}

#[tokio::test]
async fn publishing_again_makes_no_second_post_or_upload() {
    let wp = wordpress(SeoEmulation::None);
    let client = admin(&wp);
    let a = article(8, "repeatable");
    let first = client.publish(&a, None).await.unwrap();
    // A lost answer: the caller never learned the id.
    let again = client.publish(&a, None).await.unwrap();
    assert_eq!(again.post_id, first.post_id);
    assert!(again.adopted);
    assert_eq!(again.media, first.media);
    let known = client.publish(&a, Some(first.post_id)).await.unwrap();
    assert_eq!(known.post_id, first.post_id);
    assert!(!known.adopted);
    assert_eq!(wp.post_count("publish").unwrap(), 1);
    assert_eq!(wp.posts().unwrap().len(), 1);
    assert_eq!(wp.media_count().unwrap(), 3);
    // Categories and tags are not duplicated either.
    let terms = wp
        .query("SELECT name FROM wp_terms WHERE name IN ('Garden Care', 'compost', 'soil health')")
        .unwrap();
    assert_eq!(terms.len(), 3);
}

#[tokio::test]
async fn an_edited_article_updates_the_same_post() {
    let wp = wordpress(SeoEmulation::None);
    let client = admin(&wp);
    let mut a = article(9, "edited-article");
    let first = client.publish(&a, None).await.unwrap();
    a.title = "Composting at Home, Revised".into();
    a.html = a.html.replace(
        "Compost turns scraps into soil.",
        "Revised: compost needs air.",
    );
    a.images[1].alt = "Seedlings, newly described".into();
    let second = client.publish(&a, Some(first.post_id)).await.unwrap();
    assert_eq!(second.post_id, first.post_id);
    let posts = wp.posts().unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].title, "Composting at Home, Revised");
    assert!(posts[0].content.contains("Revised: compost needs air."));
    assert_eq!(wp.media_count().unwrap(), 3);
    let alt = wp
        .eval(&format!(
            "echo get_post_meta({}, '_wp_attachment_image_alt', true);",
            second.media[1].media_id
        ))
        .unwrap();
    assert_eq!(alt, "Seedlings, newly described");
    let live = check_live(
        client.target().policy,
        &second.url,
        &a.title,
        Some(&second.media[0].source_url),
    )
    .await;
    assert!(live.passed(), "{live:?}");
}

#[tokio::test]
async fn a_foreign_post_with_the_slug_is_a_conflict_and_left_alone() {
    let wp = wordpress(SeoEmulation::None);
    wp.eval("wp_insert_post(['post_title' => 'Mine', 'post_name' => 'taken-slug', 'post_content' => 'written by hand', 'post_status' => 'publish']);").unwrap();
    let client = admin(&wp);
    let err = client
        .publish(&article(10, "taken-slug"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, pressroom_publish::PublishError::Conflict { ref slug, .. } if slug == "taken-slug"),
        "{err}"
    );
    assert!(err.is_permanent());
    let posts = wp.posts().unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].content, "written by hand");
}

#[tokio::test]
async fn unpublish_to_draft_then_trash() {
    let wp = wordpress(SeoEmulation::None);
    let client = admin(&wp);
    let a = article(11, "short-lived");
    let p = client.publish(&a, None).await.unwrap();
    assert_eq!(
        client
            .unpublish(p.post_id, UnpublishTo::Draft)
            .await
            .unwrap(),
        "draft"
    );
    assert_eq!(wp.post_count("draft").unwrap(), 1);
    let live = check_live(client.target().policy, &p.url, &a.title, None).await;
    assert!(!live.passed() && live.http_status == Some(404), "{live:?}");
    assert_eq!(
        client
            .unpublish(p.post_id, UnpublishTo::Trash)
            .await
            .unwrap(),
        "trash"
    );
    assert_eq!(wp.post_count("trash").unwrap(), 1);
    // Publishing the known post again brings it back, still one post.
    let back = client.publish(&a, Some(p.post_id)).await.unwrap();
    assert_eq!(back.post_id, p.post_id);
    assert_eq!(back.status, "publish");
    assert_eq!(wp.posts().unwrap().len(), 1);
}

#[tokio::test]
async fn a_batch_rerun_after_a_crash_makes_no_duplicates() {
    let wp = wordpress(SeoEmulation::Yoast);
    let client = admin(&wp);
    let batch: Vec<_> = (0..6)
        .map(|i| article(100 + i, &format!("batch-article-{i}")))
        .collect();
    let started = std::time::Instant::now();
    // The first run "dies" after four articles, its results lost.
    for a in &batch[..4] {
        client.publish(a, None).await.unwrap();
    }
    let per_minute = 4.0 * 60.0 / started.elapsed().as_secs_f64();
    eprintln!(
        "WordPress installed in {:.1} s; {per_minute:.0} articles/min (3 images each, Yoast meta)",
        wp.install_time.as_secs_f64()
    );
    for a in &batch {
        client.publish(a, None).await.unwrap();
    }
    assert_eq!(wp.post_count("publish").unwrap(), 6);
    assert_eq!(wp.media_count().unwrap(), 18);
    let slugs: Vec<String> = wp.posts().unwrap().into_iter().map(|p| p.slug).collect();
    assert_eq!(
        slugs,
        (0..6)
            .map(|i| format!("batch-article-{i}"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn two_workers_publishing_at_once_leave_one_post() {
    let wp = wordpress(SeoEmulation::None);
    for (i, status) in [WpPostStatus::Publish, WpPostStatus::Draft]
        .into_iter()
        .enumerate()
    {
        let make = || {
            let mut t = target(&wp.base_url, &wp.admin_user, &wp.app_password);
            t.post_status = status;
            WordPressClient::new(t).unwrap()
        };
        let (one, two) = (make(), make());
        let a = article(200 + i as i64, &format!("raced-{i}"));
        let (r1, r2) = tokio::join!(one.publish(&a, None), two.publish(&a, None));
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(r1.post_id, r2.post_id, "{status:?}");
        assert_eq!(r1.media, r2.media, "{status:?}");
    }
    let posts = wp.posts().unwrap();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert_eq!(wp.media_count().unwrap(), 6);
}

#[tokio::test]
async fn a_site_without_pretty_permalinks_is_reached_through_rest_route() {
    let wp = wordpress(SeoEmulation::None);
    wp.eval("update_option('permalink_structure', ''); delete_option('rewrite_rules');")
        .unwrap();
    let client = admin(&wp);
    let a = article(12, "plain-permalinks");
    let p = client.publish(&a, None).await.unwrap();
    assert!(p.url.contains("?p="), "{}", p.url);
    let again = client.publish(&a, None).await.unwrap();
    assert_eq!(again.post_id, p.post_id);
    assert_eq!(wp.posts().unwrap().len(), 1);
    assert_eq!(wp.media_count().unwrap(), 3);
    let live = check_live(
        client.target().policy,
        &p.url,
        &a.title,
        Some(&p.media[0].source_url),
    )
    .await;
    assert!(live.passed(), "{live:?}");
}
