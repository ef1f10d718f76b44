//! The one way a status column changes. Every status write goes through [`Tx::move_status`],
//! which checks the move against the domain's table of allowed moves and writes with a
//! compare-and-set on the old status, so a concurrent change is detected instead of overwritten.

use crate::{Result, StoreError, Tx, on_conn};
use pressroom_domain::*;

/// Links a status enum to its table and id type.
pub trait StatusColumn: Status {
    type Id: Copy + std::fmt::Display;
    const TABLE: &'static str;
    fn raw(id: Self::Id) -> i64;
}

macro_rules! status_column {
    ($($status:ty => $id:ty, $table:literal;)*) => {$(
        impl StatusColumn for $status {
            type Id = $id;
            const TABLE: &'static str = $table;
            fn raw(id: $id) -> i64 { id.get() }
        }
    )*};
}

status_column! {
    KeywordStatus => KeywordId, "keywords";
    ClusterStatus => ClusterId, "clusters";
    IdeaStatus => IdeaId, "ideas";
    TaskStatus => TaskId, "tasks";
    ContentStatus => ContentId, "content";
    ImageStatus => ImageId, "images";
    RunStatus => RunId, "automation_runs";
    SiteStatus => SiteId, "sites";
}

impl Tx {
    /// Moves one row of `account` to `to`. Errors: `NotFound` for a missing or foreign id,
    /// `Domain(IllegalTransition)` for a move the domain forbids (nothing is written).
    pub async fn move_status<S: StatusColumn>(
        &mut self,
        account: AccountId,
        id: S::Id,
        to: S,
    ) -> Result<S> {
        let current: Option<String> = on_conn!(self, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM {} WHERE account_id = $1 AND id = $2", S::TABLE)))
            .bind(account.get()).bind(S::raw(id)).fetch_optional(c).await)?;
        let current = S::parse(&current.ok_or_else(|| StoreError::not_found(S::ENTITY, id))?)?;
        current.check_move(to)?;
        let changed = on_conn!(self, c => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET status = $1 WHERE account_id = $2 AND id = $3 AND status = $4", S::TABLE)))
            .bind(to.as_str()).bind(account.get()).bind(S::raw(id)).bind(current.as_str())
            .execute(c).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            // Only reachable on an engine without row locks held across the read (never inside
            // a SQLite write transaction); reported rather than silently retried.
            return Err(StoreError::Conflict {
                entity: S::ENTITY,
                id: id.to_string(),
            });
        }
        Ok(current)
    }
}
