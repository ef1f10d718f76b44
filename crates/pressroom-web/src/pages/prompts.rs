//! A site's Prompts page: every AI function's prompt as the site would send it (brand voice
//! and overrides applied), which template it is, its variables and what the offline writer
//! ignores. Read-only: templates and the voice are edited on the Settings page.

use super::view::{Nav, nav, render};
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::input::own_site;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use pressroom_pipeline::prompts::{self, PromptPreview};

#[derive(Template)]
#[template(path = "prompts.html")]
struct PromptsTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    site_id: i64,
    previews: Vec<PromptPreview>,
}

pub(super) async fn prompts_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let previews = prompts::preview_all(&s.pipeline, c.account(), site.id).await?;
    render(&PromptsTpl {
        nav: Some(nav(&c, "settings", Some(&site))),
        flash: None,
        site_id: site.id.get(),
        previews,
    })
}
