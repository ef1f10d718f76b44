//! Reads of the planning items: keywords by id or status, clusters, ideas, tasks.

use super::{CLUSTER_COLS, IDEA_COLS, TASK_COLS, ids_sql, status_in};
use crate::rows::*;
use crate::{Db, Result, StoreError, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

impl Db {
    /// The keywords among `ids` that belong to `account`, in id order.
    pub async fn keywords_by_ids(
        &self,
        account: AccountId,
        ids: &[KeywordId],
    ) -> Result<Vec<Keyword>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        let rows: Vec<KeywordRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM keywords WHERE account_id = $1 AND id IN ({}) ORDER BY id", crate::keywords::KEYWORD_COLUMNS, ids_sql(&raw))))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(Keyword::try_from).collect()
    }

    pub async fn cluster(&self, account: AccountId, id: ClusterId) -> Result<Cluster> {
        let row: Option<ClusterRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CLUSTER_COLS} FROM clusters WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("cluster", id))?
            .try_into()
    }

    pub async fn task(&self, account: AccountId, id: TaskId) -> Result<Task> {
        let row: Option<TaskRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM tasks WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("task", id))?
            .try_into()
    }

    pub async fn keywords_by_status(
        &self,
        account: AccountId,
        site: SiteId,
        status: KeywordStatus,
        limit: u32,
    ) -> Result<Vec<Keyword>> {
        self.keywords_after(account, site, status, 0, limit).await
    }

    /// Stage input: up to `limit` keywords in `status` after id `after`, in id order.
    pub async fn keywords_after(
        &self,
        account: AccountId,
        site: SiteId,
        status: KeywordStatus,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Keyword>> {
        let rows: Vec<KeywordRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM keywords WHERE account_id = $1 AND site_id = $2 AND status = $3 AND id > $4 ORDER BY id LIMIT $5",
            crate::keywords::KEYWORD_COLUMNS)))
            .bind(account.get()).bind(site.get()).bind(status.as_str()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Keyword::try_from).collect()
    }

    pub async fn clusters(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ClusterStatus>,
        limit: u32,
    ) -> Result<Vec<Cluster>> {
        self.clusters_after(account, site, status, 0, limit).await
    }

    /// Stage input: up to `limit` clusters after id `after`, in id order.
    pub async fn clusters_after(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ClusterStatus>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Cluster>> {
        let rows: Vec<ClusterRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CLUSTER_COLS} FROM clusters WHERE account_id = $1 AND site_id = $2 AND ($3 IS NULL OR status = $3) AND id > $4 ORDER BY id LIMIT $5")))
            .bind(account.get()).bind(site.get()).bind(status.map(|s| s.as_str())).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Cluster::try_from).collect()
    }

    pub async fn ideas(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<IdeaStatus>,
        limit: u32,
    ) -> Result<Vec<Idea>> {
        self.ideas_after(account, site, status, 0, limit).await
    }

    /// Stage input: up to `limit` ideas after id `after`, in id order.
    pub async fn ideas_after(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<IdeaStatus>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Idea>> {
        let rows: Vec<IdeaRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IDEA_COLS} FROM ideas WHERE account_id = $1 AND site_id = $2 AND ($3 IS NULL OR status = $3) AND id > $4 ORDER BY id LIMIT $5")))
            .bind(account.get()).bind(site.get()).bind(status.map(|s| s.as_str())).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Idea::try_from).collect()
    }

    pub async fn idea(&self, account: AccountId, id: IdeaId) -> Result<Idea> {
        let row: Option<IdeaRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IDEA_COLS} FROM ideas WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("idea", id))?
            .try_into()
    }

    pub async fn tasks(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<TaskStatus>,
        limit: u32,
    ) -> Result<Vec<Task>> {
        let statuses: Vec<TaskStatus> = status.into_iter().collect();
        self.tasks_after(account, site, &statuses, 0, limit).await
    }

    /// Stage input: up to `limit` tasks in any of `statuses` (all when empty) after id
    /// `after`, in id order.
    pub async fn tasks_after(
        &self,
        account: AccountId,
        site: SiteId,
        statuses: &[TaskStatus],
        after: i64,
        limit: u32,
    ) -> Result<Vec<Task>> {
        let filter = status_in(statuses.iter().map(|s| s.as_str()));
        let rows: Vec<TaskRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM tasks WHERE account_id = $1 AND site_id = $2 {filter} AND id > $3 ORDER BY id LIMIT $4")))
            .bind(account.get()).bind(site.get()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Task::try_from).collect()
    }

    /// Stage 1's view of the clusters a site already has: up to `limit` clustered keywords
    /// after keyword id `after`, in id order, with their cluster and phrase. Keywords of
    /// archived clusters are left out: an archived cluster takes no new keywords.
    pub async fn clustered_keywords_after(
        &self,
        account: AccountId,
        site: SiteId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(KeywordId, ClusterId, String)>> {
        let rows: Vec<(i64, i64, String)> = on_db!(self, p => sqlx::query_as(
            "SELECT k.id, k.cluster_id, k.phrase FROM keywords k JOIN clusters c ON c.id = k.cluster_id
             WHERE k.account_id = $1 AND k.site_id = $2 AND k.status = 'mapped' AND c.account_id = $1
               AND c.status <> 'archived' AND k.id > $3
             ORDER BY k.id LIMIT $4")
            .bind(account.get()).bind(site.get()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(k, c, phrase)| (KeywordId::new(k), ClusterId::new(c), phrase))
            .collect())
    }

    /// A cluster's keywords that are not archived, highest volume first.
    pub async fn cluster_members(
        &self,
        account: AccountId,
        cluster: ClusterId,
    ) -> Result<Vec<Keyword>> {
        let rows: Vec<KeywordRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM keywords WHERE account_id = $1 AND cluster_id = $2 AND status <> 'archived'
             ORDER BY volume DESC NULLS LAST, id", crate::keywords::KEYWORD_COLUMNS)))
            .bind(account.get()).bind(cluster.get()).fetch_all(p).await)?;
        rows.into_iter().map(Keyword::try_from).collect()
    }

    /// Which of `terms` (primary keywords reduced to their terms) already have an idea on the
    /// site.
    pub async fn taken_primary_terms(
        &self,
        account: AccountId,
        site: SiteId,
        terms: &[String],
    ) -> Result<Vec<String>> {
        let mut taken = Vec::new();
        for chunk in terms.chunks(200) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT primary_terms FROM ideas WHERE account_id = $1 AND site_id = $2 AND primary_terms IN ({})",
                marks.join(", ")
            );
            let found: Vec<String> = on_db!(self, p => {
                let mut q = sqlx::query_scalar(AssertSqlSafe(sql.clone())).bind(account.get()).bind(site.get());
                for t in chunk {
                    q = q.bind(t);
                }
                q.fetch_all(p).await
            })?;
            taken.extend(found);
        }
        Ok(taken)
    }
}
