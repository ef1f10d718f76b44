//! A site's spend, for its monthly budget: the credits of its AI calls since an instant (the
//! start of its month), summed through the `ai_usage_by_site` index.

use crate::{Db, Result, on_db};
use pressroom_domain::{AccountId, Credits, SiteId, TimestampMs};

impl Db {
    /// Credits charged for `site`'s AI calls made at or after `since`.
    pub async fn site_spend_since(
        &self,
        account: AccountId,
        site: SiteId,
        since: TimestampMs,
    ) -> Result<Credits> {
        let n: i64 = on_db!(self, p => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM ai_usage
             WHERE site_id = $2 AND created_at >= $3 AND account_id = $1")
            .bind(account.get()).bind(site.get()).bind(since).fetch_one(p).await)?;
        Ok(Credits(n))
    }
}
