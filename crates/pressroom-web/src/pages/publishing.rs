//! A site's Publishing page: the queue day by day in the site's time zone (what goes out when,
//! where, its status and error), with hold, release, publish now and move up/down for editors.

use super::view::{Nav, csrf, nav, render};
use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::input::own_site;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{PublicationId, PublicationStatus};
use pressroom_pipeline::PipelineError;
use pressroom_pipeline::publish::queue::{self, QueueItem, VIEW_PAGE};
use serde::Deserialize;

struct Line {
    id: i64,
    time: String,
    title: String,
    content_id: i64,
    destination: String,
    status: String,
    held: bool,
    pending: bool,
    error: String,
    url: String,
    /// Move up: before the previous item of the same destination.
    up: Option<i64>,
    /// Move down: the next item of the same destination moves before this one.
    down: Option<i64>,
}

struct Day {
    heading: String,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "publishing.html")]
struct PublishingTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    can_edit: bool,
    site_id: i64,
    timezone: String,
    days: Vec<Day>,
    page: u32,
    more: bool,
}

#[derive(Deserialize)]
pub(super) struct PageParam {
    page: Option<u32>,
}

pub(super) async fn publishing_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<PageParam>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let page = q.page.unwrap_or(0);
    let items = queue::queue_view(&s.pipeline, c.account(), site.id, page).await?;
    let more = items.len() == VIEW_PAGE as usize;
    render(&PublishingTpl {
        nav: Some(nav(&c, "publishing", Some(&site))),
        flash: None,
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
        site_id: site.id.get(),
        timezone: site.settings.timezone.clone(),
        days: days(&items),
        page,
        more,
    })
}

/// Items grouped under their local day (held ones under "Held"), with each queued item's
/// neighbours at its destination for the move buttons.
fn days(items: &[QueueItem]) -> Vec<Day> {
    let queued =
        |i: &QueueItem| i.publication.status == PublicationStatus::Pending && !i.publication.held;
    let mut out: Vec<Day> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let p = &item.publication;
        let neighbour = |mut range: Box<dyn Iterator<Item = usize>>| {
            range
                .find(|&k| {
                    queued(&items[k]) && items[k].publication.destination_id == p.destination_id
                })
                .map(|k| items[k].publication.id.get())
        };
        let (up, down) = if queued(item) {
            (
                neighbour(Box::new((0..n).rev())),
                neighbour(Box::new(n + 1..items.len())),
            )
        } else {
            (None, None)
        };
        let heading = if p.held {
            "Held".to_string()
        } else {
            item.local_day
                .clone()
                .unwrap_or_else(|| "Unscheduled".into())
        };
        let line = Line {
            id: p.id.get(),
            time: if p.held {
                String::new()
            } else {
                item.local_time.clone().unwrap_or_default()
            },
            title: item.title.clone(),
            content_id: p.content_id.get(),
            destination: item.destination.clone(),
            status: p.status.to_string(),
            held: p.held,
            pending: p.status == PublicationStatus::Pending,
            error: p.last_error.clone().unwrap_or_default(),
            url: p.url.clone().unwrap_or_default(),
            up,
            down,
        };
        match out.last_mut() {
            Some(day) if day.heading == heading => day.lines.push(line),
            _ => out.push(Day {
                heading,
                lines: vec![line],
            }),
        }
    }
    out
}

#[derive(Deserialize)]
pub(super) struct ActForm {
    before: Option<i64>,
}

/// `hold`, `release`, `now` or `move` (with `before`), then back to the site's queue.
pub(super) async fn act(
    State(s): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(c, f): CsrfForm<ActForm>,
) -> PageResult {
    c.require_edit()?;
    let (p, account, id) = (&s.pipeline, c.account(), PublicationId::new(id));
    let record = p.db().publication(account, id).await?;
    match action.as_str() {
        "hold" => queue::hold(p, account, id).await.map(|_| ())?,
        "release" => queue::release(p, account, id).await.map(|_| ())?,
        "now" => queue::publish_now(p, account, id).await.map(|_| ())?,
        "move" => {
            let before = f.before.ok_or_else(|| {
                PipelineError::Invalid("before: which publication to move before".into())
            })?;
            queue::move_before(p, account, id, PublicationId::new(before))
                .await
                .map(|_| ())?
        }
        other => {
            return Err(PipelineError::Invalid(format!(
                "action: {other:?} is not hold, release, now or move"
            ))
            .into());
        }
    }
    Ok(Redirect::to(&format!("/sites/{}/publishing", record.site_id)).into_response())
}
