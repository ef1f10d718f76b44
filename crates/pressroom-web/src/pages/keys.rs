//! Provider keys: the list (hint only) for everyone; owners add (the key typed into a
//! password input, never shown again) and remove.

use super::view::{Empty, Nav, csrf, fmt_time, nav, render};
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::error::PageResult;
use crate::state::AppState;
use crate::team;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{ProviderKeyId, Role};
use serde::Deserialize;

struct KeyLine {
    id: i64,
    name: String,
    provider: String,
    hint: String,
    created: String,
    used_by: String,
}

#[derive(Template)]
#[template(path = "keys.html")]
struct KeysTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    is_owner: bool,
    keys: Vec<KeyLine>,
}

async fn keys_page(s: &AppState, c: &Caller, flash: Option<String>) -> PageResult {
    let keys = pressroom_pipeline::keys::list_keys(&s.pipeline, c.account()).await?;
    render(&KeysTpl {
        nav: Some(nav(c, "keys", None)),
        flash,
        csrf: csrf(c),
        is_owner: c.user.role == Role::Owner,
        keys: keys
            .into_iter()
            .map(|k| KeyLine {
                id: k.id.get(),
                name: k.name,
                provider: k.provider,
                hint: k.hint,
                created: fmt_time(k.created_at),
                used_by: k.used_by.join(", "),
            })
            .collect(),
    })
}

pub(super) async fn keys(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    keys_page(&s, &c, None).await
}

#[derive(Deserialize)]
pub(super) struct KeyForm {
    name: String,
    provider: String,
    key: String,
}

pub(super) async fn add_key(
    State(s): State<AppState>,
    CsrfForm(c, f): CsrfForm<KeyForm>,
) -> PageResult {
    let k = team::add_key(&s, &c, &f.name, &f.provider, &f.key).await?;
    let flash = format!(
        "Key {} ({}, ending {}) stored sealed. Choose it in a site's settings.",
        k.name, k.provider, k.hint
    );
    keys_page(&s, &c, Some(flash)).await
}

pub(super) async fn remove_key(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    team::remove_key(&s, &c, ProviderKeyId::new(id)).await?;
    Ok(Redirect::to("/keys").into_response())
}
