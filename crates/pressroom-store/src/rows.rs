//! Raw rows as both engines return them, and their checked conversion into domain entities.
//! A status or vocabulary string the domain does not know is a `Corrupt` error, not a panic.

use crate::{Result, StoreError};
use pressroom_domain::*;

pub(crate) fn status<S: Status>(s: &str) -> Result<S> {
    Ok(S::parse(s)?)
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Serialising plain data (strings, numbers, maps with string keys) cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub name: String,
    pub credits: i64,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Account> {
        Ok(Account {
            id: AccountId::new(r.id),
            name: r.name,
            credits: Credits(r.credits),
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SiteRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub language: String,
    pub settings: String,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<SiteRow> for Site {
    type Error = StoreError;
    fn try_from(r: SiteRow) -> Result<Site> {
        Ok(Site {
            id: SiteId::new(r.id),
            account_id: AccountId::new(r.account_id),
            name: r.name,
            domain: r.domain,
            language: r.language,
            settings: serde_json::from_str(&r.settings).map_err(|e| StoreError::Corrupt {
                what: "site settings",
                detail: e.to_string(),
            })?,
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeywordRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub phrase: String,
    pub normalised: String,
    pub volume: Option<i64>,
    pub difficulty: Option<i64>,
    pub cpc_micros: Option<i64>,
    pub intent: Option<String>,
    pub country: Option<String>,
    pub source: String,
    pub cluster_id: Option<i64>,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<KeywordRow> for Keyword {
    type Error = StoreError;
    fn try_from(r: KeywordRow) -> Result<Keyword> {
        Ok(Keyword {
            id: KeywordId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            phrase: r.phrase,
            normalised: r.normalised,
            volume: r.volume,
            difficulty: r.difficulty.map(|d| d.clamp(0, 100) as i16),
            cpc: r.cpc_micros.map(UsdMicros),
            intent: r.intent.as_deref().map(Intent::parse).transpose()?,
            country: r.country,
            source: r.source,
            cluster_id: r.cluster_id.map(ClusterId::new),
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}
