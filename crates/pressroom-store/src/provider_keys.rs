//! An account's AI provider keys. The store only ever sees them sealed (the pipeline seals
//! with `SecretBox` before calling here); listings carry the hint, never the sealed value, so
//! the one way to a key is `sealed_key`, which only the pipeline's resolver calls.

use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::*;

/// A provider key as listed: everything but the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderKeyInfo {
    pub id: ProviderKeyId,
    pub account_id: AccountId,
    pub name: String,
    /// `openai` or `runware`.
    pub provider: String,
    /// The key's last four characters, so a person can tell keys apart.
    pub hint: String,
    pub created_at: TimestampMs,
    /// Names of the account's sites whose `text_key` or `image_key` is this key.
    pub used_by: Vec<String>,
}

/// The providers a key can be for (offline needs none).
pub const KEY_PROVIDERS: [&str; 2] = ["openai", "runware"];

type KeyTuple = (i64, i64, String, String, String, i64);
const KEY_COLS: &str = "id, account_id, name, provider, hint, created_at";

fn info_from(r: KeyTuple, sites: &[(String, SiteSettings)]) -> ProviderKeyInfo {
    let used_by = sites
        .iter()
        .filter(|(_, s)| {
            s.text_key.as_deref() == Some(&r.2) || s.image_key.as_deref() == Some(&r.2)
        })
        .map(|(n, _)| n.clone())
        .collect();
    ProviderKeyInfo {
        id: ProviderKeyId::new(r.0),
        account_id: AccountId::new(r.1),
        name: r.2,
        provider: r.3,
        hint: r.4,
        created_at: r.5,
        used_by,
    }
}

fn parse_sites(rows: Vec<(String, String)>) -> Result<Vec<(String, SiteSettings)>> {
    rows.into_iter()
        .map(|(name, json)| {
            serde_json::from_str(&json)
                .map(|s| (name, s))
                .map_err(|e| StoreError::Corrupt {
                    what: "site settings",
                    detail: e.to_string(),
                })
        })
        .collect()
}

const SITES_SQL: &str = "SELECT name, settings FROM sites WHERE account_id = $1 ORDER BY name";

impl Db {
    /// Stores a key already sealed by the caller. `name` is unique per account.
    pub async fn add_provider_key(
        &self,
        account: AccountId,
        name: &str,
        provider: &str,
        sealed: &str,
        hint: &str,
    ) -> Result<ProviderKeyInfo> {
        let name = text::line("name", name, text::NAME_MAX_CHARS).map_err(DomainError::from)?;
        if !KEY_PROVIDERS.contains(&provider) {
            return Err(DomainError::InvalidValue {
                field: "provider",
                value: provider.to_string(),
            }
            .into());
        }
        let id: std::result::Result<i64, sqlx::Error> = on_db!(self, p => sqlx::query_scalar(
            "INSERT INTO provider_keys (account_id, name, provider, sealed, hint, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(account.get()).bind(&name).bind(provider).bind(sealed).bind(hint).bind(now_ms())
            .fetch_one(p).await);
        match id.map_err(StoreError::from) {
            Ok(id) => self.provider_key(account, ProviderKeyId::new(id)).await,
            Err(e) if e.is_unique_violation() => Err(StoreError::AlreadyExists {
                entity: "provider key",
                name,
            }),
            Err(e) => Err(e),
        }
    }

    /// The account's keys, oldest first, with the sites using each.
    pub async fn provider_keys(&self, account: AccountId) -> Result<Vec<ProviderKeyInfo>> {
        let rows: Vec<KeyTuple> = on_db!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {KEY_COLS} FROM provider_keys WHERE account_id = $1 ORDER BY id")))
            .bind(account.get()).fetch_all(p).await)?;
        let sites: Vec<(String, String)> = on_db!(self, p => sqlx::query_as(SITES_SQL)
            .bind(account.get()).fetch_all(p).await)?;
        let sites = parse_sites(sites)?;
        Ok(rows.into_iter().map(|r| info_from(r, &sites)).collect())
    }

    pub async fn provider_key(
        &self,
        account: AccountId,
        id: ProviderKeyId,
    ) -> Result<ProviderKeyInfo> {
        self.provider_keys(account)
            .await?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or_else(|| StoreError::not_found("provider key", id))
    }

    /// The key named `name`, with its sealed value: `(info, sealed)`. For the pipeline's
    /// resolver only, which opens it to call the provider.
    pub async fn sealed_provider_key(
        &self,
        account: AccountId,
        name: &str,
    ) -> Result<Option<(ProviderKeyInfo, String)>> {
        let row: Option<(i64, i64, String, String, String, i64, String)> = on_db!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {KEY_COLS}, sealed FROM provider_keys WHERE account_id = $1 AND name = $2")))
            .bind(account.get()).bind(name).fetch_optional(p).await)?;
        Ok(row.map(|(a, b, c, d, e, f, sealed)| (info_from((a, b, c, d, e, f), &[]), sealed)))
    }

    /// Removes a key, refused while a site of the account names it (the refusal lists them):
    /// silently clearing a site's choice would move its calls to another key unannounced.
    /// The check and the delete share one write transaction.
    pub async fn remove_provider_key(
        &self,
        account: AccountId,
        id: ProviderKeyId,
    ) -> Result<ProviderKeyInfo> {
        let mut tx = self.begin().await?;
        let info = remove_in(&mut tx, account, id).await?;
        tx.commit().await?;
        Ok(info)
    }
}

async fn remove_in(tx: &mut Tx, account: AccountId, id: ProviderKeyId) -> Result<ProviderKeyInfo> {
    let lock = match tx.engine() {
        crate::Engine::Postgres => " FOR UPDATE",
        crate::Engine::Sqlite => "",
    };
    let row: Option<KeyTuple> = on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {KEY_COLS} FROM provider_keys WHERE account_id = $1 AND id = $2{lock}")))
        .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
    let row = row.ok_or_else(|| StoreError::not_found("provider key", id))?;
    let sites: Vec<(String, String)> = on_conn!(tx, c => sqlx::query_as(SITES_SQL)
        .bind(account.get()).fetch_all(c).await)?;
    let info = info_from(row, &parse_sites(sites)?);
    if !info.used_by.is_empty() {
        return Err(StoreError::Refused(format!(
            "provider key {:?} is used by site(s) {}; choose another key for them first (text_key / image_key)",
            info.name,
            info.used_by.join(", ")
        )));
    }
    on_conn!(tx, c => sqlx::query("DELETE FROM provider_keys WHERE account_id = $1 AND id = $2")
        .bind(account.get()).bind(id.get()).execute(c).await.map(|_| ()))?;
    Ok(info)
}
