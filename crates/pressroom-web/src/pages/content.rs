//! One article: read it with its images, edit it, and the review moves its status allows.

use super::view::{Empty, Nav, csrf, nav, render};
use crate::actions;
use crate::auth::{CsrfForm, PageUser};
use crate::dto::{ContentDto, ImageDto};
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{ContentId, ContentStatus, Image, ImageType, Status};
use pressroom_pipeline::content::{ContentEdit, edit_content};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "content.html")]
struct ContentTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    c: ContentDto,
    featured: Option<ImageDto>,
    in_article: Vec<ImageDto>,
    csrf: String,
    can_edit: bool,
    /// The review moves the domain allows from the article's status: the page offers only these.
    moves: ReviewMoves,
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

pub(super) async fn content_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let db = s.pipeline.db();
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let site = db.site(c.account(), content.site_id).await?;
    let imgs = db.images_of_content(c.account(), content.id).await?;
    let (featured, in_article): (Vec<Image>, Vec<Image>) = imgs
        .into_iter()
        .partition(|i| i.image_type == ImageType::Featured);
    render(&ContentTpl {
        nav: Some(nav(&c, "content", Some(&site))),
        flash: None,
        moves: ReviewMoves::from(content.status),
        c: content.into(),
        featured: featured.into_iter().next().map(ImageDto::from),
        in_article: in_article.into_iter().map(ImageDto::from).collect(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
    })
}

pub(super) async fn approve(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::review(&s, &c, id, ContentStatus::Approved).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

pub(super) async fn reject(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::review(&s, &c, id, ContentStatus::Rejected).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

/// A rejected article back to review.
pub(super) async fn reopen(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::review(&s, &c, id, ContentStatus::Review).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct EditForm {
    title: String,
    body_markdown: String,
}

pub(super) async fn edit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<EditForm>,
) -> PageResult {
    c.require_edit()?;
    let edit = ContentEdit::parse(Some(&f.title), Some(&f.body_markdown))?;
    edit_content(&s.pipeline, c.account(), ContentId::new(id), edit).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}
