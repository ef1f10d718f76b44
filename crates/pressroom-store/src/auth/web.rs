//! What only the web app asks of the store: a health ping, usage totals for `/metrics`,
//! editing content text, and an image by its stored file path.

use crate::{Db, Result, now_ms, on_db};
use pressroom_domain::*;

impl Db {
    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<()> {
        let _: i64 =
            on_db!(self, p => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(p).await)?;
        Ok(())
    }

    /// AI usage across all accounts by (provider, function): calls, failures, credits. For
    /// the operator's metrics endpoint, which shows no tenant data.
    pub async fn usage_totals(&self) -> Result<Vec<(String, String, i64, i64, i64)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT provider, function, COUNT(*), CAST(SUM(CASE WHEN success THEN 0 ELSE 1 END) AS BIGINT),
                    CAST(SUM(credits) AS BIGINT)
             FROM ai_usage GROUP BY provider, function ORDER BY provider, function")
            .fetch_all(p).await)?)
    }

    /// Replaces a content item's title and body (markdown and its rendered, sanitised HTML).
    /// Published content is not edited here.
    pub async fn update_content_text(
        &self,
        account: AccountId,
        id: ContentId,
        title: &str,
        body_markdown: &str,
        body_html: &str,
        word_count: i64,
    ) -> Result<Content> {
        let changed = on_db!(self, p => sqlx::query(
            "UPDATE content SET title = $1, body_markdown = $2, body_html = $3, word_count = $4, updated_at = $5
             WHERE account_id = $6 AND id = $7 AND status <> 'published'")
            .bind(title).bind(body_markdown).bind(body_html).bind(word_count).bind(now_ms())
            .bind(account.get()).bind(id.get()).execute(p).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            let current = self.content(account, id).await?;
            return Err(DomainError::InvalidValue {
                field: "content status (published content cannot be edited)",
                value: current.status.to_string(),
            }
            .into());
        }
        self.content(account, id).await
    }

    /// The image of `account` stored under `file_path` (the media store's relative path).
    pub async fn image_by_file_path(
        &self,
        account: AccountId,
        file_path: &str,
    ) -> Result<Option<ImageId>> {
        let id: Option<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT id FROM images WHERE account_id = $1 AND file_path = $2")
            .bind(account.get()).bind(file_path).fetch_optional(p).await)?;
        Ok(id.map(ImageId::new))
    }
}
