//! A site's destinations. Inputs are checked here too (name, URL, options, schedule), so no
//! caller stores a destination that does not validate.

use super::rows::{DEST_COLS, DestRow};
use crate::rows::to_json;
use crate::{Db, Result, StoreError, now_ms, on_db};
use pressroom_domain::publish::{NAME_MAX_CHARS, validate_destination_url};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

/// A destination to add; `sealed_secret` is sealed by the caller.
#[derive(Debug, Clone)]
pub struct NewDestination {
    pub site: SiteId,
    pub name: String,
    pub kind: DestinationKind,
    pub url: String,
    pub username: Option<String>,
    pub sealed_secret: String,
    pub options: publish::DestinationOptions,
    pub schedule: publish::PublishSchedule,
}

/// What a change sets; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct DestinationUpdate {
    pub name: Option<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub sealed_secret: Option<String>,
    pub options: Option<publish::DestinationOptions>,
    pub schedule: Option<publish::PublishSchedule>,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(DomainError::InvalidValue {
            field: "name",
            value: format!("{name:?}: 1 to {NAME_MAX_CHARS} characters"),
        }
        .into());
    }
    Ok(name.to_string())
}

fn check_username(kind: DestinationKind, username: Option<&str>) -> Result<Option<String>> {
    match (kind, username.map(str::trim)) {
        (DestinationKind::WordPress, Some(u)) if !u.is_empty() && u.len() <= 200 => {
            Ok(Some(u.to_string()))
        }
        (DestinationKind::WordPress, _) => Err(DomainError::InvalidValue {
            field: "username",
            value: "missing: WordPress needs the user the application password belongs to".into(),
        }
        .into()),
        (DestinationKind::Webhook, _) => Ok(None),
    }
}

impl Db {
    pub async fn create_destination(
        &self,
        account: AccountId,
        new: &NewDestination,
    ) -> Result<Destination> {
        let name = check_name(&new.name)?;
        let url = validate_destination_url(new.kind, &new.url)?;
        let username = check_username(new.kind, new.username.as_deref())?;
        new.options.validate()?;
        new.schedule.validate()?;
        // The site must be the account's: the insert below would take any id.
        self.site(account, new.site).await?;
        let now = now_ms();
        let row: DestRow = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO destinations (account_id, site_id, name, kind, url, username, sealed_secret, options, schedule, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10) RETURNING {DEST_COLS}")))
            .bind(account.get()).bind(new.site.get()).bind(&name).bind(new.kind.as_str())
            .bind(&url).bind(&username).bind(&new.sealed_secret)
            .bind(to_json(&new.options)).bind(to_json(&new.schedule)).bind(now)
            .fetch_one(p).await)?;
        row.try_into()
    }

    /// The site's destinations, removed ones too (their records stay readable), by id.
    pub async fn destinations(&self, account: AccountId, site: SiteId) -> Result<Vec<Destination>> {
        let rows: Vec<DestRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {DEST_COLS} FROM destinations WHERE account_id = $1 AND site_id = $2 ORDER BY id")))
            .bind(account.get()).bind(site.get()).fetch_all(p).await)?;
        rows.into_iter().map(Destination::try_from).collect()
    }

    pub async fn destination(&self, account: AccountId, id: DestinationId) -> Result<Destination> {
        let row: Option<DestRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {DEST_COLS} FROM destinations WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("destination", id))?
            .try_into()
    }

    /// The destination's sealed secret, for the client that talks to it.
    pub async fn destination_secret(
        &self,
        account: AccountId,
        id: DestinationId,
    ) -> Result<String> {
        let row: Option<(String,)> = on_db!(self, p => sqlx::query_as(
            "SELECT sealed_secret FROM destinations WHERE account_id = $1 AND id = $2")
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        Ok(row
            .ok_or_else(|| StoreError::not_found("destination", id))?
            .0)
    }

    pub async fn update_destination(
        &self,
        account: AccountId,
        id: DestinationId,
        change: &DestinationUpdate,
    ) -> Result<Destination> {
        let current = self.destination(account, id).await?;
        if current.status == DestinationStatus::Removed {
            return Err(StoreError::Refused(format!(
                "destination {id} was removed; add a new one"
            )));
        }
        let name = check_name(change.name.as_deref().unwrap_or(&current.name))?;
        let url =
            validate_destination_url(current.kind, change.url.as_deref().unwrap_or(&current.url))?;
        let username = check_username(
            current.kind,
            change.username.as_deref().or(current.username.as_deref()),
        )?;
        let options = change.options.as_ref().unwrap_or(&current.options);
        options.validate()?;
        let schedule = change.schedule.as_ref().unwrap_or(&current.schedule);
        schedule.validate()?;
        let row: Option<DestRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE destinations SET name = $1, url = $2, username = $3,
                sealed_secret = COALESCE($4, sealed_secret), options = $5, schedule = $6, updated_at = $7
             WHERE account_id = $8 AND id = $9 AND status = 'active' RETURNING {DEST_COLS}")))
            .bind(&name).bind(&url).bind(&username).bind(&change.sealed_secret)
            .bind(to_json(options)).bind(to_json(schedule)).bind(now_ms())
            .bind(account.get()).bind(id.get())
            .fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("destination", id))?
            .try_into()
    }

    /// Marks the destination removed; its queued (pending, failed, unknown) records stay and
    /// are not sent: the publish job refuses a removed destination.
    pub async fn remove_destination(&self, account: AccountId, id: DestinationId) -> Result<()> {
        let changed = on_db!(self, p => sqlx::query(
            "UPDATE destinations SET status = 'removed', updated_at = $1 WHERE account_id = $2 AND id = $3")
            .bind(now_ms()).bind(account.get()).bind(id.get())
            .execute(p).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("destination", id));
        }
        Ok(())
    }
}
