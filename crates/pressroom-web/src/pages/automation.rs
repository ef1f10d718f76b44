//! A site's Automation page: the estimate (credits, dollars, budget left), the schedule with its
//! next slot and slot history, the current run with its stages and events, the history, and
//! the buttons that start and steer runs. Live updates come from [`super::stream`].

use super::view::{Empty, Nav, csrf, fmt_opt, fmt_time, nav, render};
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::dto::{EstimateDto, RunDto};
use crate::error::PageResult;
use crate::input::own_site;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{AccountId, AutomationRun, RunId, RunScope, RunTrigger};
use pressroom_pipeline::runs;
use serde::Deserialize;

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

/// A claimed slot, for the page.
struct SlotLine {
    at: String,
    outcome: &'static str,
    run: Option<i64>,
    detail: String,
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
    schedule: String,
    timezone: String,
    next_slot: Option<String>,
    slots: Vec<SlotLine>,
    budget_line: String,
}

#[derive(Deserialize)]
pub(super) struct RunParam {
    run: Option<i64>,
}

pub(super) async fn automation(
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
    let plan = pressroom_pipeline::scheduler::schedule_view(&s.pipeline, &site).await?;
    let b = &plan.budget;
    let budget_line = match (b.budget, b.left) {
        (Some(budget), Some(left)) => format!(
            "{} of {budget} credits spent in {}; {left} left",
            b.spent, b.month
        ),
        _ => format!("no budget; {} credits spent in {}", b.spent, b.month),
    };
    render(&AutomationTpl {
        nav: Some(nav(&c, "automation", Some(&site))),
        flash: None,
        site_id: site.id.get(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
        estimate: estimate.into(),
        schedule: plan.summary,
        next_slot: plan
            .next_slot_local
            .zip(plan.next_slot_utc)
            .map(|(local, utc)| format!("{local} ({utc})")),
        slots: plan
            .slots
            .into_iter()
            .map(|slot| SlotLine {
                at: pressroom_pipeline::scheduler::local_time(&plan.timezone, slot.slot_at),
                outcome: slot.outcome.as_str(),
                run: slot.run_id.map(|r| r.get()),
                detail: slot.detail.unwrap_or_default(),
            })
            .collect(),
        timezone: plan.timezone,
        budget_line,
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

pub(super) async fn start_run(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let scope = RunScope::default();
    let (run, _) = runs::start_run(
        &s.pipeline,
        c.account(),
        site.id,
        RunTrigger::Manual,
        &scope,
    )
    .await?;
    Ok(Redirect::to(&format!("/sites/{}/automation?run={}", site.id, run.id)).into_response())
}

async fn control(
    s: &AppState,
    c: &Caller,
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

pub(super) async fn pause(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    control(&s, &c, id, |p, a, r| Box::pin(runs::pause_run(p, a, r))).await
}

pub(super) async fn resume(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    control(&s, &c, id, |p, a, r| Box::pin(runs::resume_run(p, a, r))).await
}

pub(super) async fn cancel(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    control(&s, &c, id, |p, a, r| Box::pin(runs::cancel_run(p, a, r))).await
}
