//! A site's keywords: the filtered, paged list, and the upload form.

use super::upload::csrf_file;
use super::view::{Nav, csrf, nav, render};
use crate::actions;
use crate::auth::{Caller, PageUser};
use crate::dto::{ImportReportDto, KeywordDto};
use crate::error::{ApiError, PageError, PageResult};
use crate::input::{keyword_filter, own_site};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use pressroom_domain::Site;
use pressroom_store::Page;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "keywords.html")]
struct KeywordsTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    site_id: i64,
    csrf: String,
    can_edit: bool,
    keywords: Vec<KeywordDto>,
    total: i64,
    search: String,
    status: String,
    min_volume: String,
    report: Option<ImportReportDto>,
    from: u64,
    to: u64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct KeywordParams {
    search: Option<String>,
    status: Option<String>,
    min_volume: Option<String>,
    page: Option<u64>,
}

const PAGE_SIZE: u32 = 100;

async fn keywords_tpl(
    s: &AppState,
    c: &Caller,
    site: &Site,
    q: KeywordParams,
    report: Option<ImportReportDto>,
) -> Result<KeywordsTpl, PageError> {
    let min_volume = q
        .min_volume
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>())
        .transpose()
        .map_err(|_| ApiError::invalid("min volume: give a whole number"))?;
    let filter = keyword_filter(q.status.as_deref(), q.search.as_deref(), min_volume)?;
    let page_no = q.page.unwrap_or(0);
    let page = Page {
        limit: PAGE_SIZE,
        offset: page_no * u64::from(PAGE_SIZE),
    };
    let db = s.pipeline.db();
    let rows = db.keywords(c.account(), site.id, &filter, page).await?;
    let total = db.count_keywords(c.account(), site.id, &filter).await?;
    let link = |p: u64| {
        let query = serde_urlencoded::to_string([
            ("search", q.search.clone().unwrap_or_default()),
            ("status", q.status.clone().unwrap_or_default()),
            ("min_volume", q.min_volume.clone().unwrap_or_default()),
            ("page", p.to_string()),
        ])
        .unwrap_or_default();
        format!("/sites/{}/keywords?{query}", site.id)
    };
    let from = page.offset + u64::from(!rows.is_empty());
    let to = page.offset + rows.len() as u64;
    Ok(KeywordsTpl {
        nav: Some(nav(c, "keywords", Some(site))),
        flash: None,
        site_id: site.id.get(),
        csrf: csrf(c),
        can_edit: c.user.role.can_edit(),
        prev: (page_no > 0).then(|| link(page_no - 1)),
        next: (to < u64::try_from(total).unwrap_or(0)).then(|| link(page_no + 1)),
        keywords: rows.into_iter().map(KeywordDto::from).collect(),
        total,
        search: q.search.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        min_volume: q.min_volume.unwrap_or_default(),
        report,
        from,
        to,
    })
}

pub(super) async fn keywords(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<KeywordParams>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    render(&keywords_tpl(&s, &c, &site, q, None).await?)
}

/// A multipart upload from the keywords page; the CSRF token is a form field before the file.
pub(super) async fn upload(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    form: Multipart,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let (bytes, name) = csrf_file(&c, form).await?;
    let report = actions::import_upload(&s, &c, site.id, bytes, &name).await?;
    render(&keywords_tpl(&s, &c, &site, KeywordParams::default(), Some(report)).await?)
}
