//! One cluster: read it and its keywords, rename, describe, archive or restore it, merge it
//! into another, split keywords off into a new one; and one idea's delete. Each write is one
//! call of `actions`, shared with the cluster page.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pressroom_domain::ClusterId;

/// Keywords a cluster answer lists at most.
const CLUSTER_KEYWORDS: u32 = 1000;

#[utoipa::path(get, path = "/api/v1/clusters/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ClusterDto), (status = 404, body = ErrorBody)))]
pub(super) async fn get_cluster(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ClusterDto>> {
    let cluster = s
        .pipeline
        .db()
        .cluster(c.account(), ClusterId::new(id))
        .await?;
    Ok(Json(cluster.into()))
}

#[utoipa::path(get, path = "/api/v1/clusters/{id}/keywords", params(("id" = i64, Path)),
    responses((status = 200, body = [KeywordDto], description = "The cluster's keywords (archived ones too), highest volume first, at most 1000"),
              (status = 404, body = ErrorBody)))]
pub(super) async fn cluster_keywords(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<KeywordDto>>> {
    let db = s.pipeline.db();
    let cluster = db.cluster(c.account(), ClusterId::new(id)).await?;
    let rows = db
        .keywords_in_cluster(c.account(), cluster.id, CLUSTER_KEYWORDS)
        .await?;
    Ok(Json(rows.into_iter().map(KeywordDto::from).collect()))
}

#[utoipa::path(patch, path = "/api/v1/clusters/{id}", params(("id" = i64, Path)), request_body = ClusterEditBody,
    responses((status = 200, body = ClusterDto), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "The name is another cluster's of the site (`already_exists`), or the status move is not allowed"),
              (status = 422, body = ErrorBody)))]
pub(super) async fn edit_cluster(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ClusterEditBody>,
) -> ApiResult<Json<ClusterDto>> {
    let cluster = actions::edit_cluster(
        &s,
        &c,
        id,
        body.name.as_deref(),
        body.description.as_deref(),
        body.status.as_deref(),
    )
    .await?;
    Ok(Json(cluster.into()))
}

#[utoipa::path(post, path = "/api/v1/clusters/{id}/merge", params(("id" = i64, Path)), request_body = MergeBody,
    responses((status = 200, body = MergedDto, description = "This cluster is archived; `into` has its keywords, ideas and tasks"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "One of the clusters is archived"),
              (status = 422, body = ErrorBody, description = "`into` is this cluster or of another site")))]
pub(super) async fn merge_cluster(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MergeBody>,
) -> ApiResult<Json<MergedDto>> {
    Ok(Json(
        actions::merge_clusters(&s, &c, id, body.into).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/clusters/{id}/split", params(("id" = i64, Path)), request_body = SplitBody,
    responses((status = 201, body = ClusterDto, description = "The new cluster (method manual, status new)"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "A keyword is not in this cluster, none were given, or the name is not usable")))]
pub(super) async fn split_cluster(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SplitBody>,
) -> ApiResult<(StatusCode, Json<ClusterDto>)> {
    let cluster = actions::split_cluster(&s, &c, id, &body.keywords, &body.name).await?;
    Ok((StatusCode::CREATED, Json(cluster.into())))
}

#[utoipa::path(delete, path = "/api/v1/ideas/{id}", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "The idea is no longer new: a task was made from it")))]
pub(super) async fn delete_idea(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    actions::delete_idea(&s, &c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
