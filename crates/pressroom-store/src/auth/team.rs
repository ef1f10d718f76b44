//! Team changes an owner makes: a user's role, status and password. None may leave the
//! account without an active owner: the check and the change share one transaction that
//! first locks the account row (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already
//! serialises writers), so two owners demoting each other at once cannot both pass.

use super::password::hash_password;
use super::users::user_from;
use crate::{Db, Engine, Result, StoreError, Tx, on_conn};
use pressroom_domain::*;

/// What to change about a user; `None` keeps the current value.
#[derive(Default)]
struct TeamChange {
    role: Option<Role>,
    status: Option<UserStatus>,
    /// An argon2id hash (made before the transaction: hashing is slow).
    password_hash: Option<String>,
}

impl Db {
    pub async fn set_user_role(
        &self,
        account: AccountId,
        user: UserId,
        role: Role,
    ) -> Result<User> {
        self.update_user(account, user, Some(role), None).await
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
        self.update_user(account, user, None, Some(status)).await
    }

    /// Role and status together, all or nothing.
    pub async fn update_user(
        &self,
        account: AccountId,
        user: UserId,
        role: Option<Role>,
        status: Option<UserStatus>,
    ) -> Result<User> {
        let change = TeamChange {
            role,
            status,
            password_hash: None,
        };
        self.change_user(account, user, change).await
    }

    /// Sets a new password and ends the user's sessions (whoever held them must sign in again).
    pub async fn reset_password(
        &self,
        account: AccountId,
        user: UserId,
        password: &str,
    ) -> Result<User> {
        let change = TeamChange {
            password_hash: Some(hash_password(password).await?),
            ..TeamChange::default()
        };
        self.change_user(account, user, change).await
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
    let role = change.role.unwrap_or(current.role);
    let status = change.status.unwrap_or(current.status);
    let was_owner = current.role == Role::Owner && current.status == UserStatus::Active;
    let stays_owner = role == Role::Owner && status == UserStatus::Active;
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
    on_conn!(tx, c => sqlx::query(
        "UPDATE users SET role = $1, status = $2, password_hash = COALESCE($3, password_hash)
         WHERE account_id = $4 AND id = $5")
        .bind(role.as_str()).bind(status.as_str()).bind(change.password_hash.as_deref())
        .bind(account.get()).bind(id.get()).execute(c).await.map(|_| ()))?;
    let disabled = status == UserStatus::Disabled && current.status != UserStatus::Disabled;
    if disabled || change.password_hash.is_some() {
        on_conn!(tx, c => sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND user_id = $2")
            .bind(account.get()).bind(id.get()).execute(c).await.map(|_| ()))?;
    }
    let row: Option<UserTuple> = on_conn!(tx, c => sqlx::query_as(USER_SQL)
        .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
    user_from(row.ok_or_else(|| StoreError::not_found("user", id))?)
}
