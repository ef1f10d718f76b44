//! Teammates: anyone signed in lists the account's users; owners invite, change role or
//! status, and reset passwords. The account always keeps an active owner.

use crate::auth::{ApiJson, ApiPath, Caller};
use crate::dto::*;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;
use crate::team;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pressroom_domain::UserId;

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = [UserDto])))]
pub(super) async fn list_users(
    State(s): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Vec<UserDto>>> {
    let users = s.pipeline.db().users(c.account()).await?;
    Ok(Json(users.into_iter().map(UserDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserBody,
    responses((status = 201, body = UserPasswordDto, description = "Created with a generated password, shown only here"),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn invite_user(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserPasswordDto>)> {
    let (user, password) = team::invite(&s, &c, &body.email, body.role.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(UserPasswordDto {
            user: user.into(),
            password,
        }),
    ))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = i64, Path)), request_body = UserPatchBody,
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "It would leave the account without an active owner"),
              (status = 422, body = ErrorBody)))]
pub(super) async fn update_user(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UserPatchBody>,
) -> ApiResult<Json<UserDto>> {
    let user = team::update(
        &s,
        &c,
        UserId::new(id),
        body.role.as_deref(),
        body.status.as_deref(),
    )
    .await?;
    Ok(Json(user.into()))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/password", params(("id" = i64, Path)),
    responses((status = 200, body = UserPasswordDto, description = "A new generated password, shown only here; the user's sessions ended"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn reset_password(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserPasswordDto>> {
    let (user, password) = team::reset_password(&s, &c, UserId::new(id)).await?;
    Ok(Json(UserPasswordDto {
        user: user.into(),
        password,
    }))
}
