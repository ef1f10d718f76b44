//! Users: creation, look-ups, and checking a password at sign-in.

use super::MAX_PASSWORD_CHARS;
use super::password::{hash_password, verify_hash};
use crate::{Db, Result, StoreError, now_ms, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

const USER_COLS: &str = "id, account_id, email, role, status, created_at";

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

pub(super) fn user_from(r: UserTuple) -> Result<User> {
    Ok(User {
        id: UserId::new(r.0),
        account_id: AccountId::new(r.1),
        email: r.2,
        role: Role::parse(&r.3)?,
        status: UserStatus::parse(&r.4)?,
        created_at: r.5,
    })
}

impl Db {
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
}
