//! The account's AI provider keys. Anyone signed in lists them (hint only); owners add and
//! remove. No answer ever carries a key.

use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;
use crate::team;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pressroom_domain::ProviderKeyId;

#[utoipa::path(get, path = "/api/v1/keys", responses((status = 200, body = [ProviderKeyDto])))]
pub(super) async fn list_keys(
    State(s): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Vec<ProviderKeyDto>>> {
    let keys = pressroom_pipeline::keys::list_keys(&s.pipeline, c.account()).await?;
    Ok(Json(keys.into_iter().map(ProviderKeyDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/keys", request_body = NewKeyBody,
    responses((status = 201, body = ProviderKeyDto, description = "Stored sealed; the answer shows the hint only"),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "No secret key configured on the server")))]
pub(super) async fn add_key(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewKeyBody>,
) -> ApiResult<(StatusCode, Json<ProviderKeyDto>)> {
    let k = team::add_key(&s, &c, &body.name, &body.provider, &body.key).await?;
    Ok((StatusCode::CREATED, Json(k.into())))
}

#[utoipa::path(delete, path = "/api/v1/keys/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ProviderKeyDto, description = "Removed"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "A site still uses the key")))]
pub(super) async fn remove_key(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ProviderKeyDto>> {
    Ok(Json(
        team::remove_key(&s, &c, ProviderKeyId::new(id))
            .await?
            .into(),
    ))
}
