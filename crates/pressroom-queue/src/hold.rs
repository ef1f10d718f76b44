//! Holding the jobs of a paused automation run. A held job stays `available` with its
//! `run_at` at [`HELD_AT`], the end of time, so no claim on any worker or host takes it, and
//! nothing is lost: releasing it makes it due now. Holds and releases run inside the caller's
//! transaction, the one that also moves the run's status, so a pause or resume and the jobs'
//! state commit together and cannot interleave with another process's hold or release.

use crate::error::{QueueError, Result};
use crate::job::{JobRecord, JobRow, Lease};
use crate::queue::{JOB_COLUMNS, Queue};
use pressroom_domain::{RunId, TimestampMs};
use pressroom_store::{Db, Tx, now_ms, on_conn, on_db};

/// The `run_at` of a held job.
pub const HELD_AT: TimestampMs = i64::MAX;

/// A run's jobs of one kind, by what can still happen to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunJobCounts {
    /// Available (held or not) or running: a worker may still settle them.
    pub live: i64,
    /// Every job that was not cancelled: what the run has sent through the queue.
    pub queued: i64,
    /// Available and held until the run resumes.
    pub held: i64,
    /// Out of attempts: nobody will run them again.
    pub dead: i64,
}

impl Queue {
    /// Holds every available job of `run` of `kind`; returns how many.
    pub async fn hold_run_in(tx: &mut Tx, run: RunId, kind: &str) -> Result<u64> {
        Ok(on_conn!(tx, c => sqlx::query(
            "UPDATE jobs SET run_at = $1 WHERE run_id = $2 AND kind = $3 AND state = 'available'")
            .bind(HELD_AT).bind(run.get()).bind(kind).execute(c).await.map(|r| r.rows_affected()))?)
    }

    /// Cancels every unfinished job of `run` inside the caller's transaction (the one that
    /// cancels the run), so no job of a cancelled run outlives it, held or not. A running job's
    /// worker loses its lease and records nothing. Returns how many. On PostgreSQL it may wait
    /// for a job row that a worker is completing; that worker's transaction holds no lock the
    /// cancel holds (its key-share lock on the run row does not conflict with the run lock the
    /// cancelling transaction takes), so the wait cannot become a deadlock.
    pub async fn cancel_run_in(tx: &mut Tx, run: RunId) -> Result<u64> {
        Ok(on_conn!(tx, c => sqlx::query(
            "UPDATE jobs SET state = 'cancelled', finished_at = $1, lease_expires_at = NULL
             WHERE run_id = $2 AND state IN ('available', 'running')")
            .bind(now_ms()).bind(run.get()).execute(c).await.map(|r| r.rows_affected()))?)
    }

    /// Makes the held jobs of `run` due now; returns the queues they are on. On PostgreSQL
    /// their workers are notified at commit; on SQLite call [`Queue::wake`] after it.
    pub async fn release_run_in(tx: &mut Tx, run: RunId) -> Result<Vec<String>> {
        let mut queues: Vec<String> = on_conn!(tx, c => sqlx::query_scalar(
            "UPDATE jobs SET run_at = $1 WHERE run_id = $2 AND state = 'available' AND run_at = $3
             RETURNING queue")
            .bind(now_ms()).bind(run.get()).bind(HELD_AT).fetch_all(c).await)?;
        queues.sort();
        queues.dedup();
        if let Tx::Postgres(t) = tx {
            sqlx::query("SELECT pg_notify($1, q) FROM UNNEST($2::text[]) AS u(q)")
                .bind(crate::wake::PG_CHANNEL)
                .bind(&queues)
                .execute(&mut **t)
                .await?;
        }
        Ok(queues)
    }

    /// Gives a claimed job back held, its attempt not counted: for a handler that finds its
    /// run paused before doing anything that costs. `LeaseLost` if the claim is gone.
    pub async fn hold_in(tx: &mut Tx, lease: &Lease) -> Result<()> {
        let n = on_conn!(tx, c => sqlx::query(
            "UPDATE jobs SET state = 'available', attempts = attempts - 1, lease_owner = NULL,
                lease_expires_at = NULL, started_at = NULL, run_at = $1
             WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'running'")
            .bind(HELD_AT).bind(lease.job.get()).bind(&*lease.owner).bind(lease.attempt)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if n == 1 {
            Ok(())
        } else {
            Err(QueueError::LeaseLost { job: lease.job })
        }
    }

    /// Counts `run`'s jobs of `kind` by what can still happen to them: one grouped count,
    /// whatever the number of jobs.
    pub async fn run_job_counts(&self, run: RunId, kind: &str) -> Result<RunJobCounts> {
        let rows: Vec<(String, bool, i64)> = on_db!(self.db(), p => sqlx::query_as(
            "SELECT state, run_at = $3, COUNT(*) FROM jobs WHERE run_id = $1 AND kind = $2
             GROUP BY state, run_at = $3")
            .bind(run.get()).bind(kind).bind(HELD_AT).fetch_all(p).await)?;
        let mut c = RunJobCounts::default();
        for (state, held, n) in rows {
            if state != "cancelled" {
                c.queued += n;
            }
            match state.as_str() {
                "available" | "running" => {
                    c.live += n;
                    if held {
                        c.held += n;
                    }
                }
                "dead" => c.dead += n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// `run`'s dead jobs of `kind`, oldest first.
    pub async fn dead_jobs_of_run(&self, run: RunId, kind: &str) -> Result<Vec<JobRecord>> {
        let rows: Vec<JobRow> = on_db!(self.db(), p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{JOB_COLUMNS} WHERE run_id = $1 AND kind = $2 AND state = 'dead' ORDER BY id")))
            .bind(run.get()).bind(kind).fetch_all(p).await)?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// Which of `keys` a live (available or running) job holds as its dedupe key.
    pub async fn live_dedupe_keys(&self, keys: &[String]) -> Result<Vec<String>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match self.db() {
            Db::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT dedupe_key FROM jobs WHERE state IN ('available', 'running')
                       AND dedupe_key = ANY($1::text[])",
                )
                .bind(keys)
                .fetch_all(p)
                .await?
            }
            Db::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT dedupe_key FROM jobs WHERE state IN ('available', 'running')
                       AND dedupe_key IN (SELECT value FROM json_each($1))",
                )
                .bind(serde_json::to_string(keys)?)
                .fetch_all(p)
                .await?
            }
        })
    }

    /// The owner of the running job holding `dedupe_key` whose lease has not expired: a live
    /// worker, in this process or another, is working it. `None` when nobody is.
    pub async fn live_holder(&self, dedupe_key: &str) -> Result<Option<String>> {
        let owner: Option<Option<String>> = match self.db() {
            // Leases on PostgreSQL are stamped with the server's clock; compare with it.
            Db::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT lease_owner FROM jobs WHERE dedupe_key = $1 AND state = 'running'
                       AND lease_expires_at > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint",
                )
                .bind(dedupe_key)
                .fetch_optional(p)
                .await?
            }
            Db::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT lease_owner FROM jobs WHERE dedupe_key = $1 AND state = 'running'
                       AND lease_expires_at > $2",
                )
                .bind(dedupe_key)
                .bind(now_ms())
                .fetch_optional(p)
                .await?
            }
        };
        Ok(owner.flatten())
    }
}
