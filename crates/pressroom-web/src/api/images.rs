//! Image generation on demand (chosen images, or every failed image of a site), and one
//! image's alt text, new picture or uploaded file.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::{id_batch, own_site};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pressroom_domain::ImageId;
use pressroom_pipeline::{content, images};

/// Most image ids one request may name.
const MAX_IMAGE_IDS: usize = 500;

#[utoipa::path(post, path = "/api/v1/sites/{site}/images/retry-failed", params(("site" = i64, Path)),
    responses((status = 200, body = [ImageOutcomeDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn retry_failed_images(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<Vec<ImageOutcomeDto>>> {
    let site = own_site(&s, &c, site).await?;
    let outcomes = actions::retry_failed_images(&s, &c, site.id).await?;
    Ok(Json(
        outcomes.into_iter().map(ImageOutcomeDto::from).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/images/generate", request_body = GenerateImagesBody,
    responses((status = 200, body = [ImageOutcomeDto], description = "One outcome per id; another account's id is reported not_found"),
              (status = 422, body = ErrorBody)))]
pub(super) async fn generate_images(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<GenerateImagesBody>,
) -> ApiResult<Json<Vec<ImageOutcomeDto>>> {
    c.require_edit()?;
    let ids = id_batch(&body.ids, MAX_IMAGE_IDS, "image", "", ImageId::new)?;
    let outcomes = images::generate_images(&s.pipeline, c.account(), &ids, None).await?;
    Ok(Json(
        outcomes.into_iter().map(ImageOutcomeDto::from).collect(),
    ))
}

#[utoipa::path(patch, path = "/api/v1/images/{id}", params(("id" = i64, Path)), request_body = ImageEditBody,
    responses((status = 200, body = ImageDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn edit_image(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ImageEditBody>,
) -> ApiResult<Json<ImageDto>> {
    c.require_edit()?;
    let image =
        content::set_image_alt(&s.pipeline, c.account(), ImageId::new(id), &body.alt_text).await?;
    Ok(Json(image.into()))
}

#[utoipa::path(post, path = "/api/v1/images/{id}/regenerate", params(("id" = i64, Path)),
    responses((status = 200, body = ImageOutcomeDto, description = "Queued for a new picture (charged like the first)"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn regenerate_image(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ImageOutcomeDto>> {
    c.require_edit()?;
    let outcome = content::regenerate_image(&s.pipeline, c.account(), ImageId::new(id)).await?;
    Ok(Json(outcome.into()))
}

#[utoipa::path(put, path = "/api/v1/images/{id}/file", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "A PNG, JPEG, WebP or GIF file"),
    responses((status = 200, body = ImageDto, description = "The image now shows the uploaded file"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn upload_image(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    bytes: axum::body::Bytes,
) -> ApiResult<Json<ImageDto>> {
    c.require_edit()?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file: the request body is empty"));
    }
    let image =
        content::upload_image(&s.pipeline, c.account(), ImageId::new(id), bytes.to_vec()).await?;
    Ok(Json(image.into()))
}
