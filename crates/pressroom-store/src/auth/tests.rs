use super::password::{HASH_CONCURRENCY, peak_concurrent_hashes, verify_hash};
use super::*;
use crate::{Db, StoreError, engine_test, on_db};

async fn two_accounts(db: &Db) -> (AccountId, AccountId) {
    let a = db.create_account("a", Credits(10)).await.unwrap().id;
    let b = db.create_account("b", Credits(10)).await.unwrap().id;
    (a, b)
}

engine_test!(users_and_passwords, |db: Db| async move {
    let (a, b) = two_accounts(&db).await;
    let u = db
        .create_user(a, " Owner@Example.com ", "correct horse", Role::Owner)
        .await
        .unwrap();
    assert_eq!(u.email, "owner@example.com");
    assert_eq!(u.role, Role::Owner);
    let hash: String =
        on_db!(&db, p => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(u.id.get()).fetch_one(p).await)
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));

    let ok = db
        .verify_password("OWNER@example.com", "correct horse")
        .await
        .unwrap();
    assert_eq!(ok.map(|u| u.id), Some(u.id));
    assert!(
        db.verify_password("owner@example.com", "wrong horse")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.verify_password("nobody@example.com", "correct horse")
            .await
            .unwrap()
            .is_none()
    );
    // Emails are unique; bad input names its field.
    let dup = db
        .create_user(b, "owner@example.com", "another pass", Role::Viewer)
        .await;
    assert!(
        matches!(dup, Err(StoreError::AlreadyExists { .. })),
        "{dup:?}"
    );
    let short = db
        .create_user(a, "x@example.com", "short", Role::Viewer)
        .await
        .unwrap_err();
    assert!(short.to_string().contains("password"), "{short}");
    let bad = db
        .create_user(a, "not-an-email", "long enough!", Role::Viewer)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("email"), "{bad}");
    // Scoped by account.
    assert!(matches!(
        db.user(b, u.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(db.users(a).await.unwrap().len(), 1);
    assert!(db.users(b).await.unwrap().is_empty());
});

engine_test!(passwords_are_long_and_text_is_clean, |db: Db| async move {
    let (a, _) = two_accounts(&db).await;
    // Twelve characters at least, and not only whitespace.
    let e = db
        .create_user(a, "p@example.com", "elevenchars", Role::Viewer)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("password length"), "{e}");
    let e = db
        .create_user(a, "p@example.com", &" ".repeat(20), Role::Viewer)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("whitespace"), "{e}");
    let e = db
        .create_user(a, "p@example.com", &"x".repeat(1025), Role::Viewer)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("password length"), "{e}");
    let u = db
        .create_user(a, "p@example.com", "twelve chars", Role::Viewer)
        .await
        .unwrap();
    // A NUL never reaches the database (PostgreSQL would fail the query).
    let e = db
        .create_user(a, "n\0@example.com", "twelve chars", Role::Viewer)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("email"), "{e}");
    assert!(
        db.verify_password("p\0@example.com", "twelve chars")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.verify_password("p@example.com", &"x".repeat(1025))
            .await
            .unwrap()
            .is_none()
    );
    let e = db.create_api_token(a, u.id, "ci\0").await.unwrap_err();
    assert!(
        e.to_string()
            .contains("token name: contains a control character (U+0000)"),
        "{e}"
    );
    let t = db.create_api_token(a, u.id, "  ci  ").await.unwrap();
    assert_eq!(t.token.name, "ci");
});

#[tokio::test]
async fn password_hashing_runs_under_the_concurrency_limit() {
    let hash = hash_password("a long password").await.unwrap();
    let checks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(verify_hash(hash.clone(), "a long password".into())))
        .collect();
    for c in checks {
        assert!(c.await.unwrap());
    }
    let peak = peak_concurrent_hashes();
    assert!((1..=HASH_CONCURRENCY).contains(&peak), "{peak}");
}

engine_test!(sessions_store_hashes, |db: Db| async move {
    let (a, _) = two_accounts(&db).await;
    let u = db
        .create_user(a, "e@example.com", "password1234", Role::Editor)
        .await
        .unwrap();
    let s = db.create_session(&u, 60_000).await.unwrap();
    let stored: String = on_db!(&db, p => sqlx::query_scalar("SELECT token_sha256 FROM sessions")
        .fetch_one(p).await)
    .unwrap();
    assert_ne!(stored, s.token);
    assert_eq!(stored, sha256_hex(&s.token));
    let found = db.session(&s.token).await.unwrap().unwrap();
    assert_eq!(found.user.id, u.id);
    assert_eq!(found.csrf_token, s.csrf_token);
    assert!(db.session("nonsense").await.unwrap().is_none());
    db.delete_session(&s.token).await.unwrap();
    assert!(db.session(&s.token).await.unwrap().is_none());
    let expired = db.create_session(&u, -1).await.unwrap();
    assert!(db.session(&expired.token).await.unwrap().is_none());
});

engine_test!(api_tokens_shown_once_and_revocable, |db: Db| async move {
    let (a, b) = two_accounts(&db).await;
    let u = db
        .create_user(a, "t@example.com", "password1234", Role::Owner)
        .await
        .unwrap();
    let created = db.create_api_token(a, u.id, "ci").await.unwrap();
    assert!(
        created
            .secret
            .starts_with(&format!("{}_", created.token.prefix))
    );
    assert!(created.token.prefix.starts_with("prs_"));
    assert_eq!(created.token.last_used_at, None);
    let stored: String = on_db!(&db, p => sqlx::query_scalar("SELECT token_sha256 FROM api_tokens")
        .fetch_one(p).await)
    .unwrap();
    assert_eq!(stored, sha256_hex(&created.secret));

    let who = db
        .authenticate_api_token(&created.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.id, u.id);
    assert!(
        db.api_token(a, created.token.id)
            .await
            .unwrap()
            .last_used_at
            .is_some()
    );
    assert!(
        db.authenticate_api_token("prs_nope_nope")
            .await
            .unwrap()
            .is_none()
    );
    // Another account can neither see nor revoke it.
    assert!(db.api_tokens(b).await.unwrap().is_empty());
    assert!(matches!(
        db.revoke_api_token(b, created.token.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let revoked = db.revoke_api_token(a, created.token.id).await.unwrap();
    assert_eq!(revoked.status, TokenStatus::Revoked);
    assert!(
        db.authenticate_api_token(&created.secret)
            .await
            .unwrap()
            .is_none()
    );
    assert!(db.create_api_token(a, u.id, "  ").await.is_err());
    assert!(matches!(
        db.create_api_token(b, u.id, "x").await,
        Err(StoreError::NotFound { .. })
    ));
});
