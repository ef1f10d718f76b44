//! One article: read it whole, edit it, move it through review (one or many), regenerate it,
//! its revisions, links and images.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::{id_batch, own_site};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pressroom_domain::{ContentId, ContentStatus, LinkId, RevisionId};
use pressroom_pipeline::article::{self, Urls, load_article};
use pressroom_pipeline::content::{self as editorial, ContentEdit, ContentEditInput};
use serde::Deserialize;
use utoipa::IntoParams;

/// Most content ids one bulk review may name.
const MAX_REVIEW_IDS: usize = 500;

async fn article_dto(s: &AppState, c: &Caller, id: ContentId) -> ApiResult<ArticleDto> {
    Ok(
        load_article(&s.pipeline, c.account(), id, &Urls::site_relative())
            .await?
            .into(),
    )
}

#[utoipa::path(get, path = "/api/v1/content/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ArticleDto), (status = 404, body = ErrorBody)))]
pub(super) async fn get_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ArticleDto>> {
    Ok(Json(article_dto(&s, &c, ContentId::new(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/content/{id}", params(("id" = i64, Path)), request_body = ContentEditBody,
    responses((status = 200, body = ArticleDto, description = "Saved; the on-page check is recomputed"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn edit_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ContentEditBody>,
) -> ApiResult<Json<ArticleDto>> {
    c.require_edit()?;
    // Checked before anything is read, so bad text never depends on what is stored.
    let edit = ContentEdit::parse(ContentEditInput {
        title: body.title.as_deref(),
        body_markdown: body.body_markdown.as_deref(),
        meta_title: body.meta_title.as_deref(),
        meta_description: body.meta_description.as_deref(),
        slug: body.slug.as_deref(),
        excerpt: body.excerpt.as_deref(),
        primary_keyword: body.primary_keyword.as_deref(),
        slug_from_title: body.slug_from_title,
    })?;
    if edit.is_empty() {
        return Err(ApiError::invalid(
            "body: give at least one of title, body_markdown, meta_title, meta_description, slug, excerpt, primary_keyword",
        ));
    }
    let id = ContentId::new(id);
    editorial::edit_content(&s.pipeline, c.account(), id, edit).await?;
    Ok(Json(article_dto(&s, &c, id).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(super) struct ApproveQuery {
    /// Set to approve an offline sample (written without a model).
    #[serde(default)]
    confirm_offline: bool,
}

#[utoipa::path(post, path = "/api/v1/content/{id}/approve", params(("id" = i64, Path), ApproveQuery),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not in review, or an offline sample without confirm_offline")))]
pub(super) async fn approve_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ApproveQuery>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        actions::review(&s, &c, id, ContentStatus::Approved, q.confirm_offline)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/reject", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn reject_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        actions::review(&s, &c, id, ContentStatus::Rejected, false)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/reopen", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto, description = "A rejected article is back in review"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn reopen_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        actions::review(&s, &c, id, ContentStatus::Review, false)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/sites/{site}/content/review", params(("site" = i64, Path)), request_body = BulkReviewBody,
    responses((status = 200, body = [ReviewOutcomeDto], description = "One outcome per article; a refused one says why"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn bulk_review(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiJson(body): ApiJson<BulkReviewBody>,
) -> ApiResult<Json<Vec<ReviewOutcomeDto>>> {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let to = match body.action.as_str() {
        "approve" => ContentStatus::Approved,
        "reject" => ContentStatus::Rejected,
        "reopen" => ContentStatus::Review,
        other => {
            return Err(ApiError::invalid(format!(
                "action: {other:?} is not one of approve, reject, reopen"
            )));
        }
    };
    let outcomes = if body.all_passing {
        if to != ContentStatus::Approved || !body.ids.is_empty() {
            return Err(ApiError::invalid(
                "all_passing: only with action approve and no ids",
            ));
        }
        editorial::review_passing(&s.pipeline, c.account(), site.id).await?
    } else {
        let ids = id_batch(
            &body.ids,
            MAX_REVIEW_IDS,
            "content",
            ", or all_passing",
            ContentId::new,
        )?;
        editorial::review_on_site(
            &s.pipeline,
            c.account(),
            site.id,
            &ids,
            to,
            body.confirm_offline,
        )
        .await?
    };
    Ok(Json(
        outcomes.into_iter().map(ReviewOutcomeDto::from).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/regenerate", params(("id" = i64, Path)),
    responses((status = 200, body = ArticleDto, description = "Written again (charged); the old text is a revision"),
              (status = 402, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn regenerate_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ArticleDto>> {
    c.require_edit()?;
    let id = ContentId::new(id);
    editorial::regenerate_content(&s.pipeline, c.account(), id).await?;
    Ok(Json(article_dto(&s, &c, id).await?))
}

#[utoipa::path(get, path = "/api/v1/content/{id}/revisions", params(("id" = i64, Path)),
    responses((status = 200, body = [RevisionDto], description = "Earlier texts, newest first"), (status = 404, body = ErrorBody)))]
pub(super) async fn list_revisions(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<RevisionDto>>> {
    let db = s.pipeline.db();
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let rows = db.revisions(c.account(), content.id).await?;
    Ok(Json(rows.into_iter().map(RevisionDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/revisions/{revision}/restore", params(("id" = i64, Path), ("revision" = i64, Path)),
    responses((status = 200, body = ArticleDto, description = "The revision is back as a new version"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn restore_revision(
    State(s): State<AppState>,
    c: Caller,
    ApiPath((id, revision)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<ArticleDto>> {
    c.require_edit()?;
    let id = ContentId::new(id);
    editorial::restore_revision(&s.pipeline, c.account(), id, RevisionId::new(revision)).await?;
    Ok(Json(article_dto(&s, &c, id).await?))
}

#[utoipa::path(get, path = "/api/v1/content/{id}/links", params(("id" = i64, Path)),
    responses((status = 200, body = [LinkDto], description = "Links from and to the article, removed ones included"),
              (status = 404, body = ErrorBody)))]
pub(super) async fn list_links(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<LinkDto>>> {
    let db = s.pipeline.db();
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let rows = db.links_of_content(c.account(), content.id).await?;
    Ok(Json(rows.into_iter().map(LinkDto::from).collect()))
}

#[utoipa::path(delete, path = "/api/v1/links/{id}", params(("id" = i64, Path)),
    responses((status = 204, description = "Removed; not planned again"), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_link(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::http::StatusCode> {
    c.require_edit()?;
    article::remove_link(&s.pipeline, c.account(), LinkId::new(id)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/content/{id}/images", params(("id" = i64, Path)),
    responses((status = 200, body = [ImageDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn content_images(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ImageDto>>> {
    let db = s.pipeline.db();
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let rows = db.images_of_content(c.account(), content.id).await?;
    Ok(Json(rows.into_iter().map(ImageDto::from).collect()))
}
