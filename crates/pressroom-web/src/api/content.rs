//! One article: read it, edit it, move it through review, list its images.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pressroom_domain::{ContentId, ContentStatus};
use pressroom_pipeline::content::{self as editorial, ContentEdit};

#[utoipa::path(get, path = "/api/v1/content/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody)))]
pub(super) async fn get_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        s.pipeline
            .db()
            .content(c.account(), ContentId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/api/v1/content/{id}", params(("id" = i64, Path)), request_body = ContentEditBody,
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn edit_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ContentEditBody>,
) -> ApiResult<Json<ContentDto>> {
    if body.title.is_none() && body.body_markdown.is_none() {
        return Err(ApiError::invalid(
            "body: give title and/or body_markdown to change",
        ));
    }
    c.require_edit()?;
    // Checked before anything is read, so bad text never depends on what is stored.
    let edit = ContentEdit::parse(body.title.as_deref(), body.body_markdown.as_deref())?;
    let content =
        editorial::edit_content(&s.pipeline, c.account(), ContentId::new(id), edit).await?;
    Ok(Json(content.into()))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/approve", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn approve_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        actions::review(&s, &c, id, ContentStatus::Approved)
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
        actions::review(&s, &c, id, ContentStatus::Rejected)
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
        actions::review(&s, &c, id, ContentStatus::Review)
            .await?
            .into(),
    ))
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
