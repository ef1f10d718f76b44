use crate::support::{admin, article, plain_article, target, wordpress};
use pressroom_publish::{SeoPlugin, WordPressClient};
use pressroom_testwp::SeoEmulation;
use pressroom_testwp::fake::{FakeWordPress, Fault};

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn rank_math_meta_is_written_and_read_back() {
    let wp = wordpress(SeoEmulation::RankMath);
    let client = admin(&wp);
    assert_eq!(client.detect_seo().await.unwrap(), SeoPlugin::RankMath);
    let a = article(21, "rank-math-post");
    let p = client.publish(&a, None).await.unwrap();
    assert_eq!(p.seo.plugin, SeoPlugin::RankMath);
    assert_eq!(p.seo.saved, names(&["meta_title", "meta_description"]));
    assert_eq!(p.seo.unverified, names(&["focus_keyword"]));
    assert!(p.seo.dropped.is_empty());
    assert_eq!(
        wp.post_meta(p.post_id, "rank_math_title")
            .unwrap()
            .as_deref(),
        Some(a.meta_title.as_str())
    );
    assert_eq!(
        wp.post_meta(p.post_id, "rank_math_focus_keyword")
            .unwrap()
            .as_deref(),
        Some("start composting")
    );
}

#[tokio::test]
async fn yoast_meta_is_written_and_read_back() {
    let wp = wordpress(SeoEmulation::Yoast);
    let client = admin(&wp);
    assert_eq!(client.detect_seo().await.unwrap(), SeoPlugin::Yoast);
    let a = article(22, "yoast-post");
    let p = client.publish(&a, None).await.unwrap();
    assert_eq!(p.seo.plugin, SeoPlugin::Yoast);
    assert_eq!(
        p.seo.saved,
        names(&["meta_title", "meta_description", "focus_keyword"])
    );
    assert!(p.seo.dropped.is_empty() && p.seo.unverified.is_empty());
    assert_eq!(
        wp.post_meta(p.post_id, "_yoast_wpseo_metadesc")
            .unwrap()
            .as_deref(),
        Some(a.meta_description.as_str())
    );
}

#[tokio::test]
async fn both_plugins_present_prefers_rank_math() {
    let wp = wordpress(SeoEmulation::Both);
    assert_eq!(admin(&wp).detect_seo().await.unwrap(), SeoPlugin::RankMath);
}

#[tokio::test]
async fn without_a_seo_plugin_every_field_is_reported_dropped() {
    let wp = wordpress(SeoEmulation::None);
    let p = admin(&wp)
        .publish(&article(23, "no-seo"), None)
        .await
        .unwrap();
    assert_eq!(p.seo.plugin, SeoPlugin::None);
    assert!(p.seo.saved.is_empty());
    assert_eq!(
        p.seo.dropped,
        names(&["meta_title", "meta_description", "focus_keyword"])
    );
    assert_eq!(wp.post_meta(p.post_id, "_yoast_wpseo_title").unwrap(), None);
}

#[tokio::test]
async fn meta_answered_200_but_dropped_is_reported() {
    let fake = FakeWordPress::start(Fault::DropMeta).await.unwrap();
    let client = WordPressClient::new(target(&fake.base_url, "admin", "x")).unwrap();
    let p = client
        .publish(&plain_article(24, "dropped-meta"), None)
        .await
        .unwrap();
    assert_eq!(p.seo.plugin, SeoPlugin::Yoast);
    assert!(p.seo.saved.is_empty());
    assert_eq!(
        p.seo.dropped,
        names(&["meta_title", "meta_description", "focus_keyword"])
    );
}

#[tokio::test]
async fn rank_math_refusing_the_meta_still_publishes_and_says_why() {
    let wp = wordpress(SeoEmulation::None);
    // The rankmath/v1 namespace without the updateMeta route (an older or trimmed Rank Math).
    wp.add_mu_plugin(
        "rank-math-partial",
        "<?php add_action('rest_api_init', fn() => register_rest_route('rankmath/v1', '/ping', ['methods' => 'GET', 'permission_callback' => '__return_true', 'callback' => fn() => 'pong']));",
    )
    .unwrap();
    let p = admin(&wp)
        .publish(&article(25, "rank-math-refused"), None)
        .await
        .unwrap();
    assert_eq!(p.seo.plugin, SeoPlugin::RankMath);
    assert_eq!(
        p.seo.dropped,
        names(&["meta_title", "meta_description", "focus_keyword"])
    );
    let why = p.seo.error.unwrap();
    assert!(why.contains("rest_no_route"), "{why}");
    assert_eq!(wp.post_count("publish").unwrap(), 1);
}
