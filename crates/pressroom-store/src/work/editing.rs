//! A person's edits of the plan: rename, merge, split and archive clusters, move, archive and
//! delete keywords, delete ideas not yet made into tasks. Each write runs in the caller's
//! transaction (`pressroom_pipeline::planning` checks the input first and commits once), and
//! every status change goes through [`Tx::move_status`]. After any change to which keywords a
//! cluster holds, [`Tx::recount_clusters`] brings its `keyword_count` and `total_volume` back
//! in line, counting only keywords that are not archived.

use super::{CLUSTER_COLS, IDEA_COLS, ids_sql};
use crate::rows::*;
use crate::{Db, Engine, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

/// What a merge moved from one cluster to another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeCounts {
    pub keywords: u64,
    pub ideas: u64,
    pub tasks: u64,
}

impl Tx {
    /// Row locks for the rest of the transaction on PostgreSQL; SQLite's write transaction
    /// (`BEGIN IMMEDIATE`) already holds the whole database.
    fn lock_clause(&self) -> &'static str {
        match self.engine() {
            Engine::Postgres => " FOR UPDATE",
            Engine::Sqlite => "",
        }
    }

    /// The clusters `ids` of `account`, in id order, locked until the transaction ends (in id
    /// order, so two edits of the same pair wait for each other instead of deadlocking).
    /// `NotFound` names the first id that is missing or another account's.
    pub async fn clusters_for_update(
        &mut self,
        account: AccountId,
        ids: &[ClusterId],
    ) -> Result<Vec<Cluster>> {
        let mut raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        raw.sort_unstable();
        raw.dedup();
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        let lock = self.lock_clause();
        let rows: Vec<ClusterRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CLUSTER_COLS} FROM clusters WHERE account_id = $1 AND id IN ({}) ORDER BY id{lock}",
            ids_sql(&raw))))
            .bind(account.get()).fetch_all(c).await)?;
        if let Some(missing) = raw.iter().find(|id| !rows.iter().any(|r| r.id == **id)) {
            return Err(StoreError::not_found("cluster", missing));
        }
        rows.into_iter().map(Cluster::try_from).collect()
    }

    /// The site's cluster called exactly `name`, if any (names are unique per site).
    pub async fn cluster_named(
        &mut self,
        account: AccountId,
        site: SiteId,
        name: &str,
    ) -> Result<Option<Cluster>> {
        let row: Option<ClusterRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CLUSTER_COLS} FROM clusters WHERE account_id = $1 AND site_id = $2 AND name = $3")))
            .bind(account.get()).bind(site.get()).bind(name).fetch_optional(c).await)?;
        row.map(Cluster::try_from).transpose()
    }

    /// Sets a cluster's name and description. A name another cluster of the site holds is
    /// `AlreadyExists` (the caller names that cluster first; this is the race's fallback).
    pub async fn set_cluster_text(
        &mut self,
        account: AccountId,
        id: ClusterId,
        name: &str,
        description: &str,
    ) -> Result<()> {
        let changed = on_conn!(self, c => sqlx::query(
            "UPDATE clusters SET name = $1, description = $2 WHERE account_id = $3 AND id = $4")
            .bind(name).bind(description).bind(account.get()).bind(id.get())
            .execute(c).await.map(|r| r.rows_affected()))
        .map_err(|e| name_taken(e.into(), name))?;
        if changed == 0 {
            return Err(StoreError::not_found("cluster", id));
        }
        Ok(())
    }

    /// A new empty cluster made by a person: method `manual`, status `new`.
    pub async fn insert_manual_cluster(
        &mut self,
        account: AccountId,
        site: SiteId,
        name: &str,
        description: &str,
    ) -> Result<ClusterId> {
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO clusters (account_id, site_id, name, description, method, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(account.get()).bind(site.get()).bind(name).bind(description)
            .bind(ClusterMethod::Manual.as_str()).bind(ClusterStatus::New.as_str()).bind(now_ms())
            .fetch_one(c).await)
        .map_err(|e| name_taken(e.into(), name))?;
        Ok(ClusterId::new(id))
    }

    /// Moves every keyword, idea and task of cluster `from` to cluster `into` (both of
    /// `account`; the caller has checked they share a site). Statuses stay as they are.
    pub async fn move_cluster_work(
        &mut self,
        account: AccountId,
        from: ClusterId,
        into: ClusterId,
    ) -> Result<MergeCounts> {
        let mut moved = [0u64; 3];
        for (n, table) in ["keywords", "ideas", "tasks"].iter().enumerate() {
            moved[n] = on_conn!(self, c => sqlx::query(AssertSqlSafe(format!(
                "UPDATE {table} SET cluster_id = $1 WHERE account_id = $2 AND cluster_id = $3")))
                .bind(into.get()).bind(account.get()).bind(from.get())
                .execute(c).await.map(|r| r.rows_affected()))?;
        }
        Ok(MergeCounts {
            keywords: moved[0],
            ideas: moved[1],
            tasks: moved[2],
        })
    }

    /// Whether cluster `id` has any ideas.
    pub async fn cluster_has_ideas(&mut self, account: AccountId, id: ClusterId) -> Result<bool> {
        let n: i64 = on_conn!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM ideas WHERE account_id = $1 AND cluster_id = $2")
            .bind(account.get()).bind(id.get()).fetch_one(c).await)?;
        Ok(n > 0)
    }

    /// The keywords `ids` of `account`, in id order, locked until the transaction ends.
    /// `NotFound` names the first id that is missing or another account's.
    pub async fn keywords_for_update(
        &mut self,
        account: AccountId,
        ids: &[KeywordId],
    ) -> Result<Vec<Keyword>> {
        let mut raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        raw.sort_unstable();
        raw.dedup();
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        let lock = self.lock_clause();
        let rows: Vec<KeywordRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM keywords WHERE account_id = $1 AND id IN ({}) ORDER BY id{lock}",
            crate::keywords::KEYWORD_COLUMNS, ids_sql(&raw))))
            .bind(account.get()).fetch_all(c).await)?;
        if let Some(missing) = raw.iter().find(|id| !rows.iter().any(|r| r.id == **id)) {
            return Err(StoreError::not_found("keyword", missing));
        }
        rows.into_iter().map(Keyword::try_from).collect()
    }

    /// Links the keywords `ids` to `cluster` without touching their status (the caller moves
    /// `new` ones to `mapped` through [`Tx::move_status`]); returns how many rows changed.
    pub async fn link_keywords(
        &mut self,
        account: AccountId,
        ids: &[KeywordId],
        cluster: Option<ClusterId>,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        Ok(on_conn!(self, c => sqlx::query(AssertSqlSafe(format!(
            "UPDATE keywords SET cluster_id = $1 WHERE account_id = $2 AND id IN ({})", ids_sql(&raw))))
            .bind(cluster.map(ClusterId::get)).bind(account.get())
            .execute(c).await.map(|r| r.rows_affected()))?)
    }

    /// Deletes the keywords `ids` of `account`; ideas already written from them stay as they
    /// are (they hold the phrases as text). Returns how many rows went.
    pub async fn delete_keywords(&mut self, account: AccountId, ids: &[KeywordId]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        Ok(on_conn!(self, c => sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM keywords WHERE account_id = $1 AND id IN ({})", ids_sql(&raw))))
            .bind(account.get()).execute(c).await.map(|r| r.rows_affected()))?)
    }

    /// Recomputes `keyword_count` and `total_volume` of the clusters `ids` from their keywords
    /// that are not archived. Every write that changes a cluster's keywords ends with this.
    pub async fn recount_clusters(&mut self, account: AccountId, ids: &[ClusterId]) -> Result<()> {
        let mut raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        raw.sort_unstable();
        raw.dedup();
        if raw.is_empty() {
            return Ok(());
        }
        on_conn!(self, c => sqlx::query(AssertSqlSafe(format!(
            "UPDATE clusters SET
                 keyword_count = (SELECT COUNT(*) FROM keywords k WHERE k.cluster_id = clusters.id AND k.status <> 'archived'),
                 total_volume = (SELECT CAST(COALESCE(SUM(k.volume), 0) AS BIGINT) FROM keywords k
                                 WHERE k.cluster_id = clusters.id AND k.status <> 'archived')
             WHERE account_id = $1 AND id IN ({})", ids_sql(&raw))))
            .bind(account.get()).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// The idea `id` of `account`, locked until the transaction ends.
    pub async fn idea_for_update(&mut self, account: AccountId, id: IdeaId) -> Result<Idea> {
        let lock = self.lock_clause();
        let row: Option<IdeaRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IDEA_COLS} FROM ideas WHERE account_id = $1 AND id = $2{lock}")))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("idea", id))?
            .try_into()
    }

    /// Deletes an idea that is still `new` (no task made from it), guarded on that status in
    /// the statement itself; returns false, deleting nothing, when it is not.
    pub async fn delete_new_idea(&mut self, account: AccountId, id: IdeaId) -> Result<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "DELETE FROM ideas WHERE account_id = $1 AND id = $2 AND status = $3
               AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.idea_id = ideas.id)")
            .bind(account.get()).bind(id.get()).bind(IdeaStatus::New.as_str())
            .execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

/// A unique-constraint violation on a cluster's name, as "already exists".
fn name_taken(e: StoreError, name: &str) -> StoreError {
    if e.is_unique_violation() {
        StoreError::AlreadyExists {
            entity: "cluster",
            name: name.to_string(),
        }
    } else {
        e
    }
}

impl Db {
    /// Up to `limit` keywords linked to a cluster (archived ones too), highest volume first.
    pub async fn keywords_in_cluster(
        &self,
        account: AccountId,
        cluster: ClusterId,
        limit: u32,
    ) -> Result<Vec<Keyword>> {
        let rows: Vec<KeywordRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM keywords WHERE account_id = $1 AND cluster_id = $2
             ORDER BY volume DESC NULLS LAST, id LIMIT $3", crate::keywords::KEYWORD_COLUMNS)))
            .bind(account.get()).bind(cluster.get()).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Keyword::try_from).collect()
    }

    /// Up to `limit` ideas of a cluster, in id order.
    pub async fn ideas_in_cluster(
        &self,
        account: AccountId,
        cluster: ClusterId,
        limit: u32,
    ) -> Result<Vec<Idea>> {
        let rows: Vec<IdeaRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IDEA_COLS} FROM ideas WHERE account_id = $1 AND cluster_id = $2 ORDER BY id LIMIT $3")))
            .bind(account.get()).bind(cluster.get()).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Idea::try_from).collect()
    }
}
