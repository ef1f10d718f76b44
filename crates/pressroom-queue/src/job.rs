//! The values that go in and come out of the jobs table.

use crate::error::{QueueError, Result};
use pressroom_domain::{AccountId, JobId, JobState, RunId, Status, TimestampMs};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// The queue a job goes to when none is named.
pub const DEFAULT_QUEUE: &str = "default";
/// How many times a job runs before it is dead, when not set.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;

/// A job to enqueue. Build it with [`NewJob::new`] and the setters.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    /// The payload as JSON text; the handler registered for `kind` decodes it.
    pub payload: String,
    pub queue: String,
    /// Higher runs first among jobs that are due.
    pub priority: i64,
    /// Not before this time; `None` means now.
    pub run_at: Option<TimestampMs>,
    pub max_attempts: i64,
    /// While a job with this key is available or running, enqueueing another with the same key
    /// returns the existing job instead.
    pub dedupe_key: Option<String>,
    /// The automation run this job belongs to, so a run's jobs can be cancelled together.
    pub run_id: Option<RunId>,
    pub account_id: Option<AccountId>,
}

impl NewJob {
    /// A job of `kind` whose payload is `payload` serialized as JSON.
    pub fn new(kind: impl Into<String>, payload: &impl Serialize) -> Result<NewJob> {
        Ok(NewJob::with_json(kind, serde_json::to_string(payload)?))
    }

    /// A job whose payload is already JSON text.
    pub fn with_json(kind: impl Into<String>, payload: impl Into<String>) -> NewJob {
        NewJob {
            kind: kind.into(),
            payload: payload.into(),
            queue: DEFAULT_QUEUE.to_string(),
            priority: 0,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            dedupe_key: None,
            run_id: None,
            account_id: None,
        }
    }

    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }
    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }
    pub fn run_at(mut self, at: TimestampMs) -> Self {
        self.run_at = Some(at);
        self
    }
    /// Not before `delay` from now.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.run_at = Some(pressroom_store::now_ms().saturating_add(ms(delay)));
        self
    }
    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n;
        self
    }
    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
    pub fn run(mut self, run: RunId) -> Self {
        self.run_id = Some(run);
        self
    }
    pub fn account(mut self, account: AccountId) -> Self {
        self.account_id = Some(account);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.kind.trim().is_empty() {
            return Err(QueueError::Invalid("job kind is empty".into()));
        }
        if self.queue.trim().is_empty() {
            return Err(QueueError::Invalid("queue name is empty".into()));
        }
        if self.max_attempts < 1 {
            return Err(QueueError::Invalid(format!(
                "max_attempts must be at least 1, got {}",
                self.max_attempts
            )));
        }
        Ok(())
    }
}

/// Proof of one claim on one job: the owner and the attempt number that claim stamped. Every
/// write after the claim matches both, so a claim that was rescued and taken over (the attempt
/// moved on) or cancelled writes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job: JobId,
    pub owner: Arc<str>,
    pub attempt: i64,
}

/// A job this worker has claimed and holds the lease on.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub queue: String,
    pub priority: i64,
    pub run_at: TimestampMs,
    /// 1 on the first run; counted at claim time.
    pub attempt: i64,
    pub max_attempts: i64,
    pub run_id: Option<RunId>,
    pub account_id: Option<AccountId>,
    pub created_at: TimestampMs,
    pub lease: Lease,
}

/// A job row as stored, for inspection (UI, API, tests).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRecord {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub queue: String,
    pub priority: i64,
    pub run_at: TimestampMs,
    pub attempts: i64,
    pub max_attempts: i64,
    pub state: JobState,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<TimestampMs>,
    pub dedupe_key: Option<String>,
    pub last_error: Option<String>,
    pub run_id: Option<RunId>,
    pub account_id: Option<AccountId>,
    pub created_at: TimestampMs,
    pub started_at: Option<TimestampMs>,
    pub finished_at: Option<TimestampMs>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    kind: String,
    payload: String,
    queue: String,
    priority: i64,
    run_at: i64,
    attempts: i64,
    max_attempts: i64,
    state: String,
    lease_owner: Option<String>,
    lease_expires_at: Option<i64>,
    dedupe_key: Option<String>,
    last_error: Option<String>,
    run_id: Option<i64>,
    account_id: Option<i64>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
}

impl TryFrom<JobRow> for JobRecord {
    type Error = QueueError;
    fn try_from(r: JobRow) -> Result<JobRecord> {
        let state = JobState::parse(&r.state).map_err(|e| {
            QueueError::Store(pressroom_store::StoreError::Corrupt {
                what: "job state",
                detail: e.to_string(),
            })
        })?;
        Ok(JobRecord {
            id: JobId::new(r.id),
            kind: r.kind,
            payload: r.payload,
            queue: r.queue,
            priority: r.priority,
            run_at: r.run_at,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            state,
            lease_owner: r.lease_owner,
            lease_expires_at: r.lease_expires_at,
            dedupe_key: r.dedupe_key,
            last_error: r.last_error,
            run_id: r.run_id.map(RunId::new),
            account_id: r.account_id.map(AccountId::new),
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

/// What a claim statement returns per job.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub queue: String,
    pub priority: i64,
    pub run_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_id: Option<i64>,
    pub account_id: Option<i64>,
    pub created_at: i64,
}

impl ClaimRow {
    pub(crate) fn into_claimed(self, owner: &Arc<str>) -> ClaimedJob {
        let id = JobId::new(self.id);
        ClaimedJob {
            id,
            kind: self.kind,
            payload: self.payload,
            queue: self.queue,
            priority: self.priority,
            run_at: self.run_at,
            attempt: self.attempts,
            max_attempts: self.max_attempts,
            run_id: self.run_id.map(RunId::new),
            account_id: self.account_id.map(AccountId::new),
            created_at: self.created_at,
            lease: Lease {
                job: id,
                owner: owner.clone(),
                attempt: self.attempts,
            },
        }
    }
}

/// Job counts per queue and state, for dashboards and metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueCount {
    pub queue: String,
    pub state: JobState,
    pub count: i64,
}

/// What one rescue sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rescued {
    /// Back to available, to run again.
    pub requeued: u64,
    /// Out of attempts: dead.
    pub dead: u64,
}

pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
