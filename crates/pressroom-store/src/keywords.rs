use crate::rows::KeywordRow;
use crate::{Db, Result, Tx, now_ms, on_conn, on_db};
use pressroom_domain::{
    AccountId, Keyword, KeywordDraft, KeywordStatus, SiteId, Status, normalise_phrase,
};

/// Rows per INSERT statement: 11 binds a row stays far below both engines' parameter limits.
const UPSERT_CHUNK: usize = 500;

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeywordUpsert {
    pub inserted: u64,
    /// Rows that matched a keyword already stored (case- and whitespace-insensitively).
    pub merged: u64,
}

/// Which keywords of a site a list and its count cover; every field optional. The list and
/// the count take the same filter, so a total always counts what the list shows.
#[derive(Debug, Clone, Default)]
pub struct KeywordFilter {
    pub status: Option<KeywordStatus>,
    /// Matches keywords containing this text, compared normalised.
    pub search: Option<String>,
    pub min_volume: Option<i64>,
}

impl KeywordFilter {
    /// Every keyword with `status`.
    pub fn with_status(status: KeywordStatus) -> KeywordFilter {
        KeywordFilter {
            status: Some(status),
            ..KeywordFilter::default()
        }
    }

    /// The LIKE pattern of the search, escaped.
    fn pattern(&self) -> Option<String> {
        self.search
            .as_deref()
            .map(|s| format!("%{}%", escape_like(&normalise_phrase(s))))
    }
}

/// A page of a list: at most `limit` rows (held to 1..=1000) after skipping `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
}

/// The filter's conditions, binds `$1`-`$5` (account, site, status, pattern, min volume).
const KEYWORD_FILTER_SQL: &str = "account_id = $1 AND site_id = $2
               AND ($3 IS NULL OR status = $3)
               AND ($4 IS NULL OR normalised LIKE $4 ESCAPE '\\')
               AND ($5 IS NULL OR volume >= $5)";

pub(crate) const KEYWORD_COLUMNS: &str = "id, account_id, site_id, phrase, normalised, volume, difficulty, cpc_micros, intent, country, source, cluster_id, status, created_at";

impl Tx {
    /// Inserts new keywords and merges ones already stored (matched on the normalised phrase).
    /// A merge keeps the stored phrase, status and cluster, and takes each metric the new row
    /// has (the same rule as [`KeywordDraft::merge`]). `drafts` must not repeat a normalised
    /// phrase; callers merge duplicates first.
    pub async fn upsert_keywords(
        &mut self,
        account: AccountId,
        site: SiteId,
        source: &str,
        drafts: &[KeywordDraft],
    ) -> Result<KeywordUpsert> {
        let mut result = KeywordUpsert::default();
        for chunk in drafts.chunks(UPSERT_CHUNK) {
            // Rows the upsert inserts get ids above the table's current maximum; rows it merges
            // keep theirs. (A primary-key lookup: counting the site's rows per chunk made big
            // imports quadratic. A row committed by a concurrent import in between may be counted
            // as new; only the report's split is affected.)
            let watermark: i64 = on_conn!(self, c => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM keywords").fetch_one(&mut *c).await)?;
            let now = now_ms();
            let ids: Vec<i64> = on_conn!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO keywords (account_id, site_id, phrase, normalised, volume, difficulty, cpc_micros, intent, country, source, status, created_at) ");
                qb.push_values(chunk, |mut b, d| {
                    b.push_bind(account.get()).push_bind(site.get()).push_bind(&d.phrase).push_bind(&d.normalised)
                        .push_bind(d.volume).push_bind(d.difficulty.map(i64::from)).push_bind(d.cpc.map(|c| c.0))
                        .push_bind(d.intent.map(|i| i.as_str())).push_bind(&d.country).push_bind(source)
                        .push_bind(KeywordStatus::New.as_str()).push_bind(now);
                });
                qb.push(" ON CONFLICT (site_id, normalised) DO UPDATE SET
                    volume = COALESCE(excluded.volume, keywords.volume),
                    difficulty = COALESCE(excluded.difficulty, keywords.difficulty),
                    cpc_micros = COALESCE(excluded.cpc_micros, keywords.cpc_micros),
                    intent = COALESCE(excluded.intent, keywords.intent),
                    country = COALESCE(excluded.country, keywords.country) RETURNING id");
                qb.build_query_scalar::<i64>().fetch_all(&mut *c).await
            })?;
            let inserted = ids.iter().filter(|id| **id > watermark).count() as u64;
            result.inserted += inserted;
            result.merged += chunk.len() as u64 - inserted;
        }
        Ok(result)
    }
}

impl Db {
    /// Refreshes PostgreSQL's statistics of the keywords table after a bulk import. Until
    /// autovacuum gets to it, the planner takes the freshly loaded table for nearly empty and
    /// plans the stage-1 keyword update through the status index (a scan of every `new` keyword
    /// per phrase) instead of the `(site_id, normalised)` one: cost per keyword grew with the
    /// site. SQLite's planner prefers the unique index without statistics.
    pub async fn refresh_keyword_stats(&self) -> Result<()> {
        if let Db::Postgres(p) = self {
            sqlx::query("ANALYZE keywords").execute(p).await?;
        }
        Ok(())
    }

    /// How many keywords of the site `filter` covers.
    pub async fn count_keywords(
        &self,
        account: AccountId,
        site: SiteId,
        filter: &KeywordFilter,
    ) -> Result<i64> {
        let pattern = filter.pattern();
        Ok(
            on_db!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM keywords WHERE {KEYWORD_FILTER_SQL}")))
            .bind(account.get()).bind(site.get()).bind(filter.status.map(|s| s.as_str()))
            .bind(pattern.as_deref()).bind(filter.min_volume)
            .fetch_one(p).await)?,
        )
    }

    /// A page of the keywords `filter` covers, highest volume first, then by id.
    pub async fn keywords(
        &self,
        account: AccountId,
        site: SiteId,
        filter: &KeywordFilter,
        page: Page,
    ) -> Result<Vec<Keyword>> {
        let pattern = filter.pattern();
        let limit = i64::from(page.limit.clamp(1, 1000));
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let rows: Vec<KeywordRow> = on_db!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {KEYWORD_COLUMNS} FROM keywords
             WHERE {KEYWORD_FILTER_SQL}
             ORDER BY volume DESC NULLS LAST, id
             LIMIT $6 OFFSET $7")))
            .bind(account.get()).bind(site.get()).bind(filter.status.map(|s| s.as_str()))
            .bind(pattern.as_deref()).bind(filter.min_volume).bind(limit).bind(offset)
            .fetch_all(p).await)?;
        rows.into_iter().map(Keyword::try_from).collect()
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
