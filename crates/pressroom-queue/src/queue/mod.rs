//! Queue operations: one SQL statement each, on either engine.
//!
//! Claims lock nothing beyond the claiming statement: a job is held by its lease
//! (`lease_owner`, `lease_expires_at`) and every later write matches the lease's owner and
//! attempt number, so a stale holder writes nothing. On PostgreSQL, statements that lock many
//! rows either skip locked rows (claim, rescue, heartbeat) or lock them in id order (batch
//! completion, cancel by run), so two of them can never deadlock. On SQLite every write
//! statement takes the database's single write lock for its duration, which is short.

/// The database server's clock in ms. On PostgreSQL, where workers may run on several machines,
/// lease expiry is stamped and checked against this one clock, so skew between the workers'
/// clocks cannot expire a live lease early. (SQLite lives on one machine: its workers share a
/// clock, and lease times are computed by the caller.)
macro_rules! pg_now {
    () => {
        "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint"
    };
}

mod enqueue;
mod jobs;
mod lease;

use crate::error::{QueueError, Result};
use crate::wake::{Wakers, sqlite_wakers};
use pressroom_domain::{JobState, Status};
use pressroom_store::{Db, Engine};
use std::sync::Arc;
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

pub(crate) const JOB_COLUMNS: &str = "SELECT id, kind, payload, queue, priority, run_at, attempts, max_attempts, state,
    lease_owner, lease_expires_at, dedupe_key, last_error, run_id, account_id, created_at, started_at, finished_at
    FROM jobs";

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
}

fn parse_state(s: &str) -> Result<JobState> {
    JobState::parse(s).map_err(|e| {
        QueueError::Store(pressroom_store::StoreError::Corrupt {
            what: "job state",
            detail: e.to_string(),
        })
    })
}
