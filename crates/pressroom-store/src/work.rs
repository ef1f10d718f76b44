//! Repositories for the pipeline's work items: clusters, ideas, tasks, content, images. Reads
//! pick stage input by status; writes run inside the caller's transaction so an item's output,
//! its status moves, its usage row and its charge commit together.

use crate::rows::*;
use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::ai::{ClusterItem, IdeaItem};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

const CLUSTER_COLS: &str = "id, account_id, site_id, name, description, keyword_count, total_volume, method, status, created_at";
const IDEA_COLS: &str = "id, account_id, site_id, cluster_id, title, description, outline, primary_keyword, secondary_keywords, content_structure, target_words, status, created_at";
const TASK_COLS: &str = "id, account_id, site_id, idea_id, cluster_id, title, brief, keywords, target_words, status, error, created_at";
const CONTENT_COLS: &str = "id, account_id, site_id, task_id, title, slug, meta_title, meta_description, excerpt, body_html, body_markdown, word_count, primary_keyword, secondary_keywords, status, created_at, updated_at";
const IMAGE_COLS: &str = "id, account_id, site_id, content_id, image_type, position, prompt, negative_prompt, provider, model, size, file_path, public_url, bytes, sha256, error, attempts, status, created_at, updated_at";

/// New content ready to store (body already rendered and sanitised by the pipeline).
#[derive(Debug, Clone)]
pub struct NewContent {
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_html: String,
    pub body_markdown: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
}

/// A prompt for an image row to create.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub image_type: ImageType,
    pub position: i64,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub size: String,
}

/// What a generated image left behind.
#[derive(Debug, Clone)]
pub struct GeneratedImage {
    pub provider: String,
    pub model: String,
    pub file_path: String,
    pub public_url: Option<String>,
    pub bytes: i64,
    pub sha256: String,
}

/// Counts per status of every pipeline entity of a site, for dashboards and run summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PipelineCounts {
    pub keywords: i64,
    pub keywords_new: i64,
    pub clusters: i64,
    pub clusters_new: i64,
    pub ideas: i64,
    pub ideas_new: i64,
    pub tasks: i64,
    /// Queued or in progress: waiting for Stage 4.
    pub tasks_waiting: i64,
    pub tasks_failed: i64,
    pub content: i64,
    pub content_review: i64,
    pub content_approved: i64,
    pub images: i64,
    pub images_pending: i64,
    pub images_generated: i64,
    pub images_failed: i64,
}

/// `AND status IN (...)` for statuses given by their fixed names (never user text); nothing
/// when there are none.
fn status_in<'a>(statuses: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<String> = statuses.map(|s| format!("'{s}'")).collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("AND status IN ({})", list.join(", "))
    }
}

/// A site's images by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImageCounts {
    pub pending: i64,
    pub generating: i64,
    pub generated: i64,
    pub failed: i64,
}

fn ids_sql(ids: &[i64]) -> String {
    // Ids are i64 values, never text: formatting them into the statement cannot inject SQL.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

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

    /// Keyword phrases linked to a cluster.
    pub async fn cluster_keywords(
        &self,
        account: AccountId,
        cluster: ClusterId,
    ) -> Result<Vec<String>> {
        Ok(on_db!(self, p => sqlx::query_scalar(
            "SELECT phrase FROM keywords WHERE account_id = $1 AND cluster_id = $2 ORDER BY volume DESC NULLS LAST, id")
            .bind(account.get()).bind(cluster.get()).fetch_all(p).await)?)
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

    /// The highest cluster id of the site (0 when it has none).
    pub async fn max_cluster_id(&self, account: AccountId, site: SiteId) -> Result<i64> {
        Ok(on_db!(self, p => sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM clusters WHERE account_id = $1 AND site_id = $2")
            .bind(account.get()).bind(site.get()).fetch_one(p).await)?)
    }

    /// The site's content in `status` (all when `None`), counted.
    pub async fn count_content(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<ContentStatus>,
    ) -> Result<i64> {
        Ok(on_db!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM content WHERE account_id = $1 AND site_id = $2 AND ($3 IS NULL OR status = $3)")
            .bind(account.get()).bind(site.get()).bind(status.map(|s| s.as_str())).fetch_one(p).await)?)
    }

    /// The site's images counted by status, for Stage 6's progress.
    pub async fn image_counts(&self, account: AccountId, site: SiteId) -> Result<ImageCounts> {
        let rows: Vec<(String, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT status, COUNT(*) FROM images WHERE account_id = $1 AND site_id = $2 GROUP BY status")
            .bind(account.get()).bind(site.get()).fetch_all(p).await)?;
        let mut c = ImageCounts::default();
        for (status, n) in rows {
            match ImageStatus::parse(&status)? {
                ImageStatus::Pending => c.pending += n,
                ImageStatus::Generating => c.generating += n,
                ImageStatus::Generated => c.generated += n,
                ImageStatus::Failed => c.failed += n,
            }
        }
        Ok(c)
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

    pub async fn pipeline_counts(
        &self,
        account: AccountId,
        site: SiteId,
    ) -> Result<PipelineCounts> {
        let rows: Vec<(String, String, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT 'keywords', status, COUNT(*) FROM keywords WHERE account_id = $1 AND site_id = $2 GROUP BY status
             UNION ALL SELECT 'clusters', status, COUNT(*) FROM clusters WHERE account_id = $1 AND site_id = $2 GROUP BY status
             UNION ALL SELECT 'ideas', status, COUNT(*) FROM ideas WHERE account_id = $1 AND site_id = $2 GROUP BY status
             UNION ALL SELECT 'tasks', status, COUNT(*) FROM tasks WHERE account_id = $1 AND site_id = $2 GROUP BY status
             UNION ALL SELECT 'content', status, COUNT(*) FROM content WHERE account_id = $1 AND site_id = $2 GROUP BY status
             UNION ALL SELECT 'images', status, COUNT(*) FROM images WHERE account_id = $1 AND site_id = $2 GROUP BY status")
            .bind(account.get()).bind(site.get()).fetch_all(p).await)?;
        let mut c = PipelineCounts::default();
        for (table, status, n) in rows {
            match table.as_str() {
                "keywords" => {
                    c.keywords += n;
                    if status == "new" {
                        c.keywords_new += n;
                    }
                }
                "clusters" => {
                    c.clusters += n;
                    if status == "new" {
                        c.clusters_new += n;
                    }
                }
                "ideas" => {
                    c.ideas += n;
                    if status == "new" {
                        c.ideas_new += n;
                    }
                }
                "tasks" => {
                    c.tasks += n;
                    match status.as_str() {
                        "failed" => c.tasks_failed += n,
                        "queued" | "in_progress" => c.tasks_waiting += n,
                        _ => {}
                    }
                }
                "content" => {
                    c.content += n;
                    match status.as_str() {
                        "review" => c.content_review += n,
                        "approved" | "published" => c.content_approved += n,
                        _ => {}
                    }
                }
                _ => {
                    c.images += n;
                    match status.as_str() {
                        "pending" | "generating" => c.images_pending += n,
                        "generated" => c.images_generated += n,
                        "failed" => c.images_failed += n,
                        _ => {}
                    }
                }
            }
        }
        Ok(c)
    }
}

impl Tx {
    /// Creates a cluster, or returns the site's cluster of the same name (a later batch may
    /// name a topic an earlier one already made).
    pub async fn upsert_cluster(
        &mut self,
        account: AccountId,
        site: SiteId,
        item: &ClusterItem,
        method: ClusterMethod,
    ) -> Result<ClusterId> {
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO clusters (account_id, site_id, name, description, method, status, created_at)
             VALUES ($1, $2, $3, $4, $5, 'new', $6)
             ON CONFLICT (site_id, name) DO UPDATE SET description = clusters.description RETURNING id")
            .bind(account.get()).bind(site.get()).bind(item.name.trim()).bind(item.description.trim())
            .bind(method.as_str()).bind(now_ms()).fetch_one(c).await)?;
        Ok(ClusterId::new(id))
    }

    /// Links `new` keywords whose normalised phrase is in `normalised` to `cluster` and moves
    /// them to `mapped`; returns how many were linked. Phrases already mapped stay where they are.
    pub async fn map_keywords(
        &mut self,
        account: AccountId,
        site: SiteId,
        cluster: ClusterId,
        normalised: &[String],
    ) -> Result<u64> {
        KeywordStatus::New.check_move(KeywordStatus::Mapped)?;
        let mut linked = 0;
        for phrase in normalised {
            linked += on_conn!(self, c => sqlx::query(
                "UPDATE keywords SET cluster_id = $1, status = 'mapped'
                 WHERE account_id = $2 AND site_id = $3 AND normalised = $4 AND status = 'new'")
                .bind(cluster.get()).bind(account.get()).bind(site.get()).bind(phrase)
                .execute(c).await.map(|r| r.rows_affected()))?;
        }
        on_conn!(self, c => sqlx::query(
            "UPDATE clusters SET keyword_count = (SELECT COUNT(*) FROM keywords k WHERE k.cluster_id = clusters.id),
                 total_volume = (SELECT CAST(COALESCE(SUM(k.volume), 0) AS BIGINT) FROM keywords k WHERE k.cluster_id = clusters.id)
             WHERE account_id = $1 AND id = $2")
            .bind(account.get()).bind(cluster.get()).execute(c).await.map(|_| ()))?;
        Ok(linked)
    }

    pub async fn insert_idea(
        &mut self,
        account: AccountId,
        site: SiteId,
        cluster: ClusterId,
        idea: &IdeaItem,
    ) -> Result<IdeaId> {
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO ideas (account_id, site_id, cluster_id, title, description, outline, primary_keyword, secondary_keywords, content_structure, target_words, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new', $11) RETURNING id")
            .bind(account.get()).bind(site.get()).bind(cluster.get()).bind(&idea.title).bind(&idea.description)
            .bind(to_json(&idea.outline)).bind(&idea.primary_keyword).bind(to_json(&idea.secondary_keywords))
            .bind(idea.content_structure.as_str()).bind(i64::from(idea.target_words)).bind(now_ms()).fetch_one(c).await)?;
        Ok(IdeaId::new(id))
    }

    /// Makes the task for an idea (at most one per idea) and moves the idea to `queued`.
    pub async fn create_task_for_idea(&mut self, idea: &Idea) -> Result<TaskId> {
        let brief = format!(
            "{}\n\nOutline:\n{}",
            idea.description,
            pressroom_domain::template::bullet_list(&idea.outline)
        );
        let mut keywords = vec![idea.primary_keyword.clone()];
        keywords.extend(idea.secondary_keywords.iter().cloned());
        // The idea's move comes first: when it is no longer `new` nothing has been written, so
        // the caller can skip it and keep the transaction.
        self.move_status(idea.account_id, idea.id, IdeaStatus::Queued)
            .await?;
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO tasks (account_id, site_id, idea_id, cluster_id, title, brief, keywords, target_words, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9) RETURNING id")
            .bind(idea.account_id.get()).bind(idea.site_id.get()).bind(idea.id.get()).bind(idea.cluster_id.get())
            .bind(&idea.title).bind(brief).bind(to_json(&keywords)).bind(idea.target_words).bind(now_ms()).fetch_one(c).await)?;
        Ok(TaskId::new(id))
    }

    /// Stores the article written for `task` as a draft and completes the task and its idea.
    pub async fn insert_content(&mut self, task: &Task, content: &NewContent) -> Result<ContentId> {
        let now = now_ms();
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO content (account_id, site_id, task_id, title, slug, meta_title, meta_description, excerpt, body_html, body_markdown, word_count, primary_keyword, secondary_keywords, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $14) RETURNING id")
            .bind(task.account_id.get()).bind(task.site_id.get()).bind(task.id.get()).bind(&content.title).bind(&content.slug)
            .bind(&content.meta_title).bind(&content.meta_description).bind(&content.excerpt).bind(&content.body_html)
            .bind(&content.body_markdown).bind(content.word_count).bind(&content.primary_keyword)
            .bind(to_json(&content.secondary_keywords)).bind(now).fetch_one(c).await)?;
        self.move_status(task.account_id, task.id, TaskStatus::Completed)
            .await?;
        self.move_status(task.account_id, task.idea_id, IdeaStatus::Completed)
            .await?;
        Ok(ContentId::new(id))
    }

    pub async fn fail_task(&mut self, task: &Task, error: &str) -> Result<()> {
        self.move_status(task.account_id, task.id, TaskStatus::Failed)
            .await?;
        on_conn!(self, c => sqlx::query("UPDATE tasks SET error = $1 WHERE account_id = $2 AND id = $3")
            .bind(error).bind(task.account_id.get()).bind(task.id.get()).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Creates the image rows of a content item (pending, with prompts). Positions are unique
    /// per content and type, so a repeated call adds nothing.
    pub async fn insert_images(
        &mut self,
        content: &Content,
        images: &[NewImage],
    ) -> Result<Vec<ImageId>> {
        let now = now_ms();
        let mut ids = Vec::new();
        for img in images {
            let id: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
                "INSERT INTO images (account_id, site_id, content_id, image_type, position, prompt, negative_prompt, size, attempts, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 'pending', $9, $9)
                 ON CONFLICT (content_id, image_type, position) DO NOTHING RETURNING id")
                .bind(content.account_id.get()).bind(content.site_id.get()).bind(content.id.get())
                .bind(img.image_type.as_str()).bind(img.position).bind(&img.prompt).bind(&img.negative_prompt)
                .bind(&img.size).bind(now).fetch_optional(c).await)?;
            ids.extend(id.map(ImageId::new));
        }
        Ok(ids)
    }

    pub async fn image_for_update(&mut self, account: AccountId, id: ImageId) -> Result<Image> {
        let row: Option<ImageRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {IMAGE_COLS} FROM images WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("image", id))?
            .try_into()
    }

    /// generating -> generated with what the generation left behind, in one statement guarded on
    /// the old status; returns false (writing nothing) if someone settled the image meanwhile.
    pub async fn finish_image(
        &mut self,
        account: AccountId,
        id: ImageId,
        g: &GeneratedImage,
    ) -> Result<bool> {
        ImageStatus::Generating.check_move(ImageStatus::Generated)?;
        let n = on_conn!(self, c => sqlx::query(
            "UPDATE images SET status = 'generated', provider = $1, model = $2, file_path = $3, public_url = $4, bytes = $5, sha256 = $6, error = NULL, updated_at = $7
             WHERE account_id = $8 AND id = $9 AND status = 'generating'")
            .bind(&g.provider).bind(&g.model).bind(&g.file_path).bind(&g.public_url).bind(g.bytes).bind(&g.sha256)
            .bind(now_ms()).bind(account.get()).bind(id.get()).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Moves a generating image to `failed` (or back to `pending` to be tried again) with the error.
    pub async fn fail_image(
        &mut self,
        account: AccountId,
        id: ImageId,
        to: ImageStatus,
        error: &str,
    ) -> Result<()> {
        self.move_status(account, id, to).await?;
        on_conn!(self, c => sqlx::query("UPDATE images SET error = $1, updated_at = $2 WHERE account_id = $3 AND id = $4")
            .bind(error).bind(now_ms()).bind(account.get()).bind(id.get()).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Moves `content` from draft to review when every one of its images is settled; returns
    /// whether it moved. One guarded statement: the check and the move cannot be split.
    pub async fn review_if_images_settled(
        &mut self,
        account: AccountId,
        content: ContentId,
    ) -> Result<bool> {
        ContentStatus::Draft.check_move(ContentStatus::Review)?;
        // Two images of one article settling at once, each in its own transaction: on
        // PostgreSQL (read committed) each would see the other's image still unsettled and
        // neither would move the article. Locking the article first makes the second wait for
        // the first to commit; its statement then sees both images settled. (SQLite's
        // `BEGIN IMMEDIATE` already runs them one after the other.)
        if let Tx::Postgres(t) = self {
            sqlx::query(
                "SELECT id FROM content WHERE account_id = $1 AND id = $2 FOR NO KEY UPDATE",
            )
            .bind(account.get())
            .bind(content.get())
            .execute(&mut **t)
            .await?;
        }
        let n = on_conn!(self, c => sqlx::query(
            "UPDATE content SET status = 'review', updated_at = $1
             WHERE account_id = $2 AND id = $3 AND status = 'draft'
               AND NOT EXISTS (SELECT 1 FROM images i WHERE i.content_id = $3 AND i.status NOT IN ('generated', 'failed'))")
            .bind(now_ms()).bind(account.get()).bind(content.get()).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Db {
    /// pending -> generating, counting the attempt. One statement guarded on the old status, so
    /// it needs no write transaction; returns false if the image was not pending.
    pub async fn start_image(&self, account: AccountId, id: ImageId) -> Result<bool> {
        ImageStatus::Pending.check_move(ImageStatus::Generating)?;
        let n = on_db!(self, p => sqlx::query(
            "UPDATE images SET status = 'generating', attempts = attempts + 1, error = NULL, updated_at = $1
             WHERE account_id = $2 AND id = $3 AND status = 'pending'")
            .bind(now_ms()).bind(account.get()).bind(id.get()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
