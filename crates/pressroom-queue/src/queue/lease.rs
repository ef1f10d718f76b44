//! The lease: claiming due jobs, heartbeats, completing, retrying, burying and releasing
//! them, and rescuing those whose worker died.

use super::{Queue, parse_state};
use crate::error::{QueueError, Result};
use crate::job::{ClaimRow, ClaimedJob, Lease, Rescued, ms};
use pressroom_domain::{JobId, JobState, TimestampMs};
use pressroom_store::{Db, Engine, Tx, now_ms, on_conn, on_db};
use std::sync::Arc;
use std::time::Duration;

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

fn lease_pairs_json(leases: &[(JobId, i64)]) -> String {
    let pairs: Vec<[i64; 2]> = leases.iter().map(|(id, a)| [id.get(), *a]).collect();
    // A Vec of integer pairs always serializes.
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

fn lease_arrays(leases: &[(JobId, i64)]) -> (Vec<i64>, Vec<i64>) {
    leases.iter().map(|(id, a)| (id.get(), *a)).unzip()
}

impl Queue {
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
}
