//! One article: read it as a reader will (images in the body, links in place), its on-page
//! check, its links, images and revisions; edit it, review it, regenerate it.

use super::view::{Empty, Nav, csrf, nav, render};
use crate::actions;
use crate::auth::{CsrfForm, PageUser};
use crate::dto::{ArticleDto, ImageDto, LinkDto, RevisionDto};
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::article::fit::{META_DESCRIPTION_MAX, META_DESCRIPTION_MIN, META_TITLE_MAX};
use pressroom_domain::{ContentId, ContentStatus, LinkId, RevisionId, Status};
use pressroom_pipeline::article::{self, Urls, load_article, media_url};
use pressroom_pipeline::content::{self, ContentEdit, ContentEditInput};
use pressroom_store::LinkView;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "content.html")]
struct ContentTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    a: ArticleDto,
    featured: Option<ImageDto>,
    /// Links from and to this article, removed ones included.
    links: Vec<LinkDto>,
    revisions: Vec<RevisionDto>,
    csrf: String,
    can_edit: bool,
    /// The review moves the domain allows from the article's status: the page offers only these.
    moves: ReviewMoves,
    meta_title_max: usize,
    meta_description_min: usize,
    meta_description_max: usize,
    /// The article's record at each destination.
    publishing: Vec<super::publishing_panel::PublicationLine>,
}

struct ReviewMoves {
    approve: bool,
    reject: bool,
    reopen: bool,
}

impl ReviewMoves {
    fn from(status: ContentStatus) -> ReviewMoves {
        let can = |to: ContentStatus| status.check_move(to).is_ok();
        ReviewMoves {
            approve: can(ContentStatus::Approved),
            reject: can(ContentStatus::Rejected),
            reopen: status == ContentStatus::Rejected && can(ContentStatus::Review),
        }
    }
}

/// In the app, an article's links lead to that article's page.
fn in_app() -> Urls<'static> {
    Urls {
        media: &|i: &pressroom_domain::Image| i.file_path.as_deref().map(media_url),
        article: &|l: &LinkView| format!("/content/{}", l.link.target_id),
    }
}

pub(super) async fn content_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let db = s.pipeline.db();
    let view = load_article(&s.pipeline, c.account(), ContentId::new(id), &in_app()).await?;
    let site = db.site(c.account(), view.content.site_id).await?;
    let links = db.links_of_content(c.account(), view.content.id).await?;
    let revisions = db.revisions(c.account(), view.content.id).await?;
    let moves = ReviewMoves::from(view.content.status);
    let publishing = super::publishing_panel::panel(&s, &c, view.content.id).await?;
    let a: ArticleDto = view.into();
    let featured = a
        .images
        .iter()
        .find(|i| i.image_type == "featured")
        .cloned();
    render(&ContentTpl {
        nav: Some(nav(&c, "content", Some(&site))),
        flash: None,
        moves,
        featured,
        links: links.into_iter().map(LinkDto::from).collect(),
        revisions: revisions.into_iter().map(RevisionDto::from).collect(),
        a,
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
        meta_title_max: META_TITLE_MAX,
        meta_description_min: META_DESCRIPTION_MIN,
        meta_description_max: META_DESCRIPTION_MAX,
        publishing,
    })
}

fn back(id: i64) -> PageResult {
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct ApproveForm {
    /// Ticked to approve an offline sample.
    confirm_offline: Option<String>,
}

pub(super) async fn approve(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<ApproveForm>,
) -> PageResult {
    let confirm = f.confirm_offline.is_some();
    actions::review(&s, &c, id, ContentStatus::Approved, confirm).await?;
    back(id)
}

pub(super) async fn reject(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::review(&s, &c, id, ContentStatus::Rejected, false).await?;
    back(id)
}

/// A rejected article back to review.
pub(super) async fn reopen(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::review(&s, &c, id, ContentStatus::Review, false).await?;
    back(id)
}

/// The edit form; a field the form does not send keeps its stored value.
#[derive(Deserialize)]
pub(super) struct EditForm {
    title: String,
    /// Ticked: the slug follows the new title.
    slug_from_title: Option<String>,
    slug: Option<String>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    excerpt: Option<String>,
    primary_keyword: Option<String>,
    body_markdown: String,
}

pub(super) async fn edit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<EditForm>,
) -> PageResult {
    c.require_edit()?;
    let slug_from_title = f.slug_from_title.is_some();
    let edit = ContentEdit::parse(ContentEditInput {
        title: Some(&f.title),
        body_markdown: Some(&f.body_markdown),
        meta_title: f.meta_title.as_deref(),
        meta_description: f.meta_description.as_deref(),
        // The box's slug loses to "follow the title" when that is ticked.
        slug: f.slug.as_deref().filter(|_| !slug_from_title),
        excerpt: f.excerpt.as_deref(),
        primary_keyword: f.primary_keyword.as_deref(),
        slug_from_title,
    })?;
    content::edit_content(&s.pipeline, c.account(), ContentId::new(id), edit).await?;
    back(id)
}

pub(super) async fn regenerate(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    content::regenerate_content(&s.pipeline, c.account(), ContentId::new(id)).await?;
    back(id)
}

pub(super) async fn restore(
    State(s): State<AppState>,
    Path((id, revision)): Path<(i64, i64)>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    content::restore_revision(
        &s.pipeline,
        c.account(),
        ContentId::new(id),
        RevisionId::new(revision),
    )
    .await?;
    back(id)
}

pub(super) async fn remove_link(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    let link = article::remove_link(&s.pipeline, c.account(), LinkId::new(id)).await?;
    back(link.source_id.get())
}
