//! Users, sign-in sessions and API tokens, plus the two lookups the web app needs that no
//! other interface does (editing content text, finding an image by its stored file path).
//!
//! Secrets never reach the database: passwords are argon2id hashes, and session and API
//! tokens are stored as their sha256, so a copy of the database signs nobody in.

use crate::{Db, Result, StoreError, now_ms, on_db};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use pressroom_domain::*;
use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;

/// The visible start of every API token, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "prs_";
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Argon2 hashes computed at once in this process: each takes ~19 MiB and a core for tens of
/// milliseconds, so a flood of sign-ins queues here instead of pinning every CPU.
pub const HASH_CONCURRENCY: usize = 2;
static HASH_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASH_CONCURRENCY);

const USER_COLS: &str = "id, account_id, email, role, status, created_at";
const TOKEN_COLS: &str =
    "id, account_id, user_id, name, prefix, scopes, status, last_used_at, created_at";

/// A new session: the cookie value (shown to the browser once, stored only as a hash) and the
/// CSRF token that form posts of this session must carry.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: TimestampMs,
}

/// A live session and who it belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub csrf_token: String,
}

/// A new API token: `secret` is the whole token, shown once and never stored.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline (19 MiB, 2 passes); `Params::new` only fails on values
    // outside argon2's ranges, which these constants are not.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password: 12 to 1024 characters, not only whitespace.
fn check_new_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(DomainError::OutOfRange {
            field: "password length",
            min: MIN_PASSWORD_CHARS as i64,
            max: MAX_PASSWORD_CHARS as i64,
        }
        .into());
    }
    if password.trim().is_empty() {
        return Err(DomainError::InvalidValue {
            field: "password (it is only whitespace)",
            value: String::new(),
        }
        .into());
    }
    Ok(())
}

/// Runs `work` on the blocking pool once one of the [`HASH_CONCURRENCY`] slots is free.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    // The semaphore is never closed, so acquiring only waits.
    let _slot = HASH_SLOTS
        .acquire()
        .await
        .map_err(|e| StoreError::Io(format!("password hashing slots: {e}")))?;
    let _in = InFlight::enter();
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Io(format!("password hashing task failed: {e}")))
}

/// Counts hashes running now and the most ever seen at once, so tests can check the limit.
static HASHING_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static HASHING_PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

struct InFlight;

impl InFlight {
    fn enter() -> InFlight {
        use std::sync::atomic::Ordering::SeqCst;
        let now = HASHING_NOW.fetch_add(1, SeqCst) + 1;
        HASHING_PEAK.fetch_max(now, SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        HASHING_NOW.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The most password hashes this process has run at the same time (never above
/// [`HASH_CONCURRENCY`]).
#[cfg(test)]
fn peak_concurrent_hashes() -> usize {
    HASHING_PEAK.load(std::sync::atomic::Ordering::SeqCst)
}

/// An argon2id PHC string for `password`, computed off the async threads (it is slow on
/// purpose) and under the process's hashing limit.
pub async fn hash_password(password: &str) -> Result<String> {
    check_new_password(password)?;
    let password = password.to_string();
    hashing(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| StoreError::Io(format!("password salt: {e}")))?;
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Io(format!("hashing the password failed: {e}")))
    })
    .await?
}

async fn verify_hash(hash: String, password: String) -> bool {
    hashing(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

fn normalise_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    let ok = e.chars().count() <= text::EMAIL_MAX_CHARS
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if ok {
        Ok(e)
    } else {
        Err(DomainError::InvalidValue {
            field: "email",
            value: email.to_string(),
        }
        .into())
    }
}

type UserTuple = (i64, i64, String, String, String, i64);

fn user_from(r: UserTuple) -> Result<User> {
    Ok(User {
        id: UserId::new(r.0),
        account_id: AccountId::new(r.1),
        email: r.2,
        role: Role::parse(&r.3)?,
        status: UserStatus::parse(&r.4)?,
        created_at: r.5,
    })
}

type TokenTuple = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
);

fn token_from(r: TokenTuple) -> Result<ApiToken> {
    Ok(ApiToken {
        id: ApiTokenId::new(r.0),
        account_id: AccountId::new(r.1),
        user_id: UserId::new(r.2),
        name: r.3,
        prefix: r.4,
        scopes: serde_json::from_str(&r.5).map_err(|e| StoreError::Corrupt {
            what: "api token scopes",
            detail: e.to_string(),
        })?,
        status: TokenStatus::parse(&r.6)?,
        last_used_at: r.7,
        created_at: r.8,
    })
}

impl Db {
    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<()> {
        let _: i64 =
            on_db!(self, p => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(p).await)?;
        Ok(())
    }

    /// AI usage across all accounts by (provider, function): calls, failures, credits. For
    /// the operator's metrics endpoint, which shows no tenant data.
    pub async fn usage_totals(&self) -> Result<Vec<(String, String, i64, i64, i64)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT provider, function, COUNT(*), CAST(SUM(CASE WHEN success THEN 0 ELSE 1 END) AS BIGINT),
                    CAST(SUM(credits) AS BIGINT)
             FROM ai_usage GROUP BY provider, function ORDER BY provider, function")
            .fetch_all(p).await)?)
    }

    /// Creates a user of `account`. Emails are unique across accounts (sign-in is by email).
    pub async fn create_user(
        &self,
        account: AccountId,
        email: &str,
        password: &str,
        role: Role,
    ) -> Result<User> {
        let email = normalise_email(email)?;
        let hash = hash_password(password).await?;
        self.account(account).await?;
        let id: std::result::Result<i64, sqlx::Error> = on_db!(self, p => sqlx::query_scalar(
            "INSERT INTO users (account_id, email, password_hash, role, status, created_at)
             VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id")
            .bind(account.get()).bind(&email).bind(&hash).bind(role.as_str()).bind(now_ms())
            .fetch_one(p).await);
        match id.map_err(StoreError::from) {
            Ok(id) => self.user(account, UserId::new(id)).await,
            Err(e) if e.is_unique_violation() => Err(StoreError::AlreadyExists {
                entity: "user",
                name: email,
            }),
            Err(e) => Err(e),
        }
    }

    pub async fn user(&self, account: AccountId, id: UserId) -> Result<User> {
        let row: Option<UserTuple> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        user_from(row.ok_or_else(|| StoreError::not_found("user", id))?)
    }

    /// The user with this email, in any account (for operator commands).
    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let email = email.trim().to_lowercase();
        let row: Option<UserTuple> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE email = $1")))
            .bind(&email).fetch_optional(p).await)?;
        user_from(row.ok_or_else(|| StoreError::not_found("user", &email))?)
    }

    pub async fn users(&self, account: AccountId) -> Result<Vec<User>> {
        let rows: Vec<UserTuple> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE account_id = $1 ORDER BY id")))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(user_from).collect()
    }

    /// The active user with this email and password, in an active account. Unknown emails
    /// still cost one hash check, so timing does not tell which emails exist.
    /// An email that could not have been stored, or a password longer than any allowed, is
    /// refused before touching the database or spending a hash.
    pub async fn verify_password(&self, email: &str, password: &str) -> Result<Option<User>> {
        let Ok(email) = normalise_email(email) else {
            return Ok(None);
        };
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return Ok(None);
        }
        let row: Option<(String, UserTuple)> = on_db!(self, p => sqlx::query_as(
            "SELECT u.password_hash, u.id, u.account_id, u.email, u.role, u.status, u.created_at
             FROM users u JOIN accounts a ON a.id = u.account_id
             WHERE u.email = $1 AND u.status = 'active' AND a.status = 'active'")
            .bind(&email).fetch_optional(p).await)
        .map(
            |r: Option<(String, i64, i64, String, String, String, i64)>| {
                r.map(|(h, a, b, c, d, e, f)| (h, (a, b, c, d, e, f)))
            },
        )?;
        match row {
            Some((hash, user)) => {
                if verify_hash(hash, password.to_string()).await {
                    Ok(Some(user_from(user)?))
                } else {
                    Ok(None)
                }
            }
            None => {
                // Spend the same work as a real check.
                let dummy = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2cHQmF0Ygo6Hh8Qn6NmWc9pFh6S2Y0yFJ7x0vG9qvZA";
                verify_hash(dummy.to_string(), password.to_string()).await;
                Ok(None)
            }
        }
    }

    /// Starts a session for `user` lasting `ttl_ms`.
    pub async fn create_session(&self, user: &User, ttl_ms: i64) -> Result<NewSession> {
        let token = random_hex(32);
        let csrf_token = random_hex(32);
        let now = now_ms();
        let expires_at = now.saturating_add(ttl_ms);
        on_db!(self, p => sqlx::query(
            "INSERT INTO sessions (account_id, user_id, token_sha256, csrf_token, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(user.account_id.get()).bind(user.id.get()).bind(sha256_hex(&token)).bind(&csrf_token)
            .bind(expires_at).bind(now).execute(p).await.map(|_| ()))?;
        Ok(NewSession {
            token,
            csrf_token,
            expires_at,
        })
    }

    /// The unexpired session with this cookie value, if its user and account are active.
    pub async fn session(&self, token: &str) -> Result<Option<SessionUser>> {
        let row: Option<(String, i64, i64, String, String, String, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT s.csrf_token, u.id, u.account_id, u.email, u.role, u.status, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id AND u.account_id = s.account_id
             JOIN accounts a ON a.id = s.account_id
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.status = 'active' AND a.status = 'active'")
            .bind(sha256_hex(token)).bind(now_ms()).fetch_optional(p).await)?;
        row.map(|(csrf_token, a, b, c, d, e, f)| {
            Ok(SessionUser {
                user: user_from((a, b, c, d, e, f))?,
                csrf_token,
            })
        })
        .transpose()
    }

    /// Ends the session with this cookie value (and sweeps expired ones).
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        on_db!(self, p => sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1 OR expires_at <= $2")
            .bind(sha256_hex(token)).bind(now_ms()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Creates an API token `prs_<prefix>_<secret>` for `user` of `account`.
    pub async fn create_api_token(
        &self,
        account: AccountId,
        user: UserId,
        name: &str,
    ) -> Result<CreatedToken> {
        let name = text::line("token name", name, text::NAME_MAX_CHARS).map_err(|e| {
            DomainError::InvalidValue {
                field: "token name",
                value: e.to_string(),
            }
        })?;
        self.user(account, user).await?;
        let prefix = format!("{TOKEN_PREFIX}{}", random_hex(4));
        let secret = format!("{prefix}_{}", random_hex(24));
        let id: i64 = on_db!(self, p => sqlx::query_scalar(
            "INSERT INTO api_tokens (account_id, user_id, name, prefix, token_sha256, scopes, status, created_at)
             VALUES ($1, $2, $3, $4, $5, '[]', 'active', $6) RETURNING id")
            .bind(account.get()).bind(user.get()).bind(&name).bind(&prefix).bind(sha256_hex(&secret)).bind(now_ms())
            .fetch_one(p).await)?;
        Ok(CreatedToken {
            token: self.api_token(account, ApiTokenId::new(id)).await?,
            secret,
        })
    }

    pub async fn api_token(&self, account: AccountId, id: ApiTokenId) -> Result<ApiToken> {
        let row: Option<TokenTuple> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        token_from(row.ok_or_else(|| StoreError::not_found("api token", id))?)
    }

    pub async fn api_tokens(&self, account: AccountId) -> Result<Vec<ApiToken>> {
        let rows: Vec<TokenTuple> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE account_id = $1 ORDER BY id")))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(token_from).collect()
    }

    /// Revokes a token; revoking one already revoked is a no-op.
    pub async fn revoke_api_token(&self, account: AccountId, id: ApiTokenId) -> Result<ApiToken> {
        let changed = on_db!(self, p => sqlx::query(
            "UPDATE api_tokens SET status = 'revoked' WHERE account_id = $1 AND id = $2")
            .bind(account.get()).bind(id.get()).execute(p).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("api token", id));
        }
        self.api_token(account, id).await
    }

    /// The user an active API token acts for; records the use.
    pub async fn authenticate_api_token(&self, secret: &str) -> Result<Option<User>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let row: Option<(i64, String, String, String, i64, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT t.id, t.status, u.status, a.status, u.id, t.account_id FROM api_tokens t
             JOIN users u ON u.id = t.user_id AND u.account_id = t.account_id
             JOIN accounts a ON a.id = t.account_id WHERE t.token_sha256 = $1")
            .bind(sha256_hex(secret)).fetch_optional(p).await)?;
        let Some((token_id, ts, us, acs, user, account)) = row else {
            return Ok(None);
        };
        if ts != "active" || us != "active" || acs != "active" {
            return Ok(None);
        }
        on_db!(self, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now_ms()).bind(token_id).execute(p).await.map(|_| ()))?;
        Ok(Some(
            self.user(AccountId::new(account), UserId::new(user))
                .await?,
        ))
    }

    /// Replaces a content item's title and body (markdown and its rendered, sanitised HTML).
    /// Published content is not edited here.
    pub async fn update_content_text(
        &self,
        account: AccountId,
        id: ContentId,
        title: &str,
        body_markdown: &str,
        body_html: &str,
        word_count: i64,
    ) -> Result<Content> {
        let changed = on_db!(self, p => sqlx::query(
            "UPDATE content SET title = $1, body_markdown = $2, body_html = $3, word_count = $4, updated_at = $5
             WHERE account_id = $6 AND id = $7 AND status <> 'published'")
            .bind(title).bind(body_markdown).bind(body_html).bind(word_count).bind(now_ms())
            .bind(account.get()).bind(id.get()).execute(p).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            let current = self.content(account, id).await?;
            return Err(DomainError::InvalidValue {
                field: "content status (published content cannot be edited)",
                value: current.status.to_string(),
            }
            .into());
        }
        self.content(account, id).await
    }

    /// The image of `account` stored under `file_path` (the media store's relative path).
    pub async fn image_by_file_path(
        &self,
        account: AccountId,
        file_path: &str,
    ) -> Result<Option<ImageId>> {
        let id: Option<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT id FROM images WHERE account_id = $1 AND file_path = $2")
            .bind(account.get()).bind(file_path).fetch_optional(p).await)?;
        Ok(id.map(ImageId::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine_test;

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
        let stored: String =
            on_db!(&db, p => sqlx::query_scalar("SELECT token_sha256 FROM sessions")
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
        let stored: String =
            on_db!(&db, p => sqlx::query_scalar("SELECT token_sha256 FROM api_tokens")
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
}
