//! A site's destinations (owners add, change and remove them; editors test them) and each
//! article's publication records (editors take one down). Secrets go in, never out.

use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::own_site;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pressroom_domain::{ContentId, DestinationId, DestinationKind, PublicationId};
use pressroom_pipeline::publish::{self, DestinationChange, DestinationInput};

#[utoipa::path(get, path = "/api/v1/sites/{site}/destinations", params(("site" = i64, Path)),
    responses((status = 200, body = [DestinationDto], description = "Removed ones too"), (status = 404, body = ErrorBody)))]
pub(super) async fn list_destinations(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<Vec<DestinationDto>>> {
    let site = own_site(&s, &c, site).await?;
    let list = publish::list_destinations(&s.pipeline, c.account(), site.id).await?;
    Ok(Json(list.into_iter().map(DestinationDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/sites/{site}/destinations", params(("site" = i64, Path)), request_body = NewDestinationBody,
    responses((status = 201, body = CreatedDestinationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "The message names the field at fault")))]
pub(super) async fn add_destination(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiJson(body): ApiJson<NewDestinationBody>,
) -> ApiResult<(StatusCode, Json<CreatedDestinationDto>)> {
    c.require_owner()?;
    let site = own_site(&s, &c, site).await?;
    let kind = DestinationKind::parse(&body.kind)
        .map_err(|_| ApiError::invalid("kind: wordpress or webhook"))?;
    let input = DestinationInput {
        name: body.name,
        kind,
        url: body.url,
        username: body.username,
        secret: body.secret,
        options: body.options.unwrap_or_default(),
        schedule: body.schedule.unwrap_or_default(),
    };
    let added = publish::add_destination(&s.pipeline, c.account(), site.id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedDestinationDto {
            destination: added.destination.into(),
            secret: added.signing_secret,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/destinations/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DestinationDto), (status = 404, body = ErrorBody)))]
pub(super) async fn get_destination(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DestinationDto>> {
    let d = s
        .pipeline
        .db()
        .destination(c.account(), DestinationId::new(id))
        .await?;
    Ok(Json(d.into()))
}

#[utoipa::path(patch, path = "/api/v1/destinations/{id}", params(("id" = i64, Path)), request_body = DestinationPatchBody,
    responses((status = 200, body = DestinationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn edit_destination(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DestinationPatchBody>,
) -> ApiResult<Json<DestinationDto>> {
    c.require_owner()?;
    let change = DestinationChange {
        name: body.name,
        url: body.url,
        username: body.username,
        secret: body.secret,
        options: body.options,
        schedule: body.schedule,
    };
    let d = publish::change_destination(&s.pipeline, c.account(), DestinationId::new(id), change)
        .await?;
    Ok(Json(d.into()))
}

#[utoipa::path(delete, path = "/api/v1/destinations/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DestinationDto, description = "Removed; its records stay"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_destination(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DestinationDto>> {
    c.require_owner()?;
    let id = DestinationId::new(id);
    publish::remove_destination(&s.pipeline, c.account(), id).await?;
    Ok(Json(
        s.pipeline.db().destination(c.account(), id).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/destinations/{id}/test", params(("id" = i64, Path)),
    responses((status = 200, body = TestReportDto, description = "The report, `ok` false when the connection fails"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn test_destination(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TestReportDto>> {
    c.require_edit()?;
    let report =
        publish::test_destination(&s.pipeline, c.account(), DestinationId::new(id)).await?;
    Ok(Json(report.into()))
}

#[utoipa::path(get, path = "/api/v1/content/{id}/publications", params(("id" = i64, Path)),
    responses((status = 200, body = [PublicationDto], description = "One record per destination"), (status = 404, body = ErrorBody)))]
pub(super) async fn content_publications(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<PublicationDto>>> {
    let db = s.pipeline.db();
    // Another account's article is not found, rather than an empty list.
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let records = db.publications_of_content(c.account(), content.id).await?;
    Ok(Json(
        records.into_iter().map(PublicationDto::from).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/publications/{id}/unpublish", params(("id" = i64, Path)), request_body = UnpublishBody,
    responses((status = 200, body = PublicationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not published, or the destination refused")))]
pub(super) async fn unpublish(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UnpublishBody>,
) -> ApiResult<Json<PublicationDto>> {
    c.require_edit()?;
    let done =
        publish::unpublish(&s.pipeline, c.account(), PublicationId::new(id), body.trash).await?;
    Ok(Json(done.into()))
}
