//! One cluster's page: its keywords and ideas, and the edits a person makes to the plan
//! (rename, archive or restore, merge into another cluster, move or split off keywords
//! chosen with checkboxes). Every form posts with the session's CSRF token and calls the
//! action the API calls, then sends the browser back to a cluster page. Also the keyword
//! buttons of the keywords page and the idea delete button of the ideas table.

use super::view::{Empty, Nav, csrf, nav, render};
use crate::actions::{self, KeywordAction};
use crate::auth::{CsrfForm, PageUser};
use crate::dto::{ClusterDto, IdeaDto, KeywordDto};
use crate::error::{ApiError, PageResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{ClusterId, ClusterStatus};
use serde::Deserialize;

/// Keywords and ideas a cluster page shows at most.
const PAGE_ROWS: u32 = 1000;

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    c: ClusterDto,
    archived: bool,
    keywords: Vec<KeywordDto>,
    ideas: Vec<IdeaDto>,
    /// The site's other clusters that can take keywords or a merge: (id, name).
    others: Vec<(i64, String)>,
    csrf: String,
    can_edit: bool,
}

pub(super) async fn cluster_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let db = s.pipeline.db();
    let account = c.account();
    let cluster = db.cluster(account, ClusterId::new(id)).await?;
    let site = db.site(account, cluster.site_id).await?;
    let keywords = db
        .keywords_in_cluster(account, cluster.id, PAGE_ROWS)
        .await?;
    let ideas = db.ideas_in_cluster(account, cluster.id, PAGE_ROWS).await?;
    let others = db
        .clusters(account, site.id, None, PAGE_ROWS)
        .await?
        .into_iter()
        .filter(|o| o.id != cluster.id && o.status != ClusterStatus::Archived)
        .map(|o| (o.id.get(), o.name))
        .collect();
    render(&ClusterTpl {
        nav: Some(nav(&c, "clusters", Some(&site))),
        flash: None,
        archived: cluster.status == ClusterStatus::Archived,
        c: cluster.into(),
        keywords: keywords.into_iter().map(KeywordDto::from).collect(),
        ideas: ideas.into_iter().map(IdeaDto::from).collect(),
        others,
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
    })
}

fn to_cluster(id: i64) -> PageResult {
    Ok(Redirect::to(&format!("/clusters/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct RenameForm {
    name: String,
    description: String,
}

pub(super) async fn rename(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<RenameForm>,
) -> PageResult {
    actions::edit_cluster(&s, &c, id, Some(&f.name), Some(&f.description), None).await?;
    to_cluster(id)
}

pub(super) async fn archive(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::edit_cluster(&s, &c, id, None, None, Some("archived")).await?;
    to_cluster(id)
}

pub(super) async fn restore(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::edit_cluster(&s, &c, id, None, None, Some("new")).await?;
    to_cluster(id)
}

#[derive(Deserialize)]
pub(super) struct MergeForm {
    into: i64,
}

/// Merges this cluster into the chosen one and shows that one.
pub(super) async fn merge(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<MergeForm>,
) -> PageResult {
    let merged = actions::merge_clusters(&s, &c, id, f.into).await?;
    to_cluster(merged.into.id.get())
}

/// The keyword form's fields: every checked `keywords` box, the target cluster `to` (move)
/// and the new cluster's `name` (split). A form repeats `keywords`, which a struct cannot
/// hold, so it arrives as pairs.
struct KeywordForm {
    keywords: Vec<i64>,
    to: Option<i64>,
    name: String,
}

impl KeywordForm {
    fn parse(pairs: Vec<(String, String)>) -> Result<KeywordForm, ApiError> {
        let mut form = KeywordForm {
            keywords: Vec::new(),
            to: None,
            name: String::new(),
        };
        for (key, value) in pairs {
            let number = || {
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid(format!("{key}: not an id: {value:?}")))
            };
            match key.as_str() {
                "keywords" => form.keywords.push(number()?),
                "to" if !value.trim().is_empty() => form.to = Some(number()?),
                "name" => form.name = value,
                _ => {}
            }
        }
        Ok(form)
    }
}

/// Moves the checked keywords to the chosen cluster, then shows this cluster again.
pub(super) async fn move_keywords(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let f = KeywordForm::parse(pairs)?;
    let to =
        f.to.ok_or_else(|| ApiError::invalid("to: choose the cluster to move the keywords to"))?;
    actions::move_keywords(&s, &c, &f.keywords, to).await?;
    to_cluster(id)
}

/// Splits the checked keywords off into a new cluster and shows the new one.
pub(super) async fn split(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let f = KeywordForm::parse(pairs)?;
    let made = actions::split_cluster(&s, &c, id, &f.keywords, &f.name).await?;
    to_cluster(made.id.get())
}

/// One keyword's button on the keywords page; back to the site's keywords.
async fn keyword_button(
    s: &AppState,
    c: &crate::auth::Caller,
    id: i64,
    action: KeywordAction,
) -> PageResult {
    let edited = actions::edit_keywords(s, c, &[id], action).await?;
    let site = edited
        .keywords
        .first()
        .map(|k| k.site_id.get())
        .ok_or_else(|| ApiError::not_found(format!("keyword {id} not found")))?;
    Ok(Redirect::to(&format!("/sites/{site}/keywords")).into_response())
}

pub(super) async fn archive_keyword(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    keyword_button(&s, &c, id, KeywordAction::Archive).await
}

pub(super) async fn restore_keyword(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    keyword_button(&s, &c, id, KeywordAction::Restore).await
}

pub(super) async fn delete_keyword(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    keyword_button(&s, &c, id, KeywordAction::Delete).await
}

/// The ideas table's delete button; back to the site's ideas.
pub(super) async fn delete_idea(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    let idea = actions::delete_idea(&s, &c, id).await?;
    Ok(Redirect::to(&format!("/sites/{}/ideas", idea.site_id)).into_response())
}
