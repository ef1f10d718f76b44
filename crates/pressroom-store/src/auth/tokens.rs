//! API tokens: `prs_` secrets shown once, stored as their sha256, revocable.

use super::{CreatedToken, TOKEN_PREFIX, random_hex, sha256_hex};
use crate::{Db, Result, StoreError, now_ms, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

const TOKEN_COLS: &str =
    "id, account_id, user_id, name, prefix, scopes, status, last_used_at, created_at";

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
}
