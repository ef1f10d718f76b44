//! Server-rendered pages (askama templates, escaped by default). Forms post with the session's
//! CSRF token; every action calls the same function the API handler calls. The only script is
//! `/static/app.js` (live progress), served from the binary like the stylesheet.

use crate::AppState;
use crate::api;
use crate::auth::{ClientAddr, CsrfForm, PageUser, SESSION_COOKIE, SESSION_TTL_MS, cookie};
use crate::dto::*;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use futures::Stream;
use pressroom_domain::*;
use pressroom_pipeline::{images, runs};
use pressroom_store::{KeywordFilter, StoreError};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/", get(dashboard))
        .route("/sites", post(create_site))
        .route("/sites/{site}/keywords", get(keywords))
        .route(
            "/sites/{site}/keywords/upload",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(api::MAX_UPLOAD_BYTES)),
        )
        .route("/sites/{site}/clusters", get(clusters))
        .route("/sites/{site}/ideas", get(ideas))
        .route("/sites/{site}/tasks", get(tasks))
        .route("/sites/{site}/content", get(content_list))
        .route("/content/{id}", get(content_page))
        .route("/content/{id}/approve", post(approve))
        .route("/content/{id}/reject", post(reject))
        .route("/content/{id}/reopen", post(reopen))
        .route("/content/{id}/edit", post(edit))
        .route("/sites/{site}/images", get(images_page))
        .route("/sites/{site}/images/generate", post(generate))
        .route("/sites/{site}/images/retry-failed", post(retry_failed))
        .route("/sites/{site}/automation", get(automation))
        .route("/sites/{site}/runs", post(start_run))
        .route("/runs/{id}/pause", post(pause))
        .route("/runs/{id}/resume", post(resume))
        .route("/runs/{id}/cancel", post(cancel))
        .route("/runs/{id}/stream", get(stream))
        .route("/usage", get(usage))
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
}

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        JS,
    )
}

/// A failed page action, shown as an error page.
pub struct PageError(ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.0)
    }
}

type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    status: u16,
    message: String,
}

/// An error as a page (pages never answer JSON).
pub fn error_page(e: ApiError) -> Response {
    let tpl = ErrorTpl {
        nav: None,
        flash: None,
        status: e.status.as_u16(),
        message: e.message,
    };
    match tpl.render() {
        Ok(html) => (e.status, Html(html)).into_response(),
        Err(_) => (e.status, "error").into_response(),
    }
}

fn render<T: Template>(t: &T) -> PageResult {
    match t.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            Err(PageError(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the page could not be drawn; it has been logged",
            )))
        }
    }
}

/// The navigation bar's state.
pub struct Nav {
    active: &'static str,
    site: Option<(i64, String)>,
    email: String,
    role: String,
    csrf: String,
}

fn nav(c: &crate::auth::Caller, active: &'static str, site: Option<&Site>) -> Nav {
    Nav {
        active,
        site: site.map(|s| (s.id.get(), s.name.clone())),
        email: c.user.email.clone(),
        role: c.user.role.to_string(),
        csrf: c.csrf.clone().unwrap_or_default(),
    }
}

fn csrf(c: &crate::auth::Caller) -> String {
    c.csrf.clone().unwrap_or_default()
}

async fn own_site(s: &AppState, c: &crate::auth::Caller, id: i64) -> Result<Site, PageError> {
    Ok(s.pipeline.db().site(c.account(), SiteId::new(id)).await?)
}

/// "2026-11-24 14:05" in UTC.
pub fn fmt_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn fmt_opt(ms: Option<i64>) -> String {
    ms.map(fmt_time).unwrap_or_else(|| "–".into())
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

// ---- sign in / out -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    email: String,
    csrf: String,
}

/// Before a session exists the sign-in form is protected by a double-submit token: a random
/// value in a SameSite=Strict cookie that the form must repeat.
const LOGIN_COOKIE: &str = "pressroom_login";

fn login_form(
    s: &AppState,
    error: Option<String>,
    email: String,
    status: StatusCode,
) -> PageResult {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let mut res = render(&LoginTpl {
        nav: None,
        flash: None,
        error,
        email,
        csrf: token.clone(),
    })?;
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    *res.status_mut() = status;
    Ok(res)
}

async fn login_page(State(s): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && s.pipeline.db().session(token).await?.is_some()
    {
        return Ok(Redirect::to("/").into_response());
    }
    login_form(&s, None, String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    csrf: String,
}

fn session_cookie(s: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    // The value is hex we generated, so the header is always valid.
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("pressroom_session=; Path=/; Max-Age=0"))
}

/// Signs in, throttled per email and per client address (see [`crate::throttle`]).
async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !crate::auth::same_secret(expected, &f.csrf) {
        return login_form(
            &s,
            Some("The sign-in form expired; please try again.".into()),
            f.email,
            StatusCode::FORBIDDEN,
        );
    }
    let email = match text::line("email", &f.email, text::EMAIL_MAX_CHARS) {
        Ok(e) => e,
        Err(e) => {
            return login_form(
                &s,
                Some(e.to_string()),
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    if let Err(wait) = s.login_throttle.check(&email, addr) {
        // Whole seconds, rounded up, so a client retrying on time is let in.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut res = login_form(
            &s,
            Some(format!(
                "Too many failed sign-ins; try again in {secs} seconds."
            )),
            email,
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(res);
    }
    let db = s.pipeline.db();
    match db.verify_password(&email, &f.password).await? {
        Some(user) => {
            s.login_throttle.succeeded(&email);
            let session = db.create_session(&user, SESSION_TTL_MS).await?;
            let mut res = Redirect::to("/").into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&s, &session.token, SESSION_TTL_MS / 1000),
            );
            Ok(res)
        }
        None => {
            s.login_throttle.failed(&email, addr);
            login_form(
                &s,
                Some("That email and password do not match an active user.".into()),
                email,
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        s.pipeline.db().delete_session(token).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(res)
}

// ---- dashboard and sites -------------------------------------------------------------------

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

async fn dashboard(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
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
struct NewSiteForm {
    name: String,
    domain: Option<String>,
}

async fn create_site(
    State(s): State<AppState>,
    CsrfForm(c, f): CsrfForm<NewSiteForm>,
) -> PageResult {
    let site = api::create_site_checked(&s, &c, &f.name, f.domain.as_deref(), None).await?;
    Ok(Redirect::to(&format!("/sites/{}/keywords", site.id)).into_response())
}

// ---- keywords ------------------------------------------------------------------------------

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
struct KeywordParams {
    search: Option<String>,
    status: Option<String>,
    min_volume: Option<String>,
    page: Option<u64>,
}

const PAGE_SIZE: u32 = 100;

async fn keywords_tpl(
    s: &AppState,
    c: &crate::auth::Caller,
    site: &Site,
    q: KeywordParams,
    report: Option<ImportReportDto>,
) -> Result<KeywordsTpl, PageError> {
    let status = q
        .status
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(KeywordStatus::parse)
        .transpose()
        .map_err(|e| ApiError::invalid(format!("status: {e}")))?;
    let min_volume = q
        .min_volume
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>())
        .transpose()
        .map_err(|_| ApiError::invalid("min volume: give a whole number"))?;
    let page = q.page.unwrap_or(0);
    let filter = KeywordFilter {
        status,
        search: text::optional_line("search", q.search.as_deref(), text::SEARCH_MAX_CHARS)?,
        min_volume,
        limit: PAGE_SIZE,
        offset: page * u64::from(PAGE_SIZE),
    };
    let db = s.pipeline.db();
    let rows = db.keywords(c.account(), site.id, &filter).await?;
    let total = db.count_keywords(c.account(), site.id, status).await?;
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
    let from = filter.offset + u64::from(!rows.is_empty());
    let to = filter.offset + rows.len() as u64;
    Ok(KeywordsTpl {
        nav: Some(nav(c, "keywords", Some(site))),
        flash: None,
        site_id: site.id.get(),
        csrf: csrf(c),
        can_edit: c.user.role.can_edit(),
        prev: (page > 0).then(|| link(page - 1)),
        next: (rows.len() as u32 == PAGE_SIZE).then(|| link(page + 1)),
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

async fn keywords(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<KeywordParams>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    render(&keywords_tpl(&s, &c, &site, q, None).await?)
}

/// A multipart upload from the keywords page; the CSRF token is a form field before the file.
async fn upload(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    mut form: Multipart,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let mut csrf_ok = false;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        match field.name() {
            Some("csrf") => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                csrf_ok = c
                    .csrf
                    .as_deref()
                    .is_some_and(|t| crate::auth::same_secret(t, &v));
            }
            Some("file") => {
                let name = api::upload_name(field.file_name())?;
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                file = Some((bytes.to_vec(), name));
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(ApiError::forbidden(
            "the form expired or did not come from this site; reload the page and try again",
        )
        .into());
    }
    let (bytes, name) = file.ok_or_else(|| ApiError::invalid("file: choose a file to upload"))?;
    let report = api::import_upload(&s, &c, site.id, bytes, &name).await?;
    render(&keywords_tpl(&s, &c, &site, KeywordParams::default(), Some(report)).await?)
}

// ---- clusters, ideas, tasks, content lists -------------------------------------------------

struct Row {
    cells: Vec<String>,
    href: Option<String>,
    status: String,
}

#[derive(Template)]
#[template(path = "table.html")]
struct TableTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    heading: &'static str,
    headers: Vec<&'static str>,
    statuses: Vec<&'static str>,
    status: String,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct StatusParam {
    status: Option<String>,
}

fn status_of<T: Status>(q: &StatusParam) -> Result<Option<T>, PageError> {
    Ok(q.status
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(T::parse)
        .transpose()
        .map_err(|e| ApiError::invalid(format!("status: {e}")))?)
}

fn names<T: Status>(all: &[T]) -> Vec<&'static str> {
    all.iter().map(|s| s.as_str()).collect()
}

async fn clusters(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<StatusParam>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let rows = s
        .pipeline
        .db()
        .clusters(c.account(), site.id, status_of(&q)?, 1000)
        .await?;
    render(&TableTpl {
        nav: Some(nav(&c, "clusters", Some(&site))),
        flash: None,
        heading: "Clusters",
        headers: vec!["Name", "Keywords", "Volume", "Method", "Status"],
        statuses: names(ClusterStatus::ALL),
        status: q.status.unwrap_or_default(),
        rows: rows
            .into_iter()
            .map(|r| Row {
                cells: vec![
                    r.name,
                    r.keyword_count.to_string(),
                    r.total_volume.to_string(),
                    r.method.to_string(),
                ],
                href: None,
                status: r.status.to_string(),
            })
            .collect(),
    })
}

async fn ideas(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<StatusParam>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let rows = s
        .pipeline
        .db()
        .ideas(c.account(), site.id, status_of(&q)?, 1000)
        .await?;
    render(&TableTpl {
        nav: Some(nav(&c, "ideas", Some(&site))),
        flash: None,
        heading: "Ideas",
        headers: vec!["Title", "Primary keyword", "Structure", "Words", "Status"],
        statuses: names(IdeaStatus::ALL),
        status: q.status.unwrap_or_default(),
        rows: rows
            .into_iter()
            .map(|r| Row {
                cells: vec![
                    r.title,
                    r.primary_keyword,
                    r.content_structure.to_string(),
                    r.target_words.to_string(),
                ],
                href: None,
                status: r.status.to_string(),
            })
            .collect(),
    })
}

async fn tasks(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<StatusParam>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let rows = s
        .pipeline
        .db()
        .tasks(c.account(), site.id, status_of(&q)?, 1000)
        .await?;
    render(&TableTpl {
        nav: Some(nav(&c, "tasks", Some(&site))),
        flash: None,
        heading: "Tasks",
        headers: vec!["Title", "Words", "Error", "Status"],
        statuses: names(TaskStatus::ALL),
        status: q.status.unwrap_or_default(),
        rows: rows
            .into_iter()
            .map(|r| Row {
                cells: vec![
                    r.title,
                    r.target_words.to_string(),
                    r.error.unwrap_or_default(),
                ],
                href: None,
                status: r.status.to_string(),
            })
            .collect(),
    })
}

async fn content_list(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<StatusParam>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let rows = s
        .pipeline
        .db()
        .content_list(c.account(), site.id, status_of(&q)?, 1000)
        .await?;
    render(&TableTpl {
        nav: Some(nav(&c, "content", Some(&site))),
        flash: None,
        heading: "Content",
        headers: vec!["Title", "Words", "Primary keyword", "Updated", "Status"],
        statuses: names(ContentStatus::ALL),
        status: q.status.unwrap_or_default(),
        rows: rows
            .into_iter()
            .map(|r| Row {
                href: Some(format!("/content/{}", r.id)),
                cells: vec![
                    r.title,
                    r.word_count.to_string(),
                    r.primary_keyword,
                    fmt_time(r.updated_at),
                ],
                status: r.status.to_string(),
            })
            .collect(),
    })
}

// ---- content -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "content.html")]
struct ContentTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    c: ContentDto,
    featured: Option<ImageDto>,
    in_article: Vec<ImageDto>,
    csrf: String,
    can_edit: bool,
    /// The review moves the domain allows from the article's status: the page offers only these.
    moves: ReviewMoves,
}

struct ReviewMoves {
    approve: bool,
    reject: bool,
    reopen: bool,
}

impl ReviewMoves {
    fn from(status: ContentStatus) -> ReviewMoves {
        let can = |to: ContentStatus| status.check_move(to).is_ok();
        ReviewMoves {
            approve: can(ContentStatus::Approved),
            reject: can(ContentStatus::Rejected),
            reopen: status == ContentStatus::Rejected && can(ContentStatus::Review),
        }
    }
}

async fn content_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let db = s.pipeline.db();
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let site = db.site(c.account(), content.site_id).await?;
    let imgs = db.images_of_content(c.account(), content.id).await?;
    let (featured, in_article): (Vec<Image>, Vec<Image>) = imgs
        .into_iter()
        .partition(|i| i.image_type == ImageType::Featured);
    render(&ContentTpl {
        nav: Some(nav(&c, "content", Some(&site))),
        flash: None,
        moves: ReviewMoves::from(content.status),
        c: content.into(),
        featured: featured.into_iter().next().map(ImageDto::from),
        in_article: in_article.into_iter().map(ImageDto::from).collect(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
    })
}

async fn approve(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    api::review(&s, &c, ContentId::new(id), ContentStatus::Approved).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

async fn reject(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    api::review(&s, &c, ContentId::new(id), ContentStatus::Rejected).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

/// A rejected article back to review.
async fn reopen(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    api::review(&s, &c, ContentId::new(id), ContentStatus::Review).await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

#[derive(Deserialize)]
struct EditForm {
    title: String,
    body_markdown: String,
}

async fn edit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<EditForm>,
) -> PageResult {
    api::save_content(
        &s,
        &c,
        ContentId::new(id),
        Some(&f.title),
        Some(&f.body_markdown),
    )
    .await?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

// ---- images --------------------------------------------------------------------------------

struct ImageGroup {
    content_id: i64,
    title: String,
    status: String,
    images: Vec<ImageDto>,
}

#[derive(Template)]
#[template(path = "images.html")]
struct ImagesTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    site_id: i64,
    csrf: String,
    can_edit: bool,
    groups: Vec<ImageGroup>,
    generated: usize,
    pending: usize,
    failed: usize,
}

async fn images_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let db = s.pipeline.db();
    let all = db.images(c.account(), site.id, None, 1000).await?;
    let count = |f: fn(ImageStatus) -> bool| all.iter().filter(|i| f(i.status)).count();
    let generated = count(|s| s == ImageStatus::Generated);
    let failed = count(|s| s == ImageStatus::Failed);
    let pending = count(|s| matches!(s, ImageStatus::Pending | ImageStatus::Generating));
    let mut groups: Vec<ImageGroup> = Vec::new();
    for content in db.content_list(c.account(), site.id, None, 1000).await? {
        let mut imgs: Vec<&Image> = all.iter().filter(|i| i.content_id == content.id).collect();
        if imgs.is_empty() {
            continue;
        }
        imgs.sort_by_key(|i| (i.image_type != ImageType::Featured, i.position));
        groups.push(ImageGroup {
            content_id: content.id.get(),
            title: content.title,
            status: content.status.to_string(),
            images: imgs.into_iter().cloned().map(ImageDto::from).collect(),
        });
    }
    render(&ImagesTpl {
        nav: Some(nav(&c, "images", Some(&site))),
        flash: None,
        site_id: site.id.get(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
        groups,
        generated,
        pending,
        failed,
    })
}

/// `ids=1&ids=2…` (checkboxes); read as pairs because repeated keys are a list.
async fn generate(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let ids: Vec<ImageId> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.parse::<ImageId>())
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::invalid(format!("ids: {e}")))?;
    if ids.is_empty() {
        return Err(ApiError::invalid("ids: select at least one image").into());
    }
    images::generate_images(&s.pipeline, c.account(), &ids, None).await?;
    Ok(Redirect::to(&format!("/sites/{}/images", site.id)).into_response())
}

async fn retry_failed(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    api::retry_failed(&s, &c, site.id).await?;
    Ok(Redirect::to(&format!("/sites/{}/images", site.id)).into_response())
}

// ---- automation ----------------------------------------------------------------------------

struct EventLine {
    id: i64,
    time: String,
    stage: Option<u8>,
    level: String,
    message: String,
}

struct HistoryRow {
    id: i64,
    status: String,
    trigger: String,
    credits: i64,
    started: String,
    finished: String,
}

#[derive(Template)]
#[template(path = "automation.html")]
struct AutomationTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    site_id: i64,
    csrf: String,
    can_edit: bool,
    estimate: EstimateDto,
    active: Option<i64>,
    current: Option<RunDto>,
    events: Vec<EventLine>,
    history: Vec<HistoryRow>,
}

#[derive(Deserialize)]
struct RunParam {
    run: Option<i64>,
}

async fn automation(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<RunParam>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let db = s.pipeline.db();
    let history = db.runs(c.account(), Some(site.id), 50).await?;
    let active = db.active_run(c.account(), site.id).await?;
    let current = match q.run {
        Some(id) => {
            Some(db.run(c.account(), RunId::new(id)).await?).filter(|r| r.site_id == site.id)
        }
        None => active.clone().or_else(|| history.first().cloned()),
    };
    let mut events = Vec::new();
    if let Some(r) = &current {
        let mut after = None;
        loop {
            let batch = db.run_events(c.account(), r.id, after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            let n = batch.len();
            events.extend(batch.into_iter().map(|e| EventLine {
                id: e.id.get(),
                time: fmt_time(e.created_at)[11..].to_string(),
                stage: e.stage.map(|s| s.number()),
                level: e.level.to_string(),
                message: e.message,
            }));
            if n < 1000 || events.len() >= 5000 {
                break;
            }
        }
    }
    let estimate = runs::estimate(&s.pipeline, c.account(), site.id).await?;
    render(&AutomationTpl {
        nav: Some(nav(&c, "automation", Some(&site))),
        flash: None,
        site_id: site.id.get(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
        estimate: estimate.into(),
        active: active.map(|r| r.id.get()),
        current: current.map(RunDto::from),
        events,
        history: history
            .into_iter()
            .map(|r| HistoryRow {
                id: r.id.get(),
                status: r.status.to_string(),
                trigger: r.trigger.to_string(),
                credits: r.credits_used.0,
                started: fmt_opt(r.started_at.or(Some(r.created_at))),
                finished: fmt_opt(r.finished_at),
            })
            .collect(),
    })
}

async fn start_run(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let (run, _) = runs::start_run(&s.pipeline, c.account(), site.id, RunTrigger::Manual).await?;
    Ok(Redirect::to(&format!("/sites/{}/automation?run={}", site.id, run.id)).into_response())
}

async fn control(
    s: &AppState,
    c: &crate::auth::Caller,
    id: i64,
    f: fn(
        &pressroom_pipeline::Pipeline,
        AccountId,
        RunId,
    )
        -> futures::future::BoxFuture<'_, pressroom_pipeline::context::Result<AutomationRun>>,
) -> PageResult {
    c.require_edit()?;
    let run = f(&s.pipeline, c.account(), RunId::new(id)).await?;
    Ok(Redirect::to(&format!("/sites/{}/automation?run={}", run.site_id, run.id)).into_response())
}

async fn pause(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    control(&s, &c, id, |p, a, r| Box::pin(runs::pause_run(p, a, r))).await
}

async fn resume(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    control(&s, &c, id, |p, a, r| Box::pin(runs::resume_run(p, a, r))).await
}

async fn cancel(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    control(&s, &c, id, |p, a, r| Box::pin(runs::cancel_run(p, a, r))).await
}

#[derive(Deserialize)]
struct AfterParam {
    after: Option<i64>,
}

/// Server-Sent Events for a run: `event` for each new RunEvent, `run` with the run's counts
/// after each batch, and `end` once the run has stopped and every event was sent.
async fn stream(
    State(s): State<AppState>,
    c: crate::auth::Caller,
    Path(id): Path<i64>,
    Query(q): Query<AfterParam>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let run = s.pipeline.db().run(c.account(), RunId::new(id)).await?;
    let account = c.account();
    let after = q.after.filter(|a| *a > 0).map(RunEventId::new);
    struct St {
        s: AppState,
        account: AccountId,
        run: RunId,
        after: Option<RunEventId>,
        queue: std::collections::VecDeque<Event>,
        done: bool,
        first: bool,
    }
    let init = St {
        s: s.clone(),
        account,
        run: run.id,
        after,
        queue: Default::default(),
        done: false,
        first: true,
    };
    let events = futures::stream::unfold(init, |mut st| async move {
        loop {
            if let Some(e) = st.queue.pop_front() {
                return Some((Ok(e), st));
            }
            if st.done || st.s.shutdown.is_cancelled() {
                return None;
            }
            if !st.first {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(400)) => {}
                    _ = st.s.shutdown.cancelled() => return None,
                }
            }
            st.first = false;
            let db = st.s.pipeline.db();
            let batch = match db.run_events(st.account, st.run, st.after, 500).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "run stream: reading events failed");
                    continue;
                }
            };
            let run = match db.run(st.account, st.run).await {
                Ok(r) => r,
                Err(StoreError::NotFound { .. }) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, "run stream: reading the run failed");
                    continue;
                }
            };
            let fresh = !batch.is_empty();
            for e in batch {
                st.after = Some(e.id);
                let dto = RunEventDto::from(e);
                if let Ok(data) = serde_json::to_string(&dto) {
                    st.queue.push_back(
                        Event::default()
                            .event("event")
                            .id(dto.id.to_string())
                            .data(data),
                    );
                }
            }
            if (fresh || st.queue.is_empty())
                && let Ok(data) = serde_json::to_string(&RunDto::from(run.clone()))
            {
                st.queue.push_back(Event::default().event("run").data(data));
            }
            if !run.status.is_active() && !fresh {
                st.queue
                    .push_back(Event::default().event("end").data(run.status.to_string()));
                st.done = true;
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

// ---- usage and credits ---------------------------------------------------------------------

struct BarRow {
    label: String,
    value: i64,
    pct: i64,
}

fn bars(rows: Vec<(String, i64)>) -> Vec<BarRow> {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    rows.into_iter()
        .map(|(label, value)| BarRow {
            pct: value * 100 / max,
            label,
            value,
        })
        .collect()
}

struct UsageLine {
    key: String,
    calls: i64,
    failures: i64,
    tokens: i64,
    images: i64,
    cost: String,
    credits: i64,
}

#[derive(Template)]
#[template(path = "usage.html")]
struct UsageTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    balance: i64,
    by_day: Vec<BarRow>,
    by_function: Vec<BarRow>,
    rows: Vec<UsageLine>,
    entries: Vec<(String, i64, i64, String)>,
}

async fn usage(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    let db = s.pipeline.db();
    let by_function = db.usage_summary(c.account(), "function").await?;
    let by_day = db.usage_summary(c.account(), "day").await?;
    let entries = db.credit_entries(c.account(), 100).await?;
    render(&UsageTpl {
        nav: Some(nav(&c, "usage", None)),
        flash: None,
        balance: db.account(c.account()).await?.credits.0,
        by_day: bars(
            by_day
                .iter()
                .map(|r| {
                    let day = r.key.parse::<i64>().unwrap_or(0);
                    (fmt_time(day * 86_400_000)[..10].to_string(), r.credits.0)
                })
                .collect(),
        ),
        by_function: bars(
            by_function
                .iter()
                .map(|r| (r.key.clone(), r.credits.0))
                .collect(),
        ),
        rows: by_function
            .into_iter()
            .map(|r| UsageLine {
                cost: r.cost.to_string(),
                key: r.key,
                calls: r.calls,
                failures: r.failures,
                tokens: r.tokens,
                images: r.images,
                credits: r.credits.0,
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| {
                (
                    fmt_time(e.created_at),
                    e.delta.0,
                    e.balance_after.0,
                    e.reason,
                )
            })
            .collect(),
    })
}

// ---- API tokens ----------------------------------------------------------------------------

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

async fn tokens_page(s: &AppState, c: &crate::auth::Caller, secret: Option<String>) -> PageResult {
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

async fn tokens(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    tokens_page(&s, &c, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
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

async fn revoke_token(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    api::revoke(&s, &c, ApiTokenId::new(id)).await?;
    Ok(Redirect::to("/tokens").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc_times() {
        assert_eq!(super::fmt_time(0), "1970-01-01 00:00:00");
        assert_eq!(super::fmt_time(1_795_000_000_000), "2026-11-18 11:06:40");
        assert_eq!(super::fmt_time(951_782_400_000), "2000-02-29 00:00:00");
    }
}
