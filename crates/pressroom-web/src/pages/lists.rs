//! The table pages (clusters, ideas, tasks): one handler, [`table`], draws any
//! [`Listing`] whose rows say how they fill a [`Table`]. A row may link to its own page and
//! carry a delete button (ideas still `new`), shown to editors.

use super::view::{Nav, csrf, nav, render};
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::lists::{Clusters, Ideas, Listing, Tasks, list};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use pressroom_domain::*;
use serde::Deserialize;

/// Rows a table page reads at most (the API pages through more).
const TABLE_ROWS: u32 = 1000;

/// How a kind of row is drawn as a table.
pub(super) trait Table: Listing {
    const HEADING: &'static str;
    /// The nav entry lit on this page.
    const NAV: &'static str;
    /// Column names; the last column is always Status.
    const HEADERS: &'static [&'static str];
    fn row(r: Self::Row) -> Row;
}

pub(super) struct Row {
    cells: Vec<String>,
    href: Option<String>,
    status: String,
    /// Where the row's delete button posts, when the row may be deleted.
    delete: Option<String>,
}

#[derive(Template)]
#[template(path = "table.html")]
struct TableTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    heading: &'static str,
    headers: &'static [&'static str],
    statuses: Vec<&'static str>,
    status: String,
    rows: Vec<Row>,
    csrf: String,
    can_edit: bool,
}

#[derive(Deserialize)]
pub(super) struct StatusParam {
    status: Option<String>,
}

/// The table page of kind `T` for the caller's site, filtered by `?status=`.
pub(super) async fn table<T: Table>(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<StatusParam>,
) -> PageResult {
    let (site, rows) = list::<T>(&s, &c, site, q.status.as_deref(), TABLE_ROWS).await?;
    render(&TableTpl {
        nav: Some(nav(&c, T::NAV, Some(&site))),
        flash: None,
        heading: T::HEADING,
        headers: T::HEADERS,
        statuses: <T::Status as Status>::ALL
            .iter()
            .map(|s| s.as_str())
            .collect(),
        status: q.status.unwrap_or_default(),
        rows: rows.into_iter().map(T::row).collect(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
    })
}

impl Table for Clusters {
    const HEADING: &'static str = "Clusters";
    const NAV: &'static str = "clusters";
    const HEADERS: &'static [&'static str] = &["Name", "Keywords", "Volume", "Method", "Status"];
    fn row(r: Cluster) -> Row {
        Row {
            href: Some(format!("/clusters/{}", r.id)),
            cells: vec![
                r.name,
                r.keyword_count.to_string(),
                r.total_volume.to_string(),
                r.method.to_string(),
            ],
            status: r.status.to_string(),
            delete: None,
        }
    }
}

impl Table for Ideas {
    const HEADING: &'static str = "Ideas";
    const NAV: &'static str = "ideas";
    const HEADERS: &'static [&'static str] =
        &["Title", "Primary keyword", "Structure", "Words", "Status"];
    fn row(r: Idea) -> Row {
        Row {
            // Only an idea no task was made from may go.
            delete: (r.status == IdeaStatus::New).then(|| format!("/ideas/{}/delete", r.id)),
            cells: vec![
                r.title,
                r.primary_keyword,
                r.content_structure.to_string(),
                r.target_words.to_string(),
            ],
            href: None,
            status: r.status.to_string(),
        }
    }
}

impl Table for Tasks {
    const HEADING: &'static str = "Tasks";
    const NAV: &'static str = "tasks";
    const HEADERS: &'static [&'static str] = &["Title", "Words", "Error", "Status"];
    fn row(r: Task) -> Row {
        Row {
            cells: vec![
                r.title,
                r.target_words.to_string(),
                r.error.unwrap_or_default(),
            ],
            href: None,
            status: r.status.to_string(),
            delete: None,
        }
    }
}
