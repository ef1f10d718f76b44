//! A site's Destinations page: where its articles are published. Owners add a WordPress site
//! (its application password goes in once and never comes back) or a webhook (its generated
//! signing secret is shown once), change a schedule, remove one; editors test a connection and
//! read the report's lines on the page. Every action calls the pipeline function the API
//! handler calls.

use super::view::{Empty, Nav, csrf, fmt_time, nav, render};
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::error::{ApiError, PageError, PageResult};
use crate::input::own_site;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use pressroom_domain::publish::{DestinationOptions, PublishMode, PublishSchedule, WpPostStatus};
use pressroom_domain::{DestinationId, DestinationKind, Role, Site};
use pressroom_pipeline::publish::{self, DestinationChange, DestinationInput, TestReport};
use serde::Deserialize;

struct DestinationLine {
    id: i64,
    name: String,
    kind: String,
    url: String,
    username: String,
    post_status: String,
    schedule: String,
    status: String,
    created: String,
    /// The schedule's fields, to fill its edit form.
    mode: String,
    times: String,
    every_minutes: u32,
    window_start: String,
    window_end: String,
    daily_cap: String,
    weekly_cap: String,
}

/// The last connection test, shown under its destination.
struct ReportView {
    destination: i64,
    ok: bool,
    summary: String,
    details: Vec<String>,
}

#[derive(Template)]
#[template(path = "destinations.html")]
struct DestinationsTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    site_id: i64,
    is_owner: bool,
    can_edit: bool,
    error: Option<String>,
    secret: Option<String>,
    report: Option<ReportView>,
    destinations: Vec<DestinationLine>,
}

/// "at 09:00, 15:00, at most 3 a day" and the like.
fn schedule_summary(s: &PublishSchedule) -> String {
    s.describe()
}

fn mode_name(m: PublishMode) -> &'static str {
    match m {
        PublishMode::Immediate => "immediate",
        PublishMode::Slots => "slots",
        PublishMode::Stagger => "stagger",
    }
}

fn cap_text(c: Option<u32>) -> String {
    c.map(|c| c.to_string()).unwrap_or_default()
}

/// What the page shows besides the list: a flash, an error, a secret, a report.
#[derive(Default)]
struct Shown {
    flash: Option<String>,
    error: Option<String>,
    secret: Option<String>,
    report: Option<TestReport>,
}

async fn page(s: &AppState, c: &Caller, site: &Site, shown: Shown) -> PageResult {
    let list = publish::list_destinations(&s.pipeline, c.account(), site.id).await?;
    let destinations = list
        .into_iter()
        .map(|d| DestinationLine {
            id: d.id.get(),
            kind: d.kind.to_string(),
            username: d.username.unwrap_or_default(),
            post_status: d.options.post_status.as_str().to_string(),
            schedule: schedule_summary(&d.schedule),
            status: d.status.to_string(),
            created: fmt_time(d.created_at),
            mode: mode_name(d.schedule.mode).to_string(),
            times: d.schedule.times.join(", "),
            every_minutes: d.schedule.every_minutes,
            daily_cap: cap_text(d.schedule.daily_cap),
            weekly_cap: cap_text(d.schedule.weekly_cap),
            window_start: d.schedule.window_start,
            window_end: d.schedule.window_end,
            name: d.name,
            url: d.url,
        })
        .collect();
    let status = if shown.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = render(&DestinationsTpl {
        nav: Some(nav(c, "destinations", Some(site))),
        flash: shown.flash,
        csrf: csrf(c),
        site_id: site.id.get(),
        is_owner: c.user.role == Role::Owner,
        can_edit: c.user.role.can_edit(),
        error: shown.error,
        secret: shown.secret,
        report: shown.report.map(|r| ReportView {
            destination: r.destination.get(),
            ok: r.ok,
            summary: r.summary,
            details: r.details,
        }),
        destinations,
    })?;
    *res.status_mut() = status;
    // A page that may show a secret must not be cached anywhere.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Input the person can fix is shown on the page (422); anything else is an error page.
async fn or_error(s: &AppState, c: &Caller, site: &Site, e: impl Into<ApiError>) -> PageResult {
    let e: ApiError = e.into();
    if e.status == StatusCode::UNPROCESSABLE_ENTITY {
        let shown = Shown {
            error: Some(e.message),
            ..Shown::default()
        };
        page(s, c, site, shown).await
    } else {
        Err(PageError(e))
    }
}

#[derive(Deserialize)]
pub(super) struct Flash {
    done: Option<String>,
}

pub(super) async fn destinations_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<Flash>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let flash = q.done.as_deref().and_then(|d| match d {
        "added" => Some("Destination added. Test its connection before publishing.".to_string()),
        "schedule" => Some("Schedule saved.".to_string()),
        "removed" => Some("Destination removed; its records stay.".to_string()),
        _ => None,
    });
    let shown = Shown {
        flash,
        ..Shown::default()
    };
    page(&s, &c, &site, shown).await
}

fn done(site: i64, what: &str) -> Response {
    Redirect::to(&format!("/sites/{site}/destinations?done={what}")).into_response()
}

#[derive(Deserialize)]
pub(super) struct WordPressForm {
    name: String,
    url: String,
    username: String,
    password: String,
    post_status: String,
    /// Ticked: the WordPress lives on a private network.
    allow_private: Option<String>,
}

pub(super) async fn add_wordpress(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, f): CsrfForm<WordPressForm>,
) -> PageResult {
    c.require_owner()?;
    let site = own_site(&s, &c, site).await?;
    let post_status = match WpPostStatus::parse(&f.post_status) {
        Ok(p) => p,
        Err(e) => return or_error(&s, &c, &site, ApiError::invalid(e.to_string())).await,
    };
    let input = DestinationInput {
        name: f.name,
        kind: DestinationKind::WordPress,
        url: f.url,
        username: Some(f.username),
        secret: Some(f.password),
        options: DestinationOptions {
            post_status,
            allow_private: f.allow_private.is_some(),
            ..DestinationOptions::default()
        },
        schedule: PublishSchedule::default(),
    };
    match publish::add_destination(&s.pipeline, c.account(), site.id, input).await {
        Ok(_) => Ok(done(site.id.get(), "added")),
        Err(e) => or_error(&s, &c, &site, e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct WebhookForm {
    name: String,
    url: String,
}

pub(super) async fn add_webhook(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, f): CsrfForm<WebhookForm>,
) -> PageResult {
    c.require_owner()?;
    let site = own_site(&s, &c, site).await?;
    let input = DestinationInput {
        name: f.name,
        kind: DestinationKind::Webhook,
        url: f.url,
        username: None,
        secret: None,
        options: DestinationOptions::default(),
        schedule: PublishSchedule::default(),
    };
    match publish::add_destination(&s.pipeline, c.account(), site.id, input).await {
        Ok(added) => {
            let shown = Shown {
                flash: Some("Webhook destination added.".into()),
                secret: added.signing_secret,
                ..Shown::default()
            };
            page(&s, &c, &site, shown).await
        }
        Err(e) => or_error(&s, &c, &site, e).await,
    }
}

/// The schedule form: blank caps mean no cap; times are comma-separated `HH:MM`.
#[derive(Deserialize)]
pub(super) struct ScheduleForm {
    mode: String,
    times: String,
    every_minutes: String,
    window_start: String,
    window_end: String,
    daily_cap: String,
    weekly_cap: String,
}

impl ScheduleForm {
    fn parse(self) -> Result<PublishSchedule, ApiError> {
        let mode = match self.mode.as_str() {
            "immediate" => PublishMode::Immediate,
            "slots" => PublishMode::Slots,
            "stagger" => PublishMode::Stagger,
            other => {
                return Err(ApiError::invalid(format!(
                    "schedule.mode: immediate, slots or stagger, not {other:?}"
                )));
            }
        };
        let number = |field: &str, v: &str| -> Result<Option<u32>, ApiError> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| ApiError::invalid(format!("{field}: a whole number, not {v:?}")))
        };
        Ok(PublishSchedule {
            mode,
            times: self
                .times
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            every_minutes: number("schedule.every_minutes", &self.every_minutes)?.unwrap_or(60),
            window_start: self.window_start.trim().to_string(),
            window_end: self.window_end.trim().to_string(),
            daily_cap: number("schedule.daily_cap", &self.daily_cap)?,
            weekly_cap: number("schedule.weekly_cap", &self.weekly_cap)?,
        })
    }
}

pub(super) async fn edit_schedule(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<ScheduleForm>,
) -> PageResult {
    c.require_owner()?;
    let id = DestinationId::new(id);
    let d = s.pipeline.db().destination(c.account(), id).await?;
    let site = own_site(&s, &c, d.site_id.get()).await?;
    let schedule = match f.parse() {
        Ok(sch) => sch,
        Err(e) => return or_error(&s, &c, &site, e).await,
    };
    let change = DestinationChange {
        schedule: Some(schedule),
        ..DestinationChange::default()
    };
    match publish::change_destination(&s.pipeline, c.account(), id, change).await {
        Ok(_) => Ok(done(site.id.get(), "schedule")),
        Err(e) => or_error(&s, &c, &site, e).await,
    }
}

pub(super) async fn test(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    let id = DestinationId::new(id);
    let d = s.pipeline.db().destination(c.account(), id).await?;
    let site = own_site(&s, &c, d.site_id.get()).await?;
    let report = publish::test_destination(&s.pipeline, c.account(), id).await?;
    let shown = Shown {
        report: Some(report),
        ..Shown::default()
    };
    page(&s, &c, &site, shown).await
}

pub(super) async fn remove(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_owner()?;
    let id = DestinationId::new(id);
    let d = s.pipeline.db().destination(c.account(), id).await?;
    publish::remove_destination(&s.pipeline, c.account(), id).await?;
    Ok(done(d.site_id.get(), "removed"))
}
