//! The account: AI usage, credits, and API tokens.

use crate::actions;
use crate::auth::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::limit;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pressroom_domain::{ApiTokenId, text};

#[utoipa::path(get, path = "/api/v1/usage", params(UsageQuery),
    responses((status = 200, body = [UsageRowDto]), (status = 422, body = ErrorBody)))]
pub(super) async fn usage(
    State(s): State<AppState>,
    c: Caller,
    ApiQuery(q): ApiQuery<UsageQuery>,
) -> ApiResult<Json<Vec<UsageRowDto>>> {
    let by = q.by.as_deref().unwrap_or("function");
    if !matches!(by, "function" | "provider" | "day") {
        return Err(ApiError::invalid("by: use function, provider or day"));
    }
    let rows = s.pipeline.db().usage_summary(c.account(), by).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| UsageRowDto {
                key: r.key,
                calls: r.calls,
                failures: r.failures,
                tokens: r.tokens,
                images: r.images,
                cost_micros: r.cost.0,
                credits: r.credits.0,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/credits", params(ListQuery),
    responses((status = 200, body = CreditsDto)))]
pub(super) async fn credits(
    State(s): State<AppState>,
    c: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<CreditsDto>> {
    let db = s.pipeline.db();
    let balance = db.account(c.account()).await?.credits;
    let entries = db.credit_entries(c.account(), limit(q.limit, 50)).await?;
    Ok(Json(CreditsDto {
        balance: balance.0,
        entries: entries
            .into_iter()
            .map(|e| CreditEntryDto {
                id: e.id.get(),
                delta: e.delta.0,
                reason: e.reason,
                balance_after: e.balance_after.0,
                created_at: e.created_at,
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = [TokenDto])))]
pub(super) async fn list_tokens(
    State(s): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Vec<TokenDto>>> {
    let rows = s.pipeline.db().api_tokens(c.account()).await?;
    Ok(Json(rows.into_iter().map(TokenDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenBody,
    responses((status = 201, body = CreatedTokenDto), (status = 422, body = ErrorBody)))]
pub(super) async fn create_token(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedTokenDto>)> {
    c.require_edit()?;
    let name = text::line("name", &body.name, text::NAME_MAX_CHARS)?;
    let created = s
        .pipeline
        .db()
        .create_api_token(c.account(), c.user.id, &name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenDto {
            token: created.token.into(),
            secret: created.secret,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = TokenDto, description = "Revoked"), (status = 403, body = ErrorBody, description = "An editor's try at another user's token"),
              (status = 404, body = ErrorBody)))]
pub(super) async fn revoke_token(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TokenDto>> {
    Ok(Json(
        actions::revoke(&s, &c, ApiTokenId::new(id)).await?.into(),
    ))
}
