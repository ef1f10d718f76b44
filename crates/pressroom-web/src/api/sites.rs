//! Who am I, and the account's sites.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::input::own_site;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub(super) async fn me(c: Caller) -> Json<MeDto> {
    Json(MeDto {
        user_id: c.user.id.get(),
        account_id: c.account().get(),
        email: c.user.email.clone(),
        role: c.user.role.to_string(),
    })
}

#[utoipa::path(get, path = "/api/v1/sites", responses((status = 200, body = [SiteDto])))]
pub(super) async fn list_sites(
    State(s): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Vec<SiteDto>>> {
    let sites = s.pipeline.db().sites(c.account()).await?;
    Ok(Json(sites.into_iter().map(SiteDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/sites", request_body = NewSiteBody,
    responses((status = 201, body = SiteDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_site(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewSiteBody>,
) -> ApiResult<(StatusCode, Json<SiteDto>)> {
    let site = actions::create_site(
        &s,
        &c,
        &body.name,
        body.domain.as_deref(),
        body.language.as_deref().unwrap_or("en"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/counts", params(("site" = i64, Path)),
    responses((status = 200, body = PipelineCountsDto), (status = 404, body = ErrorBody)))]
pub(super) async fn site_counts(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<PipelineCountsDto>> {
    let site = own_site(&s, &c, site).await?;
    Ok(Json(
        s.pipeline
            .db()
            .pipeline_counts(c.account(), site.id)
            .await?
            .into(),
    ))
}
