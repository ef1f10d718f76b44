//! The account's webhooks: list, add (owners), remove (owners), ping, delivery log.

use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use pressroom_domain::{DeliveryId, WebhookEvent, WebhookId, webhook};
use pressroom_pipeline::notify;
use serde::Deserialize;
use utoipa::IntoParams;

#[utoipa::path(get, path = "/api/v1/webhooks", responses((status = 200, body = [WebhookDto])))]
pub(super) async fn list_webhooks(
    State(s): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Vec<WebhookDto>>> {
    let hooks = notify::list_webhooks(&s.pipeline, c.account()).await?;
    Ok(Json(hooks.into_iter().map(WebhookDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/webhooks", request_body = NewWebhookBody,
    responses((status = 201, body = CreatedWebhookDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_webhook(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewWebhookBody>,
) -> ApiResult<(StatusCode, Json<CreatedWebhookDto>)> {
    c.require_owner()?;
    let events: Vec<WebhookEvent> = if body.events.is_empty() {
        webhook::subscribable().collect()
    } else {
        webhook::parse_events(&body.events.join(","))
            .map_err(|e| ApiError::invalid(format!("events: {e}")))?
    };
    let added = notify::add_webhook(&s.pipeline, c.account(), &body.url, &events).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookDto {
            webhook: added.webhook.into(),
            secret: added.secret,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookDto, description = "Removed; its log stays"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_webhook(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WebhookDto>> {
    c.require_owner()?;
    let hook = notify::remove_webhook(&s.pipeline, c.account(), WebhookId::new(id)).await?;
    Ok(Json(hook.into()))
}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/ping", params(("id" = i64, Path)),
    responses((status = 202, body = PingDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn ping_webhook(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<PingDto>)> {
    c.require_edit()?;
    let delivery = notify::ping_webhook(&s.pipeline, c.account(), WebhookId::new(id)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PingDto {
            delivery: delivery.get(),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub(super) struct DeliveriesQuery {
    /// Most deliveries returned, newest first (default 50, at most 500).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", params(("id" = i64, Path), DeliveriesQuery),
    responses((status = 200, body = [DeliveryDto]), (status = 404, body = ErrorBody)))]
pub(super) async fn list_deliveries(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<DeliveriesQuery>,
) -> ApiResult<Json<Vec<DeliveryDto>>> {
    let log = notify::deliveries(
        &s.pipeline,
        c.account(),
        WebhookId::new(id),
        q.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(log.into_iter().map(DeliveryDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/deliveries/{id}/resend", params(("id" = i64, Path)),
    responses((status = 202, body = DeliveryDto, description = "Queued again"), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Delivered already, or its webhook was removed")))]
pub(super) async fn resend_delivery(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<DeliveryDto>)> {
    c.require_edit()?;
    let d = notify::resend_delivery(&s.pipeline, c.account(), DeliveryId::new(id)).await?;
    Ok((StatusCode::ACCEPTED, Json(d.into())))
}
