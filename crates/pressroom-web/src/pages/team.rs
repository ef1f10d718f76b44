//! The team: everyone sees who is in the account; owners invite (a generated password shown
//! once), change roles, disable or enable, and reset passwords (shown once).

use super::view::{Empty, Nav, csrf, fmt_time, nav, render};
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::error::PageResult;
use crate::state::AppState;
use crate::team;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{Role, UserId};
use serde::Deserialize;

struct UserLine {
    id: i64,
    email: String,
    role: String,
    status: String,
    created: String,
    is_me: bool,
    /// Each role and whether it is the user's (the role picker).
    roles: Vec<(&'static str, bool)>,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    is_owner: bool,
    /// (email, password) just generated, shown this once.
    secret: Option<(String, String)>,
    users: Vec<UserLine>,
}

async fn team_page(s: &AppState, c: &Caller, secret: Option<(String, String)>) -> PageResult {
    let users = s.pipeline.db().users(c.account()).await?;
    let mut res = render(&TeamTpl {
        nav: Some(nav(c, "team", None)),
        flash: None,
        csrf: csrf(c),
        is_owner: c.user.role == Role::Owner,
        secret,
        users: users
            .into_iter()
            .map(|u| UserLine {
                id: u.id.get(),
                is_me: u.id == c.user.id,
                roles: [Role::Owner, Role::Editor, Role::Viewer]
                    .into_iter()
                    .map(|r| (r.as_str(), r == u.role))
                    .collect(),
                email: u.email,
                role: u.role.to_string(),
                status: u.status.to_string(),
                created: fmt_time(u.created_at),
            })
            .collect(),
    })?;
    // A page showing a password must not be cached anywhere.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub(super) async fn team_list(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    team_page(&s, &c, None).await
}

#[derive(Deserialize)]
pub(super) struct InviteForm {
    email: String,
    role: String,
}

pub(super) async fn invite(
    State(s): State<AppState>,
    CsrfForm(c, f): CsrfForm<InviteForm>,
) -> PageResult {
    let (user, password) = team::invite(&s, &c, &f.email, Some(&f.role)).await?;
    team_page(&s, &c, Some((user.email, password))).await
}

#[derive(Deserialize)]
pub(super) struct RoleForm {
    role: String,
}

pub(super) async fn set_role(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<RoleForm>,
) -> PageResult {
    team::update(&s, &c, UserId::new(id), Some(&f.role), None).await?;
    Ok(Redirect::to("/team").into_response())
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    status: String,
}

pub(super) async fn set_status(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<StatusForm>,
) -> PageResult {
    team::update(&s, &c, UserId::new(id), None, Some(&f.status)).await?;
    Ok(Redirect::to("/team").into_response())
}

pub(super) async fn reset_password(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    let (user, password) = team::reset_password(&s, &c, UserId::new(id)).await?;
    team_page(&s, &c, Some((user.email, password))).await
}
