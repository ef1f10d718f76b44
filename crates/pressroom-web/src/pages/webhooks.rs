//! Webhooks: list with each one's latest deliveries, add (the secret is shown once), remove,
//! ping. Owners change them; everyone reads the log.

use super::view::{Empty, Nav, csrf, fmt_opt, fmt_time, nav, render};
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{DeliveryId, WebhookEvent, WebhookId, webhook};
use pressroom_pipeline::notify;
use serde::Deserialize;

/// Deliveries shown under each webhook.
const LOG_LINES: u32 = 10;

struct DeliveryLine {
    id: i64,
    event: String,
    status: String,
    attempts: i64,
    answer: String,
    created: String,
    delivered: String,
}

struct HookLine {
    id: i64,
    url: String,
    events: String,
    status: String,
    created: String,
    log: Vec<DeliveryLine>,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    is_owner: bool,
    secret: Option<String>,
    error: Option<String>,
    events: Vec<&'static str>,
    hooks: Vec<HookLine>,
}

async fn page(
    s: &AppState,
    c: &Caller,
    secret: Option<String>,
    error: Option<String>,
) -> PageResult {
    let mut hooks = Vec::new();
    for h in notify::list_webhooks(&s.pipeline, c.account()).await? {
        let log = notify::deliveries(&s.pipeline, c.account(), h.id, LOG_LINES).await?;
        hooks.push(HookLine {
            id: h.id.get(),
            events: h
                .events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            url: h.url,
            status: h.status.to_string(),
            created: fmt_time(h.created_at),
            log: log
                .into_iter()
                .map(|d| DeliveryLine {
                    id: d.id.get(),
                    event: d.event.to_string(),
                    status: d.status.to_string(),
                    attempts: d.attempts,
                    answer: match (d.response_status, d.error) {
                        (_, Some(e)) => e,
                        (Some(s), None) => format!("HTTP {s}"),
                        (None, None) => String::new(),
                    },
                    created: fmt_time(d.created_at),
                    delivered: fmt_opt(d.delivered_at),
                })
                .collect(),
        });
    }
    let mut res = render(&WebhooksTpl {
        nav: Some(nav(c, "webhooks", None)),
        flash: None,
        csrf: csrf(c),
        is_owner: c.user.role == pressroom_domain::Role::Owner,
        secret,
        error,
        events: webhook::subscribable().map(WebhookEvent::as_str).collect(),
        hooks,
    })?;
    // A page showing a secret must not be cached anywhere.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub(super) async fn webhooks(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    page(&s, &c, None, None).await
}

/// The add form: the URL and one checkbox per event (ticked ones arrive as `on`).
#[derive(Deserialize)]
pub(super) struct AddForm {
    url: String,
    #[serde(rename = "run-completed")]
    run_completed: Option<String>,
    #[serde(rename = "run-failed")]
    run_failed: Option<String>,
    #[serde(rename = "run-awaiting-review")]
    run_awaiting_review: Option<String>,
    #[serde(rename = "images-failed")]
    images_failed: Option<String>,
}

pub(super) async fn add(
    State(s): State<AppState>,
    CsrfForm(c, f): CsrfForm<AddForm>,
) -> PageResult {
    c.require_owner()?;
    let events: Vec<WebhookEvent> = [
        (&f.run_completed, WebhookEvent::RunCompleted),
        (&f.run_failed, WebhookEvent::RunFailed),
        (&f.run_awaiting_review, WebhookEvent::RunAwaitingReview),
        (&f.images_failed, WebhookEvent::ImagesFailed),
    ]
    .into_iter()
    .filter(|(ticked, _)| ticked.is_some())
    .map(|(_, e)| e)
    .collect();
    if events.is_empty() {
        return page(&s, &c, None, Some("events: tick at least one".into())).await;
    }
    match notify::add_webhook(&s.pipeline, c.account(), &f.url, &events).await {
        Ok(added) => page(&s, &c, Some(added.secret), None).await,
        Err(pressroom_pipeline::PipelineError::Invalid(m)) => page(&s, &c, None, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn remove(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_owner()?;
    notify::remove_webhook(&s.pipeline, c.account(), WebhookId::new(id)).await?;
    Ok(Redirect::to("/webhooks").into_response())
}

pub(super) async fn ping(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    notify::ping_webhook(&s.pipeline, c.account(), WebhookId::new(id)).await?;
    Ok(Redirect::to("/webhooks").into_response())
}

pub(super) async fn resend(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    notify::resend_delivery(&s.pipeline, c.account(), DeliveryId::new(id)).await?;
    Ok(Redirect::to("/webhooks").into_response())
}
