//! The site lists: clusters, ideas, tasks, content and images, each one [`rows`] call.

use crate::auth::{ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::input::limit;
use crate::lists::{Clusters, Contents, Ideas, Images, Listing, Tasks, list};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;

/// Rows of kind `L` as their DTO `D`, filtered by `?status=` and at most `?limit=`.
async fn rows<L: Listing, D: From<L::Row>>(
    s: &AppState,
    c: &Caller,
    site: i64,
    q: ListQuery,
    default_limit: u32,
) -> ApiResult<Json<Vec<D>>> {
    let (_, rows) = list::<L>(
        s,
        c,
        site,
        q.status.as_deref(),
        limit(q.limit, default_limit),
    )
    .await?;
    Ok(Json(rows.into_iter().map(D::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/clusters", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [ClusterDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_clusters(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ClusterDto>>> {
    rows::<Clusters, ClusterDto>(&s, &c, site, q, 200).await
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/ideas", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [IdeaDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_ideas(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<IdeaDto>>> {
    rows::<Ideas, IdeaDto>(&s, &c, site, q, 200).await
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/tasks", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [TaskDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_tasks(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<TaskDto>>> {
    rows::<Tasks, TaskDto>(&s, &c, site, q, 200).await
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/content", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [ContentDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ContentDto>>> {
    rows::<Contents, ContentDto>(&s, &c, site, q, 200).await
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/images", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [ImageDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_site_images(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ImageDto>>> {
    rows::<Images, ImageDto>(&s, &c, site, q, 1000).await
}
