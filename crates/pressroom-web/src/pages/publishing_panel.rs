//! The article page's Publishing panel: the article's record at each destination (status,
//! live link, the post-publish check, SEO meta the destination dropped, the last error) and
//! the Unpublish button (back to draft) for published ones.

use super::view::fmt_opt;
use crate::auth::{Caller, CsrfForm};
use crate::error::{ApiResult, PageResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{ContentId, PublicationId, PublicationStatus};
use pressroom_pipeline::publish;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// One row of the panel.
pub(super) struct PublicationLine {
    pub id: i64,
    pub destination: String,
    pub status: String,
    pub url: Option<String>,
    /// "passed", "failed: why" or "not checked".
    pub live: String,
    /// SEO meta keys the destination did not keep, comma-separated; empty when none.
    pub seo_dropped: String,
    pub last_error: Option<String>,
    pub published_at: String,
    pub can_unpublish: bool,
}

fn live_text(check: Option<&Value>) -> String {
    match check {
        None => "not checked".into(),
        Some(c) if c["passed"].as_bool() == Some(true) => "passed".into(),
        Some(c) => match c["error"].as_str() {
            Some(e) => format!("failed: {e}"),
            None => {
                let mut missing = Vec::new();
                if c["title_found"].as_bool() == Some(false) {
                    missing.push("title not found");
                }
                if c["image_found"].as_bool() == Some(false) {
                    missing.push("featured image not found");
                }
                match c["http_status"].as_u64() {
                    Some(s) if s != 200 => format!("failed: HTTP {s}"),
                    _ if missing.is_empty() => "failed".into(),
                    _ => format!("failed: {}", missing.join(", ")),
                }
            }
        },
    }
}

fn dropped_text(seo: Option<&Value>) -> String {
    seo.and_then(|s| s["dropped"].as_array())
        .map(|d| {
            d.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The panel's rows for `content` (the caller's own: the page loaded it first).
pub(super) async fn panel(
    s: &AppState,
    c: &Caller,
    content: ContentId,
) -> ApiResult<Vec<PublicationLine>> {
    let db = s.pipeline.db();
    let records = db.publications_of_content(c.account(), content).await?;
    // An article's records are all of its site: one read names every destination.
    let names: HashMap<i64, String> = match records.first() {
        Some(r) => db
            .destinations(c.account(), r.site_id)
            .await?
            .into_iter()
            .map(|d| (d.id.get(), d.name))
            .collect(),
        None => HashMap::new(),
    };
    let mut lines = Vec::with_capacity(records.len());
    for r in records {
        lines.push(PublicationLine {
            id: r.id.get(),
            destination: names
                .get(&r.destination_id.get())
                .cloned()
                .unwrap_or_else(|| format!("destination {}", r.destination_id)),
            status: r.status.to_string(),
            live: live_text(r.live_check.as_ref()),
            seo_dropped: dropped_text(r.seo_report.as_ref()),
            can_unpublish: r.status == PublicationStatus::Published,
            url: r.url,
            last_error: r.last_error,
            published_at: fmt_opt(r.published_at),
        });
    }
    Ok(lines)
}

#[derive(Deserialize)]
pub(super) struct UnpublishForm {
    /// Ticked: to the trash rather than back to draft.
    trash: Option<String>,
}

pub(super) async fn unpublish(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<UnpublishForm>,
) -> PageResult {
    c.require_edit()?;
    let done = publish::unpublish(
        &s.pipeline,
        c.account(),
        PublicationId::new(id),
        f.trash.is_some(),
    )
    .await?;
    Ok(Redirect::to(&format!("/content/{}", done.content_id)).into_response())
}
