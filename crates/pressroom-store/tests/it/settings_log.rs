//! The settings write and its change log on both engines: a locked read scoped by account,
//! settings that do not validate refused, a rolled-back write leaving nothing, and the log kept
//! per account and site, newest first, with who made each change.

use pressroom_domain::settings::Change;
use pressroom_domain::*;
use pressroom_store::{Actor, Db, StoreError, engine_test};
use serde_json::json;

engine_test!(settings_writes_and_their_log, |db: Db| async move {
    let a = db.create_account("a", Credits(0)).await.unwrap().id;
    let b = db.create_account("b", Credits(0)).await.unwrap().id;
    let site = db
        .create_site(a, "blog", None, "en", &SiteSettings::default())
        .await
        .unwrap()
        .id;
    let user = db
        .create_user(a, "ed@example.com", "long enough password", Role::Editor)
        .await
        .unwrap();

    let mut tx = db.begin().await.unwrap();
    assert!(matches!(
        tx.site_for_update(b, site).await,
        Err(StoreError::NotFound { .. })
    ));
    tx.rollback().await.unwrap();

    // Refused: settings that do not validate, and a language that is no code.
    let mut tx = db.begin().await.unwrap();
    let bad = SiteSettings {
        in_article_images: 99,
        ..Default::default()
    };
    assert!(tx.write_site_settings(a, site, "en", &bad).await.is_err());
    assert!(
        tx.write_site_settings(a, site, "not a code", &SiteSettings::default())
            .await
            .is_err()
    );
    tx.rollback().await.unwrap();

    // A write and its log rolled back together leave nothing.
    let good = SiteSettings {
        in_article_images: 1,
        ..Default::default()
    };
    let change = |key: &str, old, new| Change {
        key: key.into(),
        old,
        new,
    };
    let mut tx = db.begin().await.unwrap();
    tx.site_for_update(a, site).await.unwrap();
    tx.write_site_settings(a, site, "de", &good).await.unwrap();
    tx.log_settings_changes(
        a,
        site,
        &Actor::Cli,
        &[change("in_article_images", json!(2), json!(1))],
        10,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        db.site(a, site).await.unwrap().settings.in_article_images,
        2
    );
    assert!(db.settings_changes(a, site, 10).await.unwrap().is_empty());

    let mut tx = db.begin().await.unwrap();
    tx.write_site_settings(a, site, "de", &good).await.unwrap();
    tx.log_settings_changes(
        a,
        site,
        &Actor::Cli,
        &[change("in_article_images", json!(2), json!(1))],
        10,
    )
    .await
    .unwrap();
    let by_user = Actor::User {
        id: user.id,
        email: user.email.clone(),
    };
    tx.log_settings_changes(
        a,
        site,
        &by_user,
        &[change("language", json!("en"), json!("de"))],
        20,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let stored = db.site(a, site).await.unwrap();
    assert_eq!(
        (stored.language.as_str(), stored.settings.in_article_images),
        ("de", 1)
    );
    let log = db.settings_changes(a, site, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].key, "language", "newest first");
    assert_eq!(
        (log[0].actor.as_str(), log[0].user_id),
        ("ed@example.com", Some(user.id))
    );
    assert_eq!((log[1].actor.as_str(), log[1].user_id), ("cli", None));
    assert_eq!(
        (log[1].old_value.clone(), log[1].new_value.clone()),
        (json!(2), json!(1))
    );
    assert_eq!(db.settings_changes(a, site, 1).await.unwrap().len(), 1);
    assert!(db.settings_changes(b, site, 10).await.unwrap().is_empty());
});
