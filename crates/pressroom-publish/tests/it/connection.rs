use crate::support::{admin, article, target, wordpress};
use pressroom_publish::{OutboundPolicy, PublishError, SeoPlugin, WordPressClient};
use pressroom_testwp::SeoEmulation;
use pressroom_testwp::fake::{FakeWordPress, Fault};

#[tokio::test]
async fn connection_report_names_site_user_and_seo_plugin() {
    let wp = wordpress(SeoEmulation::RankMath);
    let report = admin(&wp).test_connection().await.unwrap();
    assert_eq!(report.site_name, "Pressroom Test Site");
    assert_eq!(report.user, "admin");
    assert_eq!(report.user_id, wp.admin_id);
    assert!(report.roles.contains(&"administrator".to_string()));
    assert_eq!(report.seo, SeoPlugin::RankMath);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[tokio::test]
async fn wrong_password_names_the_user_and_changes_nothing() {
    let wp = wordpress(SeoEmulation::None);
    let secret = "abcd EFGH ijkl MNOP qrst UVWX";
    let client = WordPressClient::new(target(&wp.base_url, "admin", secret)).unwrap();
    let err = client.test_connection().await.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, PublishError::Unauthorized { ref user, .. } if user == "admin"),
        "{msg}"
    );
    assert!(msg.contains("WordPress refused user 'admin'"), "{msg}");
    assert!(
        !msg.contains(secret) && !format!("{err:?}").contains(secret),
        "{msg}"
    );
    assert!(err.is_permanent());
    let err = client
        .publish(&article(1, "never-made"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized { .. }), "{err}");
    assert_eq!(wp.posts().unwrap().len(), 0);
    assert_eq!(wp.media_count().unwrap(), 0);
}

#[tokio::test]
async fn a_contributor_lacks_the_capabilities_a_publish_needs() {
    let wp = wordpress(SeoEmulation::None);
    let client =
        WordPressClient::new(target(&wp.base_url, &wp.writer_user, &wp.writer_password)).unwrap();
    let err = client.test_connection().await.unwrap_err();
    assert!(
        matches!(err, PublishError::MissingCapability { ref user, ref cap, .. } if user == "writer" && cap == "upload_files"),
        "{err}"
    );
}

#[tokio::test]
async fn rest_api_blocked_by_a_plugin_is_named() {
    let wp = wordpress(SeoEmulation::None);
    // What "disable REST API" plugins do.
    wp.add_mu_plugin(
        "no-rest",
        "<?php add_filter('rest_authentication_errors', fn() => new WP_Error('rest_disabled', 'The REST API is disabled on this site.', ['status' => 403]));",
    )
    .unwrap();
    let err = admin(&wp).test_connection().await.unwrap_err();
    assert!(matches!(err, PublishError::RestDisabled { .. }), "{err}");
    assert!(err.to_string().contains("rest_disabled"), "{err}");
}

#[tokio::test]
async fn unreachable_not_wordpress_and_guarded_addresses() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nobody =
        WordPressClient::new(target(&format!("http://127.0.0.1:{port}"), "admin", "x")).unwrap();
    let err = nobody.test_connection().await.unwrap_err();
    assert!(matches!(err, PublishError::Unreachable { .. }), "{err}");
    assert!(!err.is_permanent());

    let fake = FakeWordPress::start(Fault::DropMeta).await.unwrap();
    let plain =
        WordPressClient::new(target(&format!("{}/plain", fake.base_url), "admin", "x")).unwrap();
    let err = plain.test_connection().await.unwrap_err();
    assert!(matches!(err, PublishError::NotWordPress { .. }), "{err}");

    let moved =
        WordPressClient::new(target(&format!("{}/moved", fake.base_url), "admin", "x")).unwrap();
    let err = moved.test_connection().await.unwrap_err();
    assert!(
        matches!(err, PublishError::Config(_)) && err.to_string().contains("redirects to"),
        "{err}"
    );

    // https to a server that speaks plain http.
    let tls = WordPressClient::new(target(
        &fake.base_url.replace("http:", "https:"),
        "admin",
        "x",
    ))
    .unwrap();
    let err = tls.test_connection().await.unwrap_err();
    assert!(matches!(err, PublishError::Tls { .. }), "{err}");

    // Loopback without permission: refused before connecting, by literal address and by name.
    let mut t = target(&fake.base_url, "admin", "x");
    t.policy = OutboundPolicy::default();
    assert!(matches!(
        WordPressClient::new(t.clone()),
        Err(PublishError::Guard(_))
    ));
    t.base_url = t.base_url.replace("127.0.0.1", "localhost");
    let err = WordPressClient::new(t)
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Guard(_)), "{err}");
    assert!(err.is_permanent());
}
