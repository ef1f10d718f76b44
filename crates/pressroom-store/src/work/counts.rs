//! Counts per status, for dashboards and run summaries.

use super::{ImageCounts, PipelineCounts};
use crate::{Db, Result, on_db};
use pressroom_domain::*;

impl Db {
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
