//! Writes of the pipeline's items, inside the caller's transaction (`Tx`), and the one
//! image claim that needs none (`Db::start_image`).

use super::{GeneratedImage, IMAGE_COLS, NewContent, NewImage};
use crate::rows::*;
use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::ai::IdeaItem;
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

impl Tx {
    /// Creates a cluster, or `None` when the site already has one of that name (the caller
    /// names it otherwise).
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_cluster(
        &mut self,
        account: AccountId,
        site: SiteId,
        name: &str,
        description: &str,
        method: ClusterMethod,
        threshold: Option<f64>,
    ) -> Result<Option<ClusterId>> {
        let id: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO clusters (account_id, site_id, name, description, method, threshold, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'new', $7)
             ON CONFLICT (site_id, name) DO NOTHING RETURNING id")
            .bind(account.get()).bind(site.get()).bind(name.trim()).bind(description.trim())
            .bind(method.as_str()).bind(threshold).bind(now_ms()).fetch_optional(c).await)?;
        Ok(id.map(ClusterId::new))
    }

    /// Links the `new` keywords among `ids` to `cluster` and moves them to `mapped`; returns
    /// how many were linked (one already mapped stays where it is).
    pub async fn map_keyword_ids(
        &mut self,
        account: AccountId,
        site: SiteId,
        cluster: ClusterId,
        ids: &[KeywordId],
    ) -> Result<u64> {
        KeywordStatus::New.check_move(KeywordStatus::Mapped)?;
        let mut linked = 0;
        for id in ids {
            linked += on_conn!(self, c => sqlx::query(
                "UPDATE keywords SET cluster_id = $1, status = 'mapped'
                 WHERE account_id = $2 AND site_id = $3 AND id = $4 AND status = 'new'")
                .bind(cluster.get()).bind(account.get()).bind(site.get()).bind(id.get())
                .execute(c).await.map(|r| r.rows_affected()))?;
        }
        self.recount_clusters(account, &[cluster]).await?;
        Ok(linked)
    }

    /// Stores an idea whose primary keyword reduces to `primary_terms`, or `None` when the
    /// site already has an idea for those terms (one article per search).
    pub async fn insert_idea(
        &mut self,
        account: AccountId,
        site: SiteId,
        cluster: ClusterId,
        idea: &IdeaItem,
        primary_terms: &str,
    ) -> Result<Option<IdeaId>> {
        let id: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO ideas (account_id, site_id, cluster_id, title, description, outline, primary_keyword, primary_terms, secondary_keywords, content_structure, target_words, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new', $12)
             ON CONFLICT (site_id, primary_terms) DO NOTHING RETURNING id")
            .bind(account.get()).bind(site.get()).bind(cluster.get()).bind(&idea.title).bind(&idea.description)
            .bind(to_json(&idea.outline)).bind(&idea.primary_keyword).bind(primary_terms).bind(to_json(&idea.secondary_keywords))
            .bind(idea.content_structure.as_str()).bind(i64::from(idea.target_words)).bind(now_ms()).fetch_optional(c).await)?;
        Ok(id.map(IdeaId::new))
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
            "INSERT INTO content (account_id, site_id, task_id, title, slug, meta_title, meta_description, excerpt, body_html, body_markdown, word_count, primary_keyword, secondary_keywords, offline, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', $15, $15) RETURNING id")
            .bind(task.account_id.get()).bind(task.site_id.get()).bind(task.id.get()).bind(&content.title).bind(&content.slug)
            .bind(&content.meta_title).bind(&content.meta_description).bind(&content.excerpt).bind(&content.body_html)
            .bind(&content.body_markdown).bind(content.word_count).bind(&content.primary_keyword)
            .bind(to_json(&content.secondary_keywords)).bind(content.offline).bind(now).fetch_one(c).await)?;
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
                "INSERT INTO images (account_id, site_id, content_id, image_type, position, prompt, negative_prompt, alt_text, section, size, attempts, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 'pending', $11, $11)
                 ON CONFLICT (content_id, image_type, position) DO NOTHING RETURNING id")
                .bind(content.account_id.get()).bind(content.site_id.get()).bind(content.id.get())
                .bind(img.image_type.as_str()).bind(img.position).bind(&img.prompt).bind(&img.negative_prompt)
                .bind(&img.alt_text).bind(&img.section).bind(&img.size).bind(now).fetch_optional(c).await)?;
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
