//! Queue operations: one SQL statement each, on either engine.
//!
//! Claims lock nothing beyond the claiming statement: a job is held by its lease
//! (`lease_owner`, `lease_expires_at`) and every later write matches the lease's owner and
//! attempt number, so a stale holder writes nothing. On PostgreSQL, statements that lock many
//! rows either skip locked rows (claim, rescue, heartbeat) or lock them in id order (batch
//! completion, cancel by run), so two of them can never deadlock. On SQLite every write
//! statement takes the database's single write lock for its duration, which is short.

use crate::error::{QueueError, Result};
use crate::job::{ClaimRow, ClaimedJob, JobRecord, JobRow, Lease, NewJob, QueueCount, Rescued, ms};
use crate::wake::{PG_CHANNEL, Wakers, sqlite_wakers};
use pressroom_domain::{JobId, JobState, RunId, Status, TimestampMs};
use pressroom_store::{Db, Engine, Tx, now_ms, on_conn, on_db};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A handle on the jobs table of one database. Cheap to clone.
#[derive(Clone)]
pub struct Queue {
    db: Db,
    wakers: Arc<Wakers>,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("engine", &self.db.engine())
            .finish()
    }
}

/// The database server's clock in ms. On PostgreSQL, where workers may run on several machines,
/// lease expiry is stamped and checked against this one clock, so skew between the workers'
/// clocks cannot expire a live lease early. (SQLite lives on one machine: its workers share a
/// clock, and lease times are computed by the caller.)
macro_rules! pg_now {
    () => {
        "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint"
    };
}

// $2 is the lease length in ms on PostgreSQL (added to the server's clock), the absolute expiry
// on SQLite.
const PG_CLAIM: &str = concat!("UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = ", pg_now!(), " + $2,
        attempts = attempts + 1, started_at = $3
    WHERE id = ANY(ARRAY(
        SELECT id FROM jobs WHERE state = 'available' AND queue = $4 AND run_at <= $3
        ORDER BY priority DESC, run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED))
    RETURNING id, kind, payload, queue, priority, run_at, attempts, max_attempts, run_id, account_id, created_at");

const SQLITE_CLAIM: &str = "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2,
        attempts = attempts + 1, started_at = $3
    WHERE id IN (
        SELECT id FROM jobs WHERE state = 'available' AND queue = $4 AND run_at <= $3
        ORDER BY priority DESC, run_at, id LIMIT $5)
    RETURNING id, kind, payload, queue, priority, run_at, attempts, max_attempts, run_id, account_id, created_at";

// Lease pairs (job id, attempt) are passed as two arrays on PostgreSQL and as one JSON array of
// [id, attempt] pairs on SQLite, so each statement has one fixed text whatever the batch size.
// Joins on the lease list (hash join or id look-ups): an `(id, attempts) IN (list)` filter
// was planned as a nested loop over both lists, quadratic in the batch size.
const PG_COMPLETE_MANY: &str =
    "UPDATE jobs j SET state = 'done', finished_at = $1, lease_expires_at = NULL
    FROM UNNEST($3::bigint[], $4::bigint[]) AS l(id, attempt)
    WHERE j.id = l.id AND j.attempts = l.attempt AND j.state = 'running' AND j.lease_owner = $2
    RETURNING j.id";

const SQLITE_COMPLETE_MANY: &str = "UPDATE jobs SET state = 'done', finished_at = $1, lease_expires_at = NULL
    FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS attempt
          FROM json_each($3)) AS l
    WHERE jobs.id = l.id AND jobs.attempts = l.attempt AND jobs.state = 'running' AND jobs.lease_owner = $2
    RETURNING jobs.id";

// Skips rows locked right now (a completion or cancel is writing them), so a heartbeat never
// waits and never takes part in a deadlock.
const PG_HEARTBEAT: &str = concat!(
    "UPDATE jobs SET lease_expires_at = ",
    pg_now!(),
    " + $1
    WHERE id = ANY(ARRAY(
        SELECT j.id FROM UNNEST($3::bigint[], $4::bigint[]) AS l(id, attempt)
        JOIN jobs j ON j.id = l.id AND j.attempts = l.attempt
        WHERE j.state = 'running' AND j.lease_owner = $2
        FOR UPDATE OF j SKIP LOCKED))
    RETURNING id"
);

const SQLITE_HEARTBEAT: &str = "UPDATE jobs SET lease_expires_at = $1
    FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS attempt
          FROM json_each($3)) AS l
    WHERE jobs.id = l.id AND jobs.attempts = l.attempt AND jobs.state = 'running' AND jobs.lease_owner = $2
    RETURNING jobs.id";

const RESCUE_SET: &str = "SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'available' END,
        last_error = 'lease expired: worker ' || COALESCE(lease_owner, '?') || ' stopped heartbeating (attempt ' || attempts || ')',
        finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END,
        lease_owner = NULL, lease_expires_at = NULL, run_at = $1";

const PG_ENQUEUE: &str = "WITH ins AS (
        INSERT INTO jobs (kind, payload, queue, priority, run_at, max_attempts, dedupe_key, run_id, account_id, created_at)
        SELECT k, p, q, pr, ra, ma, dk, ri, ai, $10
        FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
                    $7::text[], $8::bigint[], $9::bigint[]) AS u(k, p, q, pr, ra, ma, dk, ri, ai)
        ON CONFLICT DO NOTHING
        RETURNING id, dedupe_key, queue),
    woken AS (SELECT pg_notify('pressroom_jobs', q) FROM (SELECT DISTINCT queue AS q FROM ins) d)
    SELECT id, dedupe_key FROM ins WHERE (SELECT count(*) FROM woken) >= 0";

// `WHERE true` resolves SQLite's parsing ambiguity between INSERT…SELECT and ON CONFLICT.
const SQLITE_ENQUEUE: &str = "INSERT INTO jobs (kind, payload, queue, priority, run_at, max_attempts, dedupe_key, run_id, account_id, created_at)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
           json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
           json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'), $2
    FROM json_each($1) WHERE true
    ON CONFLICT DO NOTHING
    RETURNING id, dedupe_key";

pub(crate) const JOB_COLUMNS: &str = "SELECT id, kind, payload, queue, priority, run_at, attempts, max_attempts, state,
    lease_owner, lease_expires_at, dedupe_key, last_error, run_id, account_id, created_at, started_at, finished_at
    FROM jobs";

fn lease_pairs_json(leases: &[(JobId, i64)]) -> String {
    let pairs: Vec<[i64; 2]> = leases.iter().map(|(id, a)| [id.get(), *a]).collect();
    // A Vec of integer pairs always serializes.
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

fn lease_arrays(leases: &[(JobId, i64)]) -> (Vec<i64>, Vec<i64>) {
    leases.iter().map(|(id, a)| (id.get(), *a)).unzip()
}

impl Queue {
    pub fn new(db: Db) -> Queue {
        let wakers = match &db {
            Db::Sqlite(p) => sqlite_wakers(p.connect_options().get_filename().to_path_buf()),
            Db::Postgres(_) => Arc::new(Wakers::default()),
        };
        Queue { db, wakers }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn engine(&self) -> Engine {
        self.db.engine()
    }

    pub(crate) fn wakers(&self) -> &Arc<Wakers> {
        &self.wakers
    }

    /// The notifier this process's claim loops on `queue` wait on.
    pub fn notifier(&self, queue: &str) -> Arc<Notify> {
        self.wakers.get(queue)
    }

    /// Wakes this process's idle workers on `queue`; call it after committing a transaction
    /// that enqueued with [`Queue::enqueue_in`] (PostgreSQL workers are woken by the commit).
    pub fn wake(&self, queue: &str) {
        self.wakers.wake(queue);
    }

    /// Enqueues one job. With a dedupe key that a live (available or running) job already
    /// holds, nothing is inserted and that job's id is returned.
    pub async fn enqueue(&self, job: NewJob) -> Result<JobId> {
        let ids = self.enqueue_many(std::slice::from_ref(&job)).await?;
        ids.into_iter()
            .next()
            .ok_or_else(|| QueueError::Invalid("enqueue returned no id".into()))
    }

    /// Enqueues many jobs in one statement and returns their ids in input order (an existing
    /// live job's id where a dedupe key was already taken).
    pub async fn enqueue_many(&self, jobs: &[NewJob]) -> Result<Vec<JobId>> {
        let ids = match &self.db {
            Db::Sqlite(p) => {
                let mut conn = p.acquire().await?;
                enqueue_on_sqlite(&mut conn, jobs).await?
            }
            Db::Postgres(p) => {
                let mut conn = p.acquire().await?;
                enqueue_on_postgres(&mut conn, jobs).await?
            }
        };
        let queues: HashSet<&str> = jobs.iter().map(|j| j.queue.as_str()).collect();
        for q in queues {
            self.wakers.wake(q);
        }
        Ok(ids)
    }

    /// Enqueues inside the caller's transaction, so the jobs exist if and only if the rest of
    /// that transaction commits. On SQLite call [`Queue::wake`] after the commit.
    pub async fn enqueue_in(tx: &mut Tx, jobs: &[NewJob]) -> Result<Vec<JobId>> {
        match tx {
            Tx::Sqlite(t) => enqueue_on_sqlite(t, jobs).await,
            Tx::Postgres(t) => enqueue_on_postgres(t, jobs).await,
        }
    }

    /// Claims up to `limit` due jobs of `queue` for `owner`, leased for `lease`, in priority
    /// order. Each claimed job's attempt count goes up by one.
    pub async fn claim(
        &self,
        queue: &str,
        owner: &Arc<str>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let lease_arg = match self.db.engine() {
            Engine::Postgres => ms(lease),
            Engine::Sqlite => now.saturating_add(ms(lease)),
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = match self.db.engine() {
            Engine::Postgres => PG_CLAIM,
            Engine::Sqlite => SQLITE_CLAIM,
        };
        let rows: Vec<ClaimRow> = on_db!(&self.db, p => sqlx::query_as(sql)
            .bind(&**owner).bind(lease_arg).bind(now).bind(queue).bind(limit)
            .fetch_all(p).await)?;
        let mut jobs: Vec<ClaimedJob> = rows.into_iter().map(|r| r.into_claimed(owner)).collect();
        jobs.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.run_at.cmp(&b.run_at))
                .then(a.id.cmp(&b.id))
        });
        Ok(jobs)
    }

    /// Extends the leases `owner` still holds among `leases` to `lease` from now, and returns
    /// the jobs it extended. On PostgreSQL a job being written at this very moment is skipped
    /// (its write is about to finish it), so a missing id is not proof of a lost lease.
    pub async fn heartbeat(
        &self,
        owner: &str,
        leases: &[(JobId, i64)],
        lease: Duration,
    ) -> Result<Vec<JobId>> {
        if leases.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = match &self.db {
            Db::Postgres(p) => {
                let (ids, attempts) = lease_arrays(leases);
                sqlx::query_scalar(PG_HEARTBEAT)
                    .bind(ms(lease))
                    .bind(owner)
                    .bind(ids)
                    .bind(attempts)
                    .fetch_all(p)
                    .await?
            }
            Db::Sqlite(p) => {
                sqlx::query_scalar(SQLITE_HEARTBEAT)
                    .bind(now_ms().saturating_add(ms(lease)))
                    .bind(owner)
                    .bind(lease_pairs_json(leases))
                    .fetch_all(p)
                    .await?
            }
        };
        Ok(ids.into_iter().map(JobId::new).collect())
    }

    /// Marks one job done; `LeaseLost` (and nothing written) if the lease is no longer held.
    pub async fn complete(&self, lease: &Lease) -> Result<()> {
        let n = on_db!(&self.db, p => sqlx::query(
            "UPDATE jobs SET state = 'done', finished_at = $1, lease_expires_at = NULL
             WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'running'")
            .bind(now_ms()).bind(lease.job.get()).bind(&*lease.owner).bind(lease.attempt)
            .execute(p).await.map(|r| r.rows_affected()))?;
        if n == 1 {
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job: lease.job })
        }
    }

    /// Marks the job done inside `tx`, the transaction that also holds the job's effects, so
    /// both commit or neither does. The lease is checked inside the transaction: if it was
    /// lost this returns `LeaseLost`, and the caller must roll back its effects.
    pub async fn complete_in(tx: &mut Tx, lease: &Lease) -> Result<()> {
        let n = on_conn!(tx, c => sqlx::query(
            "UPDATE jobs SET state = 'done', finished_at = $1, lease_expires_at = NULL
             WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'running'")
            .bind(now_ms()).bind(lease.job.get()).bind(&*lease.owner).bind(lease.attempt)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if n == 1 {
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job: lease.job })
        }
    }

    /// Marks many jobs of one owner done in one statement; returns the ones it marked (the
    /// others' leases were lost).
    pub async fn complete_many(&self, owner: &str, leases: &[(JobId, i64)]) -> Result<Vec<JobId>> {
        if leases.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let ids: Vec<i64> = match &self.db {
            Db::Postgres(p) => {
                let (ids, attempts) = lease_arrays(leases);
                sqlx::query_scalar(PG_COMPLETE_MANY)
                    .bind(now)
                    .bind(owner)
                    .bind(ids)
                    .bind(attempts)
                    .fetch_all(p)
                    .await?
            }
            Db::Sqlite(p) => {
                sqlx::query_scalar(SQLITE_COMPLETE_MANY)
                    .bind(now)
                    .bind(owner)
                    .bind(lease_pairs_json(leases))
                    .fetch_all(p)
                    .await?
            }
        };
        Ok(ids.into_iter().map(JobId::new).collect())
    }

    /// Records a failed attempt: back to available at `retry_at` while attempts remain,
    /// otherwise dead. Returns the state the job is now in.
    pub async fn retry(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: TimestampMs,
    ) -> Result<JobState> {
        let now = now_ms();
        let state: Option<String> = on_db!(&self.db, p => sqlx::query_scalar(
            "UPDATE jobs SET
                state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'available' END,
                finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END,
                run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE $2 END,
                lease_owner = CASE WHEN attempts >= max_attempts THEN lease_owner ELSE NULL END,
                lease_expires_at = NULL, last_error = $3
             WHERE id = $4 AND lease_owner = $5 AND attempts = $6 AND state = 'running'
             RETURNING state")
            .bind(now).bind(retry_at).bind(error).bind(lease.job.get()).bind(&*lease.owner)
            .bind(lease.attempt).fetch_optional(p).await)?;
        match state {
            Some(s) => parse_state(&s),
            None => Err(QueueError::LeaseLost { job: lease.job }),
        }
    }

    /// Marks the job dead now, keeping `error`: for failures no retry can fix.
    pub async fn bury(&self, lease: &Lease, error: &str) -> Result<()> {
        let n = on_db!(&self.db, p => sqlx::query(
            "UPDATE jobs SET state = 'dead', finished_at = $1, lease_expires_at = NULL, last_error = $2
             WHERE id = $3 AND lease_owner = $4 AND attempts = $5 AND state = 'running'")
            .bind(now_ms()).bind(error).bind(lease.job.get()).bind(&*lease.owner).bind(lease.attempt)
            .execute(p).await.map(|r| r.rows_affected()))?;
        if n == 1 {
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job: lease.job })
        }
    }

    /// Gives a claimed job back untouched, its attempt not counted: for a worker shutting down
    /// before the job could finish.
    pub async fn release(&self, lease: &Lease) -> Result<()> {
        let n = on_db!(&self.db, p => sqlx::query(
            "UPDATE jobs SET state = 'available', attempts = attempts - 1, lease_owner = NULL,
                lease_expires_at = NULL, started_at = NULL
             WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND state = 'running'")
            .bind(lease.job.get()).bind(&*lease.owner).bind(lease.attempt)
            .execute(p).await.map(|r| r.rows_affected()))?;
        if n == 1 {
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job: lease.job })
        }
    }

    /// Returns running jobs whose lease expired (their worker died or stalled) to available,
    /// their attempt counted; those out of attempts become dead. Any worker may run this.
    pub async fn rescue_expired(&self) -> Result<Rescued> {
        let now = now_ms();
        let states: Vec<String> = match &self.db {
            Db::Postgres(p) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "UPDATE jobs {RESCUE_SET} WHERE id = ANY(ARRAY(
                        SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < {now}
                        FOR UPDATE SKIP LOCKED)) RETURNING state",
                    now = pg_now!()
                )))
                .bind(now)
                .fetch_all(p)
                .await?
            }
            Db::Sqlite(p) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "UPDATE jobs {RESCUE_SET} WHERE state = 'running' AND lease_expires_at < $1
                     RETURNING state"
                )))
                .bind(now)
                .fetch_all(p)
                .await?
            }
        };
        let dead = states.iter().filter(|s| s.as_str() == "dead").count() as u64;
        let out = Rescued {
            requeued: states.len() as u64 - dead,
            dead,
        };
        if out.requeued > 0 {
            self.wakers.wake_all();
        }
        Ok(out)
    }

    /// Cancels a job that has not finished. Returns false if it had already finished. A
    /// running job's worker loses its lease: its completion writes nothing.
    pub async fn cancel(&self, id: JobId) -> Result<bool> {
        let n = on_db!(&self.db, p => sqlx::query(
            "UPDATE jobs SET state = 'cancelled', finished_at = $1, lease_expires_at = NULL
             WHERE id = $2 AND state IN ('available', 'running')")
            .bind(now_ms()).bind(id.get()).execute(p).await.map(|r| r.rows_affected()))?;
        if n == 1 {
            return Ok(true);
        }
        let exists: Option<i64> = on_db!(&self.db, p => sqlx::query_scalar(
            "SELECT id FROM jobs WHERE id = $1").bind(id.get()).fetch_optional(p).await)?;
        match exists {
            Some(_) => Ok(false),
            None => Err(QueueError::NotFound(id)),
        }
    }

    pub async fn get(&self, id: JobId) -> Result<JobRecord> {
        let row: Option<JobRow> = on_db!(&self.db, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{JOB_COLUMNS} WHERE id = $1")))
            .bind(id.get()).fetch_optional(p).await)?;
        row.ok_or(QueueError::NotFound(id))?.try_into()
    }

    /// Jobs newest first, optionally only those in `state` and/or on `queue`: for dashboards
    /// and for finding jobs that died (e.g. by rescue after their last attempt).
    pub async fn list(
        &self,
        state: Option<JobState>,
        queue: Option<&str>,
        limit: i64,
    ) -> Result<Vec<JobRecord>> {
        let rows: Vec<JobRow> = on_db!(&self.db, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{JOB_COLUMNS}
                WHERE (CAST($1 AS TEXT) IS NULL OR state = $1) AND (CAST($2 AS TEXT) IS NULL OR queue = $2)
                ORDER BY id DESC LIMIT $3")))
            .bind(state.map(|s| s.as_str())).bind(queue).bind(limit.max(0)).fetch_all(p).await)?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// The jobs of an automation run, oldest first.
    pub async fn jobs_of_run(&self, run: RunId) -> Result<Vec<JobRecord>> {
        let rows: Vec<JobRow> = on_db!(&self.db, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{JOB_COLUMNS} WHERE run_id = $1 ORDER BY id")))
            .bind(run.get()).fetch_all(p).await)?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// How many jobs of a run are still available or running.
    pub async fn live_jobs_of_run(&self, run: RunId) -> Result<i64> {
        Ok(on_db!(&self.db, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE run_id = $1 AND state IN ('available', 'running')")
            .bind(run.get()).fetch_one(p).await)?)
    }

    /// Job counts per queue and state.
    pub async fn counts(&self) -> Result<Vec<QueueCount>> {
        let rows: Vec<(String, String, i64)> = on_db!(&self.db, p => sqlx::query_as(
            "SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state ORDER BY queue, state")
            .fetch_all(p).await)?;
        rows.into_iter()
            .map(|(queue, state, count)| {
                Ok(QueueCount {
                    queue,
                    state: parse_state(&state)?,
                    count,
                })
            })
            .collect()
    }

    /// Deletes finished (done, dead, cancelled) jobs that finished before `before`.
    pub async fn purge_finished(&self, before: TimestampMs) -> Result<u64> {
        Ok(on_db!(&self.db, p => sqlx::query(
            "DELETE FROM jobs WHERE state IN ('done', 'dead', 'cancelled') AND finished_at < $1")
            .bind(before).execute(p).await.map(|r| r.rows_affected()))?)
    }
}

fn parse_state(s: &str) -> Result<JobState> {
    JobState::parse(s).map_err(|e| {
        QueueError::Store(pressroom_store::StoreError::Corrupt {
            what: "job state",
            detail: e.to_string(),
        })
    })
}

/// Maps the inserted rows back to input order. Ids are assigned in insertion order, which is
/// input order (array order on PostgreSQL, json_each order on SQLite), so the inserted rows,
/// sorted by id, line up with the input jobs that were not deduplicated.
struct EnqueuePlan {
    /// Per input job: Some(index into sorted inserted ids) or None (deduplicated: look up key).
    slots: Vec<Option<usize>>,
}

fn plan_enqueue(jobs: &[NewJob], inserted_keys: &HashSet<String>) -> EnqueuePlan {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut next = 0;
    let slots = jobs
        .iter()
        .map(|j| {
            let inserted = match j.dedupe_key.as_deref() {
                None => true,
                Some(k) => inserted_keys.contains(k) && seen.insert(k),
            };
            inserted.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    EnqueuePlan { slots }
}

macro_rules! enqueue_impl {
    ($name:ident, $conn_ty:ty, $insert:expr) => {
        async fn $name(conn: &mut $conn_ty, jobs: &[NewJob]) -> Result<Vec<JobId>> {
            for j in jobs {
                j.validate()?;
            }
            let mut result: Vec<Option<JobId>> = vec![None; jobs.len()];
            // A key can be taken by a live job that finishes between our insert and our
            // look-up; the next round then inserts. Three rounds is plenty.
            for _round in 0..3 {
                let pending: Vec<usize> = (0..jobs.len()).filter(|i| result[*i].is_none()).collect();
                if pending.is_empty() {
                    break;
                }
                let batch: Vec<NewJob> = pending.iter().map(|i| jobs[*i].clone()).collect();
                let now = now_ms();
                let mut rows: Vec<(i64, Option<String>)> = $insert(&mut *conn, &batch, now).await?;
                rows.sort_by_key(|r| r.0);
                let keys: HashSet<String> = rows.iter().filter_map(|r| r.1.clone()).collect();
                let by_key: HashMap<String, i64> =
                    rows.iter().filter_map(|r| r.1.clone().map(|k| (k, r.0))).collect();
                let plan = plan_enqueue(&batch, &keys);
                let mut lookup: Vec<String> = Vec::new();
                for (bi, slot) in plan.slots.iter().enumerate() {
                    let job = &batch[bi];
                    result[pending[bi]] = match (slot, &job.dedupe_key) {
                        (Some(s), _) => rows.get(*s).map(|r| JobId::new(r.0)),
                        (None, Some(k)) => match by_key.get(k) {
                            Some(id) => Some(JobId::new(*id)),
                            None => {
                                lookup.push(k.clone());
                                None
                            }
                        },
                        (None, None) => None,
                    };
                }
                if lookup.is_empty() {
                    continue;
                }
                let mut live: HashMap<String, i64> = HashMap::new();
                for k in &lookup {
                    let id: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM jobs WHERE dedupe_key = $1 AND state IN ('available', 'running')",
                    )
                    .bind(k)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if let Some(id) = id {
                        live.insert(k.clone(), id);
                    }
                }
                for (bi, slot) in plan.slots.iter().enumerate() {
                    if slot.is_none() {
                        if let Some(k) = &batch[bi].dedupe_key {
                            if let Some(id) = live.get(k) {
                                result[pending[bi]] = Some(JobId::new(*id));
                            }
                        }
                    }
                }
            }
            result
                .into_iter()
                .map(|r| r.ok_or_else(|| QueueError::Invalid("a deduplicated job kept vanishing".into())))
                .collect()
        }
    };
}

async fn insert_sqlite(
    conn: &mut sqlx::SqliteConnection,
    jobs: &[NewJob],
    now: TimestampMs,
) -> Result<Vec<(i64, Option<String>)>> {
    let rows: Vec<serde_json::Value> = jobs
        .iter()
        .map(|j| {
            serde_json::json!([
                j.kind,
                j.payload,
                j.queue,
                j.priority,
                j.run_at.unwrap_or(now),
                j.max_attempts,
                j.dedupe_key,
                j.run_id.map(|r| r.get()),
                j.account_id.map(|a| a.get()),
            ])
        })
        .collect();
    let json = serde_json::to_string(&rows)?;
    Ok(sqlx::query_as(SQLITE_ENQUEUE)
        .bind(json)
        .bind(now)
        .fetch_all(conn)
        .await?)
}

async fn insert_postgres(
    conn: &mut sqlx::PgConnection,
    jobs: &[NewJob],
    now: TimestampMs,
) -> Result<Vec<(i64, Option<String>)>> {
    debug_assert!(PG_ENQUEUE.contains(PG_CHANNEL));
    let kinds: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
    let payloads: Vec<&str> = jobs.iter().map(|j| j.payload.as_str()).collect();
    let queues: Vec<&str> = jobs.iter().map(|j| j.queue.as_str()).collect();
    let priorities: Vec<i64> = jobs.iter().map(|j| j.priority).collect();
    let run_ats: Vec<i64> = jobs.iter().map(|j| j.run_at.unwrap_or(now)).collect();
    let max_attempts: Vec<i64> = jobs.iter().map(|j| j.max_attempts).collect();
    let keys: Vec<Option<&str>> = jobs.iter().map(|j| j.dedupe_key.as_deref()).collect();
    let runs: Vec<Option<i64>> = jobs.iter().map(|j| j.run_id.map(|r| r.get())).collect();
    let accounts: Vec<Option<i64>> = jobs.iter().map(|j| j.account_id.map(|a| a.get())).collect();
    Ok(sqlx::query_as(PG_ENQUEUE)
        .bind(kinds)
        .bind(payloads)
        .bind(queues)
        .bind(priorities)
        .bind(run_ats)
        .bind(max_attempts)
        .bind(keys)
        .bind(runs)
        .bind(accounts)
        .bind(now)
        .fetch_all(conn)
        .await?)
}

enqueue_impl!(enqueue_on_sqlite, sqlx::SqliteConnection, insert_sqlite);
enqueue_impl!(enqueue_on_postgres, sqlx::PgConnection, insert_postgres);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enqueue_plan_lines_up_inserted_rows_with_input() {
        let a = NewJob::with_json("k", "{}");
        let keyed = |k: &str| NewJob::with_json("k", "{}").dedupe_key(k);
        let jobs = vec![a.clone(), keyed("x"), keyed("y"), keyed("x"), a];
        // "y" was taken by a live job, "x" was inserted once.
        let inserted: HashSet<String> = ["x".to_string()].into();
        let plan = plan_enqueue(&jobs, &inserted);
        assert_eq!(plan.slots, vec![Some(0), Some(1), None, None, Some(2)]);
    }
}
