//! What only the web app asks of the store: a health ping, usage totals for `/metrics`, and
//! an image by its stored file path.

use crate::{Db, Result, on_db};
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
