//! Automation runs: estimate, start, list, read, steer, and their events.

use crate::auth::{ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::{limit, own_site};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use pressroom_domain::{ClusterId, RunEventId, RunId, RunScope, RunTrigger};
use pressroom_pipeline::runs;

#[utoipa::path(get, path = "/api/v1/sites/{site}/runs/estimate", params(("site" = i64, Path)),
    responses((status = 200, body = EstimateDto), (status = 404, body = ErrorBody)))]
pub(super) async fn estimate_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<EstimateDto>> {
    let site = own_site(&s, &c, site).await?;
    Ok(Json(
        runs::estimate(&s.pipeline, c.account(), site.id)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/sites/{site}/runs", params(("site" = i64, Path)),
    request_body(content = Option<StartRunBody>, description = "What the run is limited to; no body is the whole site"),
    responses((status = 201, body = StartedRun), (status = 404, body = ErrorBody, description = "No such site, or a cluster of the scope is not the site's"),
              (status = 422, body = ErrorBody, description = "A body that is not a run scope"),
              (status = 409, body = ErrorBody, description = "Another run holds the site, or the estimate exceeds the balance or cap; nothing started")))]
pub(super) async fn start_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<StartedRun>)> {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let scope = if body.iter().all(u8::is_ascii_whitespace) {
        RunScope::default()
    } else {
        let b: StartRunBody = serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid(format!("the run's body: {e}")))?;
        RunScope {
            clusters: b.clusters.into_iter().map(ClusterId::new).collect(),
            max_articles: b.max_articles,
        }
    };
    let (run, estimate) = runs::start_run(
        &s.pipeline,
        c.account(),
        site.id,
        RunTrigger::Manual,
        &scope,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(StartedRun {
            run: run.into(),
            estimate: estimate.into(),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/runs", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [RunDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_runs(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<RunDto>>> {
    let site = own_site(&s, &c, site).await?;
    let rows = s
        .pipeline
        .db()
        .runs(c.account(), Some(site.id), limit(q.limit, 50))
        .await?;
    Ok(Json(rows.into_iter().map(RunDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody)))]
pub(super) async fn get_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    Ok(Json(
        s.pipeline
            .db()
            .run(c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/pause", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn pause_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    c.require_edit()?;
    Ok(Json(
        runs::pause_run(&s.pipeline, c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/resume", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn resume_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    c.require_edit()?;
    Ok(Json(
        runs::resume_run(&s.pipeline, c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/cancel", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn cancel_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    c.require_edit()?;
    Ok(Json(
        runs::cancel_run(&s.pipeline, c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}/events", params(("id" = i64, Path), EventsQuery),
    responses((status = 200, body = [RunEventDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn run_events(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Json<Vec<RunEventDto>>> {
    let db = s.pipeline.db();
    let run = db.run(c.account(), RunId::new(id)).await?;
    let after = q.after.filter(|a| *a > 0).map(RunEventId::new);
    let rows = db
        .run_events(c.account(), run.id, after, limit(q.limit, 200))
        .await?;
    Ok(Json(rows.into_iter().map(RunEventDto::from).collect()))
}
