//! A site's spend, for its monthly budget: the credits of its AI calls since an instant (the
//! start of its month). Each call adds its credits to the site's quarter-hour total
//! (`site_spend`) in the call's own transaction, so the sum reads at most a month of quarters
//! however many calls the month had; an instant off a quarter is summed from `ai_usage`.

use crate::{Db, Result, Tx, on_conn, on_db};
use pressroom_domain::{AccountId, Credits, SiteId, TimestampMs};

/// The width of a `site_spend` bucket.
const QUARTER_MS: i64 = 15 * 60 * 1000;

impl Tx {
    /// Adds `credits` spent at `at` to `site`'s quarter-hour total.
    pub(crate) async fn add_site_spend(
        &mut self,
        account: AccountId,
        site: SiteId,
        at: TimestampMs,
        credits: Credits,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "INSERT INTO site_spend (account_id, site_id, quarter_at, credits) VALUES ($1, $2, $3, $4)
             ON CONFLICT (site_id, quarter_at) DO UPDATE SET credits = site_spend.credits + excluded.credits")
            .bind(account.get()).bind(site.get()).bind(at - at.rem_euclid(QUARTER_MS)).bind(credits.0)
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

impl Db {
    /// Credits charged for `site`'s AI calls made at or after `since`.
    pub async fn site_spend_since(
        &self,
        account: AccountId,
        site: SiteId,
        since: TimestampMs,
    ) -> Result<Credits> {
        let n: i64 = if since.rem_euclid(QUARTER_MS) == 0 {
            on_db!(self, p => sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM site_spend
                 WHERE site_id = $2 AND quarter_at >= $3 AND account_id = $1")
                .bind(account.get()).bind(site.get()).bind(since).fetch_one(p).await)?
        } else {
            on_db!(self, p => sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM ai_usage
                 WHERE site_id = $2 AND created_at >= $3 AND account_id = $1")
                .bind(account.get()).bind(site.get()).bind(since).fetch_one(p).await)?
        };
        Ok(Credits(n))
    }
}
