//! A site's prompts as its AI functions would be sent them (brand voice and template
//! overrides applied), with the variables each template may use.

use crate::auth::{ApiPath, Caller};
use crate::dto::PromptPreviewDto;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::own_site;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pressroom_domain::AiFunction;
use pressroom_pipeline::prompts;

#[utoipa::path(get, path = "/api/v1/sites/{site}/prompts", params(("site" = i64, Path)),
    responses((status = 200, body = [PromptPreviewDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_prompts(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<Vec<PromptPreviewDto>>> {
    let site = own_site(&s, &c, site).await?;
    let all = prompts::preview_all(&s.pipeline, c.account(), site.id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/prompts/{function}",
    params(("site" = i64, Path), ("function" = String, Path, description = "auto-cluster, generate-ideas, generate-content, generate-image-prompts or generate-image")),
    responses((status = 200, body = PromptPreviewDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn get_prompt(
    State(s): State<AppState>,
    c: Caller,
    ApiPath((site, function)): ApiPath<(i64, String)>,
) -> ApiResult<Json<PromptPreviewDto>> {
    let function = AiFunction::parse(&function).map_err(|e| ApiError::invalid(e.to_string()))?;
    let site = own_site(&s, &c, site).await?;
    let preview = prompts::preview(&s.pipeline, c.account(), site.id, function).await?;
    Ok(Json(preview.into()))
}
