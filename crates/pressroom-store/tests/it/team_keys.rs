//! Provider keys (sealed values only, removal refused while a site uses a key) and team
//! changes (never without an active owner), on both engines.

use pressroom_domain::*;
use pressroom_store::{Db, StoreError, engine_test, on_db};

engine_test!(
    provider_keys_are_scoped_and_removal_is_refused_while_used,
    |db: Db| async move {
        let a = db.create_account("a", Credits(0)).await.unwrap().id;
        let b = db.create_account("b", Credits(0)).await.unwrap().id;
        let k = db
            .add_provider_key(a, "main", "openai", "deadbeef", "1234")
            .await
            .unwrap();
        assert_eq!(
            (k.name.as_str(), k.provider.as_str(), k.hint.as_str()),
            ("main", "openai", "1234")
        );
        let dup = db
            .add_provider_key(a, "main", "runware", "00", "9999")
            .await;
        assert!(
            matches!(dup, Err(StoreError::AlreadyExists { .. })),
            "{dup:?}"
        );
        let bad = db
            .add_provider_key(a, "x", "offline", "00", "9999")
            .await
            .unwrap_err();
        assert!(bad.to_string().contains("provider"), "{bad}");
        // The same name in another account is another key; neither account sees the other's.
        db.add_provider_key(b, "main", "openai", "cafe", "5678")
            .await
            .unwrap();
        assert_eq!(db.provider_keys(a).await.unwrap().len(), 1);
        assert!(db.sealed_provider_key(a, "nope").await.unwrap().is_none());
        let (_, sealed) = db.sealed_provider_key(b, "main").await.unwrap().unwrap();
        assert_eq!(sealed, "cafe");
        assert!(matches!(
            db.remove_provider_key(b, k.id).await,
            Err(StoreError::NotFound { .. })
        ));

        // A site naming the key blocks its removal, and the refusal names the site.
        let settings = SiteSettings {
            text_key: Some("main".into()),
            ..SiteSettings::default()
        };
        let site = db
            .create_site(a, "blog", None, "en", &settings)
            .await
            .unwrap();
        let listed = db.provider_keys(a).await.unwrap();
        assert_eq!(listed[0].used_by, vec!["blog".to_string()]);
        let refused = db.remove_provider_key(a, k.id).await.unwrap_err();
        assert!(matches!(refused, StoreError::Refused(_)), "{refused:?}");
        assert!(refused.to_string().contains("blog"), "{refused}");
        db.update_site_settings(a, site.id, &SiteSettings::default())
            .await
            .unwrap();
        db.remove_provider_key(a, k.id).await.unwrap();
        assert!(db.provider_keys(a).await.unwrap().is_empty());
        let left: i64 = on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM provider_keys")
        .fetch_one(p).await)
        .unwrap();
        assert_eq!(left, 1, "account b's key stays");
    }
);

engine_test!(
    the_last_active_owner_cannot_be_demoted_or_disabled,
    |db: Db| async move {
        let a = db.create_account("a", Credits(0)).await.unwrap().id;
        let pw = "correct horse battery";
        let owner = db
            .create_user(a, "o@a.example", pw, Role::Owner)
            .await
            .unwrap();
        let ed = db
            .create_user(a, "e@a.example", pw, Role::Editor)
            .await
            .unwrap();
        for r in [
            db.set_user_role(a, owner.id, Role::Editor).await,
            db.set_user_status(a, owner.id, UserStatus::Disabled).await,
        ] {
            let e = r.unwrap_err();
            assert!(
                matches!(e, StoreError::Refused(_)) && e.to_string().contains("last active owner"),
                "{e}"
            );
        }
        assert_eq!(db.user(a, owner.id).await.unwrap().role, Role::Owner);
        // A second owner makes it possible; a disabled owner does not count.
        db.set_user_role(a, ed.id, Role::Owner).await.unwrap();
        db.set_user_status(a, ed.id, UserStatus::Disabled)
            .await
            .unwrap();
        assert!(db.set_user_role(a, owner.id, Role::Viewer).await.is_err());
        db.set_user_status(a, ed.id, UserStatus::Active)
            .await
            .unwrap();
        db.set_user_role(a, owner.id, Role::Viewer).await.unwrap();
        assert!(db.set_user_role(a, ed.id, Role::Editor).await.is_err());
        // A password reset of the last owner is fine.
        db.reset_password(a, ed.id, "another long password")
            .await
            .unwrap();
        assert!(
            db.verify_password("e@a.example", "another long password")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            db.verify_password("e@a.example", pw)
                .await
                .unwrap()
                .is_none()
        );
    }
);

engine_test!(
    two_owners_demoting_each_other_at_once_leave_one,
    |db: Db| async move {
        let a = db.create_account("a", Credits(0)).await.unwrap().id;
        let pw = "correct horse battery";
        let x = db
            .create_user(a, "x@a.example", pw, Role::Owner)
            .await
            .unwrap();
        let y = db
            .create_user(a, "y@a.example", pw, Role::Owner)
            .await
            .unwrap();
        let (d1, d2) = (db.clone(), db.clone());
        let (r1, r2) = tokio::join!(
            tokio::spawn(async move { d1.set_user_role(a, x.id, Role::Editor).await }),
            tokio::spawn(async move { d2.set_user_status(a, y.id, UserStatus::Disabled).await }),
        );
        let oks = [r1.unwrap().is_ok(), r2.unwrap().is_ok()];
        assert_eq!(oks.iter().filter(|o| **o).count(), 1, "{oks:?}");
        let owners = db
            .users(a)
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.role == Role::Owner && u.status == UserStatus::Active)
            .count();
        assert_eq!(owners, 1);
    }
);

engine_test!(disabling_ends_sessions_and_sign_in, |db: Db| async move {
    let a = db.create_account("a", Credits(0)).await.unwrap().id;
    let pw = "correct horse battery";
    db.create_user(a, "o@a.example", pw, Role::Owner)
        .await
        .unwrap();
    let v = db
        .create_user(a, "v@a.example", pw, Role::Viewer)
        .await
        .unwrap();
    let session = db.create_session(&v, 60_000).await.unwrap();
    let token = db.create_api_token(a, v.id, "t").await.unwrap().secret;
    db.set_user_status(a, v.id, UserStatus::Disabled)
        .await
        .unwrap();
    assert!(db.session(&session.token).await.unwrap().is_none());
    assert!(
        db.verify_password("v@a.example", pw)
            .await
            .unwrap()
            .is_none()
    );
    assert!(db.authenticate_api_token(&token).await.unwrap().is_none());
    // Enabled again: signs in, the old session stays ended, the token works again.
    db.set_user_status(a, v.id, UserStatus::Active)
        .await
        .unwrap();
    assert!(
        db.verify_password("v@a.example", pw)
            .await
            .unwrap()
            .is_some()
    );
    assert!(db.session(&session.token).await.unwrap().is_none());
    assert!(db.authenticate_api_token(&token).await.unwrap().is_some());
});
