//! Enqueueing: one statement per batch, dedupe keys honoured, ids returned in input order.

use super::Queue;
use crate::error::{QueueError, Result};
use crate::job::NewJob;
use crate::wake::PG_CHANNEL;
use pressroom_domain::{JobId, TimestampMs};
use pressroom_store::{Db, Tx, now_ms};
use std::collections::{HashMap, HashSet};

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

impl Queue {
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
