use crate::support::{plain_article, target};
use pressroom_publish::{PublishError, WordPressClient};
use pressroom_testwp::fake::{FakeWordPress, Fault};
use std::time::Duration;

#[tokio::test]
async fn a_create_that_never_answers_is_ambiguous_and_the_retry_adopts_the_post() {
    let fake = FakeWordPress::start(Fault::HangAfterCreate).await.unwrap();
    let mut t = target(&fake.base_url, "admin", "x");
    t.timeout = Duration::from_millis(800);
    let client = WordPressClient::new(t).unwrap();
    let a = plain_article(31, "lost-answer");
    let err = client.publish(&a, None).await.unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    assert!(!err.is_permanent());
    assert_eq!(
        fake.post_count(),
        1,
        "the post was made before the answer was lost"
    );
    let p = client.publish(&a, None).await.unwrap();
    assert!(p.adopted);
    assert_eq!(p.post_id, 1);
    assert_eq!(fake.post_count(), 1);
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let fake = FakeWordPress::start(Fault::RateLimited {
        retry_after_secs: 7,
    })
    .await
    .unwrap();
    let client = WordPressClient::new(target(&fake.base_url, "admin", "x")).unwrap();
    let err = client
        .publish(&plain_article(32, "busy"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::RateLimited { .. }), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn server_errors_are_retryable_rejections() {
    let fake = FakeWordPress::start(Fault::ServerError).await.unwrap();
    let client = WordPressClient::new(target(&fake.base_url, "admin", "x")).unwrap();
    let err = client.test_connection().await.unwrap_err();
    assert!(
        matches!(err, PublishError::Rejected { status: 500, .. }),
        "{err}"
    );
    assert!(!err.is_permanent());
    assert_eq!(fake.post_count(), 0);
}
