//! API tokens: list, create (the secret is shown once), revoke.

use super::view::{Empty, Nav, csrf, fmt_opt, fmt_time, nav, render};
use crate::actions;
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{ApiTokenId, text};
use serde::Deserialize;

struct TokenLine {
    id: i64,
    name: String,
    prefix: String,
    status: String,
    last_used: String,
    created: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    can_edit: bool,
    secret: Option<String>,
    tokens: Vec<TokenLine>,
}

pub(super) async fn tokens_page(s: &AppState, c: &Caller, secret: Option<String>) -> PageResult {
    let tokens = s.pipeline.db().api_tokens(c.account()).await?;
    let mut res = render(&TokensTpl {
        nav: Some(nav(c, "tokens", None)),
        flash: None,
        csrf: csrf(c),
        can_edit: c.user.role.can_edit(),
        secret,
        tokens: tokens
            .into_iter()
            .map(|t| TokenLine {
                id: t.id.get(),
                name: t.name,
                prefix: t.prefix,
                status: t.status.to_string(),
                last_used: fmt_opt(t.last_used_at),
                created: fmt_time(t.created_at),
            })
            .collect(),
    })?;
    // A page showing a secret must not be cached anywhere.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub(super) async fn tokens(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    tokens_page(&s, &c, None).await
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    name: String,
}

pub(super) async fn create_token(
    State(s): State<AppState>,
    CsrfForm(c, f): CsrfForm<TokenForm>,
) -> PageResult {
    c.require_edit()?;
    let name = text::line("name", &f.name, text::NAME_MAX_CHARS)?;
    let created = s
        .pipeline
        .db()
        .create_api_token(c.account(), c.user.id, &name)
        .await?;
    tokens_page(&s, &c, Some(created.secret)).await
}

pub(super) async fn revoke_token(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    actions::revoke(&s, &c, ApiTokenId::new(id)).await?;
    Ok(Redirect::to("/tokens").into_response())
}
