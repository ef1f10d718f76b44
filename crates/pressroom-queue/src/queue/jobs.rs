//! Reading and administering jobs: look-ups, lists, counts, cancel, purge.

use super::{JOB_COLUMNS, Queue, parse_state};
use crate::error::{QueueError, Result};
use crate::job::{JobRecord, JobRow, QueueCount};
use pressroom_domain::{JobId, JobState, RunId, Status, TimestampMs};
use pressroom_store::{now_ms, on_db};

impl Queue {
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
