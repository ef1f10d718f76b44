//! A site's publishing queue: read it; hold, release, send now and reorder its items
//! (editors). The same pipeline functions as `pressroom publish` and the Publishing page.

use crate::auth::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::input::own_site;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pressroom_domain::PublicationId;
use pressroom_pipeline::publish::queue;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub(super) struct QueueQuery {
    /// Page of 100, from 0.
    page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/publications", params(("site" = i64, Path), QueueQuery),
    responses((status = 200, body = [QueueItemDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_publications(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Vec<QueueItemDto>>> {
    let site = own_site(&s, &c, site).await?;
    let items = queue::queue_view(&s.pipeline, c.account(), site.id, q.page.unwrap_or(0)).await?;
    Ok(Json(items.into_iter().map(QueueItemDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/publications/{id}/hold", params(("id" = i64, Path)),
    responses((status = 200, body = PublicationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not pending (being sent, or sent already)")))]
pub(super) async fn hold(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PublicationDto>> {
    c.require_edit()?;
    let p = queue::hold(&s.pipeline, c.account(), PublicationId::new(id)).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/publications/{id}/release", params(("id" = i64, Path)),
    responses((status = 200, body = PublicationDto, description = "Back in the queue, at its end"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not held")))]
pub(super) async fn release(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PublicationDto>> {
    c.require_edit()?;
    let p = queue::release(&s.pipeline, c.account(), PublicationId::new(id)).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/publications/{id}/now", params(("id" = i64, Path)),
    responses((status = 200, body = PublicationDto, description = "Due now and handed to the publish job"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn publish_now(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PublicationDto>> {
    c.require_edit()?;
    let p = queue::publish_now(&s.pipeline, c.account(), PublicationId::new(id)).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/publications/{id}/move", params(("id" = i64, Path)), request_body = MovePublicationBody,
    responses((status = 200, body = [PublicationDto], description = "The items that took new slots"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Held, not pending, or the queue changed meanwhile"),
              (status = 422, body = ErrorBody, description = "Another destination's item, or itself")))]
pub(super) async fn move_publication(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MovePublicationBody>,
) -> ApiResult<Json<Vec<PublicationDto>>> {
    c.require_edit()?;
    let moved = queue::move_before(
        &s.pipeline,
        c.account(),
        PublicationId::new(id),
        PublicationId::new(body.before),
    )
    .await?;
    Ok(Json(moved.into_iter().map(PublicationDto::from).collect()))
}
