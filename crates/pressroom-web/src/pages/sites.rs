//! The dashboard (the account's sites with their pipeline counts) and new sites.

use super::view::{Nav, csrf, nav, render};
use crate::actions;
use crate::auth::{CsrfForm, PageUser};
use crate::dto::PipelineCountsDto;
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

struct SiteCard {
    id: i64,
    name: String,
    domain: Option<String>,
    counts: PipelineCountsDto,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    balance: i64,
    sites: Vec<SiteCard>,
    csrf: String,
    can_edit: bool,
}

pub(super) async fn dashboard(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    let db = s.pipeline.db();
    let mut sites = Vec::new();
    for site in db.sites(c.account()).await? {
        let counts = db.pipeline_counts(c.account(), site.id).await?;
        sites.push(SiteCard {
            id: site.id.get(),
            name: site.name,
            domain: site.domain,
            counts: counts.into(),
        });
    }
    render(&DashboardTpl {
        nav: Some(nav(&c, "dashboard", None)),
        flash: None,
        balance: db.account(c.account()).await?.credits.0,
        sites,
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
    })
}

#[derive(Deserialize)]
pub(super) struct NewSiteForm {
    name: String,
    domain: Option<String>,
}

pub(super) async fn create_site(
    State(s): State<AppState>,
    CsrfForm(c, f): CsrfForm<NewSiteForm>,
) -> PageResult {
    let site = actions::create_site(&s, &c, &f.name, f.domain.as_deref(), "en").await?;
    Ok(Redirect::to(&format!("/sites/{}/keywords", site.id)).into_response())
}
