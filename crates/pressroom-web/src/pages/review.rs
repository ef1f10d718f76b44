//! The content list: each article's status, on-page score and offline mark, with boxes to
//! approve or reject many at once (or every article whose checks all pass).

use super::view::{Nav, csrf, fmt_time, nav, render};
use crate::auth::{CsrfForm, PageUser};
use crate::error::{ApiError, PageResult};
use crate::input::{own_site, ticked_ids};
use crate::lists::{Contents, list};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::*;
use pressroom_pipeline::content::{self, ReviewOutcome};
use serde::Deserialize;

/// Rows the page reads at most (the API and CLI page through more).
const LIST_ROWS: u32 = 1000;
/// Articles one bulk action may name: every row the page shows.
const MAX_TICKED: usize = LIST_ROWS as usize;

struct Row {
    id: i64,
    title: String,
    words: i64,
    primary_keyword: String,
    score: String,
    passing: bool,
    offline: bool,
    updated: String,
    status: String,
    reviewable: bool,
}

#[derive(Template)]
#[template(path = "content_list.html")]
struct ContentListTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    site_id: i64,
    statuses: Vec<&'static str>,
    status: String,
    rows: Vec<Row>,
    csrf: String,
    can_edit: bool,
}

#[derive(Deserialize)]
pub(super) struct ListParams {
    status: Option<String>,
    /// What the last bulk action did, for the banner.
    done: Option<String>,
}

pub(super) async fn content_list(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let (site, rows) = list::<Contents>(&s, &c, site, q.status.as_deref(), LIST_ROWS).await?;
    render(&ContentListTpl {
        nav: Some(nav(&c, "content", Some(&site))),
        flash: q.done,
        site_id: site.id.get(),
        statuses: ContentStatus::ALL.iter().map(|s| s.as_str()).collect(),
        status: q.status.unwrap_or_default(),
        rows: rows
            .into_iter()
            .map(|r| Row {
                id: r.id.get(),
                score: r
                    .checks
                    .as_ref()
                    .map_or("-".into(), |c| c.score.to_string()),
                passing: r.checks.as_ref().is_some_and(|c| c.passing()),
                reviewable: r.status == ContentStatus::Review,
                title: r.title,
                words: r.word_count,
                primary_keyword: r.primary_keyword,
                offline: r.offline,
                updated: fmt_time(r.updated_at),
                status: r.status.to_string(),
            })
            .collect(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
    })
}

/// The bulk form: `action` and repeated `ids` fields (one per ticked box).
pub(super) async fn bulk(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, fields): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let confirm_offline = field("confirm_offline").is_some();
    let outcomes: Vec<ReviewOutcome> = match field("action") {
        Some("approve_passing") => {
            content::review_passing(&s.pipeline, c.account(), site.id).await?
        }
        Some(action @ ("approve" | "reject")) => {
            let to = if action == "approve" {
                ContentStatus::Approved
            } else {
                ContentStatus::Rejected
            };
            let ids: Vec<ContentId> = ticked_ids(&fields)?;
            if ids.is_empty() || ids.len() > MAX_TICKED {
                return Err(ApiError::invalid(format!(
                    "ids: tick between 1 and {MAX_TICKED} articles"
                ))
                .into());
            }
            content::review_on_site(&s.pipeline, c.account(), site.id, &ids, to, confirm_offline)
                .await?
        }
        other => {
            return Err(ApiError::invalid(format!(
                "action: {:?} is not approve, reject or approve_passing",
                other.unwrap_or("")
            ))
            .into());
        }
    };
    let done = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let refused: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err().cloned())
        .collect();
    let mut message = format!("{done} of {} articles moved", outcomes.len());
    if !refused.is_empty() {
        message.push_str(&format!("; refused: {}", refused.join("; ")));
    }
    let to = format!("/sites/{}/content?done={}", site.id, urlencoding(&message));
    Ok(Redirect::to(&to).into_response())
}

/// Percent-encodes a query value (the banner text).
fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|q| q.trim_start_matches("x=").to_string())
        .unwrap_or_default()
}
