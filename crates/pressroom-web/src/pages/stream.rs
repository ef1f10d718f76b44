//! A run's progress as Server-Sent Events: `event` for each new run event, `run` with the run
//! (status, stages, credits) whenever it changed since the last one sent, and `end` once the
//! run has stopped and every event was sent. While nothing changes only keep-alive comments
//! flow, so an idle watcher costs two small reads a tick and no bandwidth.

use crate::auth::Caller;
use crate::dto::{RunDto, RunEventDto};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use pressroom_domain::{AccountId, RunEventId, RunId};
use pressroom_store::StoreError;
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

/// How often the database is read for news.
const POLL: Duration = Duration::from_millis(400);
/// Events read per poll; a full batch is followed by another read at once.
const BATCH: u32 = 500;
/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a stopped run's stream waits for its driver to wind down (it records the items
/// still out and a last event after a cancel) before it ends anyway.
const WIND_DOWN: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
pub(super) struct AfterParam {
    after: Option<i64>,
}

/// The stream of run `id` after event `?after=`, or after the `Last-Event-ID` a reconnecting
/// browser sends (it wins: it is newer than the page's `after`).
pub(super) async fn stream(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AfterParam>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let run = s.pipeline.db().run(c.account(), RunId::new(id)).await?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let watch = Watch {
        s,
        account: c.account(),
        run: run.id,
        after: last_seen
            .or(q.after)
            .filter(|a| *a > 0)
            .map(RunEventId::new),
        last_run: None,
        pending: VecDeque::new(),
        done: false,
        read_now: true,
        stopped_at: None,
    };
    let events = futures::stream::unfold(watch, Watch::next);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// One watcher's cursor.
struct Watch {
    s: AppState,
    account: AccountId,
    run: RunId,
    /// The last event sent.
    after: Option<RunEventId>,
    /// The `run` message last sent, to send the next only when it differs.
    last_run: Option<String>,
    pending: VecDeque<Event>,
    done: bool,
    /// Read without waiting: the first read, and after a full batch.
    read_now: bool,
    /// When the run was first seen stopped with nothing new to send.
    stopped_at: Option<tokio::time::Instant>,
}

impl Watch {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Watch)> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some((Ok(e), self));
            }
            if self.done || self.s.shutdown.is_cancelled() {
                return None;
            }
            if !self.read_now {
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = self.s.shutdown.cancelled() => return None,
                }
            }
            self.read().await;
        }
    }

    /// Queues what changed since the last read. A run that no longer exists ends the stream.
    async fn read(&mut self) {
        let db = self.s.pipeline.db();
        // The run before its events: a run that stops between the two reads is seen stopped
        // only on the next read, after every event it wrote has been sent.
        let run = match db.run(self.account, self.run).await {
            Ok(r) => r,
            Err(StoreError::NotFound { .. }) => {
                self.done = true;
                return;
            }
            Err(e) => return self.failed(e, "the run"),
        };
        let batch = match db
            .run_events(self.account, self.run, self.after, BATCH)
            .await
        {
            Ok(b) => b,
            Err(e) => return self.failed(e, "events"),
        };
        self.read_now = batch.len() == BATCH as usize;
        let quiet = batch.is_empty();
        for e in batch {
            self.after = Some(e.id);
            let dto = RunEventDto::from(e);
            let id = dto.id.to_string();
            self.pending
                .push_back(Event::default().event("event").id(id).data(json(&dto)));
        }
        let stopped = !run.status.is_active();
        let status = run.status.to_string();
        let message = json(&RunDto::from(run));
        if self.last_run.as_deref() != Some(message.as_str()) {
            self.pending
                .push_back(Event::default().event("run").data(&message));
            self.last_run = Some(message);
        }
        if stopped && quiet && self.wound_down().await {
            self.pending
                .push_back(Event::default().event("end").data(status));
            self.done = true;
        }
    }

    /// Whether a stopped run's jobs (its driver above all) have all ended, so no event is
    /// still to come; after [`WIND_DOWN`] the stream ends regardless.
    async fn wound_down(&mut self) -> bool {
        let since = *self
            .stopped_at
            .get_or_insert_with(tokio::time::Instant::now);
        if since.elapsed() >= WIND_DOWN {
            return true;
        }
        match self.s.pipeline.queue().live_jobs_of_run(self.run).await {
            Ok(live) => live == 0,
            Err(e) => {
                tracing::warn!(error = %e, run = self.run.get(), "run stream: reading the run's jobs failed");
                false
            }
        }
    }

    /// A read that failed: tried again on the next tick, unless the rows are corrupt, which no
    /// retry mends; then the stream ends (the page falls back to reloading).
    fn failed(&mut self, e: StoreError, what: &str) {
        if matches!(e, StoreError::Corrupt { .. }) {
            tracing::error!(error = %e, run = self.run.get(), "run stream: {what} unreadable; ending the stream");
            self.done = true;
        } else {
            tracing::warn!(error = %e, run = self.run.get(), "run stream: reading {what} failed");
            self.read_now = false;
        }
    }
}

/// A DTO as JSON. The DTOs are plain structs of strings and numbers, which always serialise;
/// the error arm exists only because the signature has one.
fn json<T: serde::Serialize>(dto: &T) -> String {
    serde_json::to_string(dto).unwrap_or_else(|e| {
        tracing::error!(error = %e, "run stream: a DTO did not serialise");
        "{}".to_string()
    })
}
