//! Team changes an owner makes: a user's role, status and password. None may leave the
//! account without an active owner: the check and the change share one transaction that
//! first locks the account row (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already
//! serialises writers), so two owners demoting each other at once cannot both pass.

use super::password::hash_password;
use super::users::user_from;
use crate::{Db, Engine, Result, StoreError, Tx, on_conn};
use pressroom_domain::*;

/// One change to a user.
#[derive(Debug, Clone)]
enum TeamChange {
    Role(Role),
    Status(UserStatus),
    /// An argon2id hash (made before the transaction: hashing is slow).
    PasswordHash(String),
}

impl Db {
    pub async fn set_user_role(
        &self,
        account: AccountId,
        user: UserId,
        role: Role,
    ) -> Result<User> {
        self.change_user(account, user, TeamChange::Role(role))
            .await
    }

    /// Disabling ends the user's sessions at once; their API tokens stop authenticating while
    /// they are disabled (sign-in and tokens both require an active user) but are not revoked,
    /// so enabling the user again restores them.
    pub async fn set_user_status(
        &self,
        account: AccountId,
        user: UserId,
        status: UserStatus,
    ) -> Result<User> {
        self.change_user(account, user, TeamChange::Status(status))
            .await
    }

    /// Sets a new password and ends the user's sessions (whoever held them must sign in again).
    pub async fn reset_password(
        &self,
        account: AccountId,
        user: UserId,
        password: &str,
    ) -> Result<User> {
        let hash = hash_password(password).await?;
        self.change_user(account, user, TeamChange::PasswordHash(hash))
            .await
    }

    async fn change_user(
        &self,
        account: AccountId,
        user: UserId,
        change: TeamChange,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let updated = change_in(&mut tx, account, user, change).await?;
        tx.commit().await?;
        Ok(updated)
    }
}

type UserTuple = (i64, i64, String, String, String, i64);
const USER_SQL: &str = "SELECT id, account_id, email, role, status, created_at FROM users WHERE account_id = $1 AND id = $2";

async fn change_in(
    tx: &mut Tx,
    account: AccountId,
    id: UserId,
    change: TeamChange,
) -> Result<User> {
    if tx.engine() == Engine::Postgres {
        on_conn!(tx, c => sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(account.get()).execute(c).await.map(|_| ()))?;
    }
    let row: Option<UserTuple> = on_conn!(tx, c => sqlx::query_as(USER_SQL)
        .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
    let current = user_from(row.ok_or_else(|| StoreError::not_found("user", id))?)?;
    let was_owner = current.role == Role::Owner && current.status == UserStatus::Active;
    let stays_owner = match &change {
        TeamChange::Role(r) => *r == Role::Owner && current.status == UserStatus::Active,
        TeamChange::Status(s) => *s == UserStatus::Active && current.role == Role::Owner,
        TeamChange::PasswordHash(_) => was_owner,
    };
    if was_owner && !stays_owner {
        let others: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE account_id = $1 AND id <> $2 AND role = 'owner' AND status = 'active'")
            .bind(account.get()).bind(id.get()).fetch_one(c).await)?;
        if others == 0 {
            return Err(StoreError::Refused(format!(
                "{} is the account's last active owner: make another user owner first",
                current.email
            )));
        }
    }
    let (sql, value, end_sessions) = match &change {
        TeamChange::Role(r) => (
            "UPDATE users SET role = $1 WHERE account_id = $2 AND id = $3",
            r.as_str().to_string(),
            false,
        ),
        TeamChange::Status(s) => (
            "UPDATE users SET status = $1 WHERE account_id = $2 AND id = $3",
            s.as_str().to_string(),
            *s == UserStatus::Disabled,
        ),
        TeamChange::PasswordHash(h) => (
            "UPDATE users SET password_hash = $1 WHERE account_id = $2 AND id = $3",
            h.clone(),
            true,
        ),
    };
    on_conn!(tx, c => sqlx::query(sql)
        .bind(&value).bind(account.get()).bind(id.get()).execute(c).await.map(|_| ()))?;
    if end_sessions {
        on_conn!(tx, c => sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND user_id = $2")
            .bind(account.get()).bind(id.get()).execute(c).await.map(|_| ()))?;
    }
    let row: Option<UserTuple> = on_conn!(tx, c => sqlx::query_as(USER_SQL)
        .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
    user_from(row.ok_or_else(|| StoreError::not_found("user", id))?)
}
