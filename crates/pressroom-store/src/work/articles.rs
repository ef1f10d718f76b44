//! Reads of content and images.

use super::{CONTENT_COLS, IMAGE_COLS, ids_sql, status_in};
use crate::rows::*;
use crate::{Db, Result, StoreError, Tx, on_conn, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

/// Articles of one cluster read at most. Stage 2 plans one article per search intent a
/// cluster's keywords cover, far fewer than this; the bound only keeps an odd cluster (many
/// merged into one) from loading without limit.
const CLUSTER_ARTICLES_MAX: i64 = 500;

impl Db {
    pub async fn content_list(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ContentStatus>,
        limit: u32,
    ) -> Result<Vec<Content>> {
        self.content_after(account, site, status, 0, limit).await
    }

    /// Stage input: up to `limit` content after id `after`, in id order.
    pub async fn content_after(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ContentStatus>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Content>> {
        let rows: Vec<ContentRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONTENT_COLS} FROM content WHERE account_id = $1 AND site_id = $2 AND ($3 IS NULL OR status = $3) AND id > $4 ORDER BY id LIMIT $5")))
            .bind(account.get()).bind(site.get()).bind(status.map(|s| s.as_str())).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Content::try_from).collect()
    }

    /// Draft content that has no image rows yet, after id `after` in id order (Stage 5 input).
    pub async fn drafts_without_images(
        &self,
        account: AccountId,
        site: SiteId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Content>> {
        let rows: Vec<ContentRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONTENT_COLS} FROM content c WHERE account_id = $1 AND site_id = $2 AND status = 'draft'
               AND id > $3 AND NOT EXISTS (SELECT 1 FROM images i WHERE i.content_id = c.id) ORDER BY id LIMIT $4")))
            .bind(account.get()).bind(site.get()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Content::try_from).collect()
    }

    /// The cluster each of these articles was written for (through its task), for runs limited
    /// to chosen clusters.
    pub async fn clusters_of_content(
        &self,
        account: AccountId,
        ids: &[ContentId],
    ) -> Result<std::collections::HashMap<ContentId, ClusterId>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        let rows: Vec<(i64, i64)> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT c.id, t.cluster_id FROM content c JOIN tasks t ON t.id = c.task_id
             WHERE c.account_id = $1 AND t.account_id = $1 AND c.id IN ({})", ids_sql(&raw))))
            .bind(account.get()).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(c, k)| (ContentId::new(c), ClusterId::new(k)))
            .collect())
    }

    /// Ids of the site's images in any of `statuses` after id `after`, in id order: Stage 6
    /// queues its input in pages of these, never loading whole rows.
    pub async fn image_ids_after(
        &self,
        account: AccountId,
        site: SiteId,
        statuses: &[ImageStatus],
        after: i64,
        limit: u32,
    ) -> Result<Vec<ImageId>> {
        let filter = status_in(statuses.iter().map(|s| s.as_str()));
        let ids: Vec<i64> = on_db!(self, p => sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM images WHERE account_id = $1 AND site_id = $2 {filter} AND id > $3 ORDER BY id LIMIT $4")))
            .bind(account.get()).bind(site.get()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(ids.into_iter().map(ImageId::new).collect())
    }

    /// Ids and slugs of the site's articles in any of `statuses` after id `after`, in id
    /// order: an export names every file (and every link between them) from these pages,
    /// then reads each article whole one at a time.
    pub async fn content_slugs_after(
        &self,
        account: AccountId,
        site: SiteId,
        statuses: &[ContentStatus],
        after: i64,
        limit: u32,
    ) -> Result<Vec<(ContentId, String)>> {
        let filter = status_in(statuses.iter().map(|s| s.as_str()));
        let rows: Vec<(i64, String)> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT id, slug FROM content WHERE account_id = $1 AND site_id = $2 {filter} AND id > $3 ORDER BY id LIMIT $4")))
            .bind(account.get()).bind(site.get()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, slug)| (ContentId::new(id), slug))
            .collect())
    }

    pub async fn content(&self, account: AccountId, id: ContentId) -> Result<Content> {
        let row: Option<ContentRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONTENT_COLS} FROM content WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("content", id))?
            .try_into()
    }

    pub async fn image(&self, account: AccountId, id: ImageId) -> Result<Image> {
        let row: Option<ImageRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IMAGE_COLS} FROM images WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("image", id))?
            .try_into()
    }

    /// The articles among `ids` that belong to `account`; foreign and unknown ids are absent.
    pub async fn content_by_ids(
        &self,
        account: AccountId,
        ids: &[ContentId],
    ) -> Result<Vec<Content>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        let rows: Vec<ContentRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONTENT_COLS} FROM content WHERE account_id = $1 AND id IN ({}) ORDER BY id", ids_sql(&raw))))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(Content::try_from).collect()
    }

    /// The images among `ids` that belong to `account`; foreign and unknown ids are simply absent.
    pub async fn images_by_ids(&self, account: AccountId, ids: &[ImageId]) -> Result<Vec<Image>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
        let rows: Vec<ImageRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IMAGE_COLS} FROM images WHERE account_id = $1 AND id IN ({}) ORDER BY id", ids_sql(&raw))))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(Image::try_from).collect()
    }

    pub async fn images_of_content(
        &self,
        account: AccountId,
        content: ContentId,
    ) -> Result<Vec<Image>> {
        let rows: Vec<ImageRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IMAGE_COLS} FROM images WHERE account_id = $1 AND content_id = $2 ORDER BY image_type DESC, position")))
            .bind(account.get()).bind(content.get()).fetch_all(p).await)?;
        rows.into_iter().map(Image::try_from).collect()
    }

    pub async fn images(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ImageStatus>,
        limit: u32,
    ) -> Result<Vec<Image>> {
        self.images_after(account, site, status, 0, limit).await
    }

    /// Stage input: up to `limit` images after id `after`, in id order.
    pub async fn images_after(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ImageStatus>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Image>> {
        let rows: Vec<ImageRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IMAGE_COLS} FROM images WHERE account_id = $1 AND site_id = $2 AND ($3 IS NULL OR status = $3) AND id > $4 ORDER BY id LIMIT $5")))
            .bind(account.get()).bind(site.get()).bind(status.map(|s| s.as_str())).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(Image::try_from).collect()
    }

    /// The cluster an article was written for; `NotFound` for a foreign or unknown id.
    pub async fn cluster_of_content(&self, account: AccountId, id: ContentId) -> Result<ClusterId> {
        let cluster: Option<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT t.cluster_id FROM content c JOIN tasks t ON t.id = c.task_id
             WHERE c.account_id = $1 AND t.account_id = $1 AND c.id = $2")
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        cluster
            .map(ClusterId::new)
            .ok_or_else(|| StoreError::not_found("content", id))
    }

    /// Articles in review whose on-page check scored 100, written by a real model (offline
    /// samples need a person's explicit approval), after id `after` in id order: the input of
    /// approving every passing article at once.
    pub async fn review_content_passing(
        &self,
        account: AccountId,
        site: SiteId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ContentId>> {
        let ids: Vec<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT id FROM content WHERE account_id = $1 AND site_id = $2 AND status = 'review'
               AND seo_score = 100 AND NOT offline AND id > $3 ORDER BY id LIMIT $4")
            .bind(account.get()).bind(site.get()).bind(after).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(ids.into_iter().map(ContentId::new).collect())
    }
}

impl Tx {
    /// The live articles of a cluster (through their tasks; rejected ones left out), in the
    /// order their ideas were planned, then by id. At most [`CLUSTER_ARTICLES_MAX`].
    /// Read inside the caller's transaction: link planning locks the cluster first, and a
    /// read through the pool meanwhile could wait for a connection the writers hold.
    ///
    /// Two single-table reads by index (the cluster's tasks, then their articles by task):
    /// one join was planned on PostgreSQL while the tables were nearly empty and then scanned
    /// every article for each one written (0.1-0.4 s each at 3,750 articles).
    pub async fn cluster_articles(
        &mut self,
        account: AccountId,
        cluster: ClusterId,
    ) -> Result<Vec<Content>> {
        let tasks: Vec<(i64, i64)> = on_conn!(self, c => sqlx::query_as(
            "SELECT id, idea_id FROM tasks WHERE account_id = $1 AND cluster_id = $2 ORDER BY idea_id, id LIMIT $3")
            .bind(account.get()).bind(cluster.get()).bind(CLUSTER_ARTICLES_MAX).fetch_all(c).await)?;
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = tasks.iter().map(|(id, _)| *id).collect();
        let rows: Vec<ContentRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONTENT_COLS} FROM content WHERE account_id = $1 AND status <> 'rejected' AND task_id IN ({})",
            ids_sql(&ids))))
            .bind(account.get()).fetch_all(c).await)?;
        let order: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut rows: Vec<Content> = rows
            .into_iter()
            .map(Content::try_from)
            .collect::<Result<_>>()?;
        // In plan order: the tasks' (idea, id) order, which their articles follow.
        rows.sort_by_key(|c| (order.get(&c.task_id.get()).copied(), c.id));
        Ok(rows)
    }
}
