//! Rows of the publishing tables and their conversion to domain values.

use crate::{Result, StoreError};
use pressroom_domain::*;

pub(super) const DEST_COLS: &str = "id, account_id, site_id, name, kind, url, username, options, schedule, status, created_at, updated_at";
pub(super) const PUB_COLS: &str = "id, account_id, site_id, content_id, destination_id, status, scheduled_at, held, force_offline, external_id, url, sent_version, attempts, last_error, seo_report, live_check, published_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(super) struct DestRow {
    id: i64,
    account_id: i64,
    site_id: i64,
    name: String,
    kind: String,
    url: String,
    username: Option<String>,
    options: String,
    schedule: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

fn corrupt(what: &'static str, id: i64, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: format!("{id}: {e}"),
    }
}

impl TryFrom<DestRow> for Destination {
    type Error = StoreError;
    fn try_from(r: DestRow) -> Result<Destination> {
        Ok(Destination {
            id: DestinationId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            name: r.name,
            kind: DestinationKind::parse(&r.kind)?,
            url: r.url,
            username: r.username,
            options: serde_json::from_str(&r.options)
                .map_err(|e| corrupt("destination options", r.id, e))?,
            schedule: serde_json::from_str(&r.schedule)
                .map_err(|e| corrupt("destination schedule", r.id, e))?,
            status: DestinationStatus::parse(&r.status)?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PubRow {
    id: i64,
    account_id: i64,
    site_id: i64,
    content_id: i64,
    destination_id: i64,
    status: String,
    scheduled_at: Option<i64>,
    held: bool,
    force_offline: bool,
    external_id: Option<String>,
    url: Option<String>,
    sent_version: Option<i64>,
    attempts: i64,
    last_error: Option<String>,
    seo_report: Option<String>,
    live_check: Option<String>,
    published_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

fn json_opt(what: &'static str, id: i64, s: Option<String>) -> Result<Option<serde_json::Value>> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| corrupt(what, id, e)))
        .transpose()
}

impl TryFrom<PubRow> for Publication {
    type Error = StoreError;
    fn try_from(r: PubRow) -> Result<Publication> {
        Ok(Publication {
            id: PublicationId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            content_id: ContentId::new(r.content_id),
            destination_id: DestinationId::new(r.destination_id),
            status: PublicationStatus::parse(&r.status)?,
            scheduled_at: r.scheduled_at,
            held: r.held,
            force_offline: r.force_offline,
            external_id: r.external_id,
            url: r.url,
            sent_version: r.sent_version,
            attempts: r.attempts,
            last_error: r.last_error,
            seo_report: json_opt("publication SEO report", r.id, r.seo_report)?,
            live_check: json_opt("publication live check", r.id, r.live_check)?,
            published_at: r.published_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}
