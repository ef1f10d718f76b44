//! A site's settings: read them with every settable key, change them with a JSON merge patch
//! (editors and owners), read the change log. Writes go through `actions::update_settings`,
//! shared with the Settings page.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::input::own_site;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pressroom_domain::settings::settings_document;
use pressroom_pipeline::settings;

#[utoipa::path(get, path = "/api/v1/sites/{site}/settings", params(("site" = i64, Path)),
    responses((status = 200, body = SettingsDto), (status = 404, body = ErrorBody)))]
pub(super) async fn get_settings(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<SettingsDto>> {
    let site = own_site(&s, &c, site).await?;
    Ok(Json(SettingsDto::new(
        site.id.get(),
        settings_document(&site.language, &site.settings),
    )))
}

#[utoipa::path(patch, path = "/api/v1/sites/{site}/settings", params(("site" = i64, Path)),
    request_body(content = SettingsPatchBody, description = "A JSON merge patch: only the keys to change, nested as in the settings (`{\"voice\": {\"tone\": \"plain\"}}`); `null` unsets an optional key and restores any other to its default"),
    responses((status = 200, body = SettingsUpdatedDto), (status = 403, body = ErrorBody, description = "Viewers cannot change settings"),
              (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "An unknown key or a bad value; the message names the key and nothing was changed")))]
pub(super) async fn patch_settings(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiJson(SettingsPatchBody(patch)): ApiJson<SettingsPatchBody>,
) -> ApiResult<Json<SettingsUpdatedDto>> {
    let (site, changes) = actions::update_settings(&s, &c, site, &patch).await?;
    Ok(Json(SettingsUpdatedDto {
        site_id: site.id.get(),
        settings: settings_document(&site.language, &site.settings),
        changes: changes.into_iter().map(SettingChangeDto::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/settings/changes", params(("site" = i64, Path), ChangesQuery),
    responses((status = 200, body = [SettingsChangeDto], description = "Newest first"), (status = 404, body = ErrorBody)))]
pub(super) async fn list_changes(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> ApiResult<Json<Vec<SettingsChangeDto>>> {
    let site = own_site(&s, &c, site).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let log = settings::changes(&s.pipeline, c.account(), site.id, limit).await?;
    Ok(Json(log.into_iter().map(SettingsChangeDto::from).collect()))
}
