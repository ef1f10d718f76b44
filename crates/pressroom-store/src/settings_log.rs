//! A site's settings written under a row lock, and their change log (`settings_changes`):
//! who changed which key, when, from what to what. `pressroom_pipeline::settings::update`
//! reads, writes and logs in one transaction, so a patch lands whole or not at all.

use crate::rows::{SiteRow, to_json};
use crate::sites::SITE_COLUMNS;
use crate::{Db, Engine, Result, StoreError, Tx, on_conn, on_db};
use pressroom_domain::settings::Change;
use pressroom_domain::{
    AccountId, DomainError, SettingsChangeId, Site, SiteId, SiteSettings, TimestampMs, UserId, text,
};
use serde::Serialize;
use sqlx::AssertSqlSafe;

/// Who made a change: a signed-in user (kept by id and by the email they had then) or the
/// CLI (an operator on the machine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User { id: UserId, email: String },
    Cli,
}

impl Actor {
    fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(id.get()),
            Actor::Cli => None,
        }
    }

    fn label(&self) -> &str {
        match self {
            Actor::User { email, .. } => email,
            Actor::Cli => "cli",
        }
    }
}

/// One logged change of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsChange {
    pub id: SettingsChangeId,
    pub site_id: SiteId,
    pub user_id: Option<UserId>,
    /// `cli`, or the user's email when they made the change.
    pub actor: String,
    pub key: String,
    /// JSON values; `null`: unset.
    pub old_value: serde_json::Value,
    pub new_value: serde_json::Value,
    pub created_at: TimestampMs,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: i64,
    site_id: i64,
    user_id: Option<i64>,
    actor: String,
    key: String,
    old_value: String,
    new_value: String,
    created_at: i64,
}

impl TryFrom<ChangeRow> for SettingsChange {
    type Error = StoreError;
    fn try_from(r: ChangeRow) -> Result<SettingsChange> {
        let json = |s: &str| {
            serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
                what: "settings change value",
                detail: e.to_string(),
            })
        };
        Ok(SettingsChange {
            id: SettingsChangeId::new(r.id),
            site_id: SiteId::new(r.site_id),
            user_id: r.user_id.map(UserId::new),
            actor: r.actor,
            old_value: json(&r.old_value)?,
            new_value: json(&r.new_value)?,
            key: r.key,
            created_at: r.created_at,
        })
    }
}

impl Tx {
    /// The site, its row locked until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
    /// write transaction holds the database), so two patches apply one after the other and
    /// neither loses the other's keys.
    pub async fn site_for_update(&mut self, account: AccountId, site: SiteId) -> Result<Site> {
        let lock = match self.engine() {
            Engine::Postgres => " FOR UPDATE",
            Engine::Sqlite => "",
        };
        let row: Option<SiteRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {SITE_COLUMNS} FROM sites WHERE account_id = $1 AND id = $2{lock}")))
            .bind(account.get()).bind(site.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("site", site))?
            .try_into()
    }

    /// Writes a site's language and settings (checked again here: no caller stores settings
    /// that do not validate).
    pub async fn write_site_settings(
        &mut self,
        account: AccountId,
        site: SiteId,
        language: &str,
        settings: &SiteSettings,
    ) -> Result<()> {
        let language = text::language_code("language", language).map_err(DomainError::from)?;
        settings.validate()?;
        let changed = on_conn!(self, c => sqlx::query(
            "UPDATE sites SET settings = $1, language = $2 WHERE account_id = $3 AND id = $4")
            .bind(to_json(settings)).bind(&language).bind(account.get()).bind(site.get())
            .execute(c).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("site", site));
        }
        Ok(())
    }

    /// Logs `changes` of the site, made by `actor` at `at`.
    pub async fn log_settings_changes(
        &mut self,
        account: AccountId,
        site: SiteId,
        actor: &Actor,
        changes: &[Change],
        at: TimestampMs,
    ) -> Result<()> {
        for ch in changes {
            on_conn!(self, c => sqlx::query(
                "INSERT INTO settings_changes (account_id, site_id, user_id, actor, key, old_value, new_value, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(account.get()).bind(site.get()).bind(actor.user_id()).bind(actor.label())
                .bind(&ch.key).bind(to_json(&ch.old)).bind(to_json(&ch.new)).bind(at)
                .execute(c).await.map(|_| ()))?;
        }
        Ok(())
    }
}

impl Db {
    /// The site's logged changes, newest first, at most `limit`.
    pub async fn settings_changes(
        &self,
        account: AccountId,
        site: SiteId,
        limit: u32,
    ) -> Result<Vec<SettingsChange>> {
        let rows: Vec<ChangeRow> = on_db!(self, p => sqlx::query_as(
            "SELECT id, site_id, user_id, actor, key, old_value, new_value, created_at
             FROM settings_changes WHERE account_id = $1 AND site_id = $2 ORDER BY id DESC LIMIT $3")
            .bind(account.get()).bind(site.get()).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(SettingsChange::try_from).collect()
    }
}
