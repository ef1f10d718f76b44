//! What the embedding and SERP clustering methods read besides keywords: cached embedding
//! vectors per (account, model, normalised phrase), and each keyword's top-10 search results
//! per site. Reads and writes go a batch of phrases per statement.

use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::{AccountId, SiteId};
use std::collections::HashMap;

/// Phrases per statement: at most 6 binds a row, far below both engines' parameter limits.
const BATCH: usize = 500;

/// One imported search result of a keyword: its position in the export and the page's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerpRow {
    pub position: i64,
    pub url: String,
}

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(phrase: &str, dims: i64, bytes: &[u8]) -> Result<Vec<f32>> {
    if dims < 0 || bytes.len() != dims as usize * 4 {
        return Err(StoreError::Corrupt {
            what: "embedding",
            detail: format!("{phrase:?}: {} bytes for {dims} dimensions", bytes.len()),
        });
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

impl Db {
    /// The cached vectors of `model` for those of `normalised` that have one.
    pub async fn cached_embeddings(
        &self,
        account: AccountId,
        model: &str,
        normalised: &[String],
    ) -> Result<HashMap<String, Vec<f32>>> {
        let mut out = HashMap::new();
        for chunk in normalised.chunks(BATCH) {
            let rows: Vec<(String, i64, Vec<u8>)> = on_db!(self, p => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT normalised, dimensions, vector FROM embedding_cache WHERE account_id = ");
                qb.push_bind(account.get()).push(" AND model = ").push_bind(model).push(" AND normalised IN (");
                let mut list = qb.separated(", ");
                for n in chunk {
                    list.push_bind(n);
                }
                qb.push(")");
                qb.build_query_as::<(String, i64, Vec<u8>)>().fetch_all(p).await
            })?;
            for (phrase, dims, bytes) in rows {
                let v = from_bytes(&phrase, dims, &bytes)?;
                out.insert(phrase, v);
            }
        }
        Ok(out)
    }

    /// The top-10 URLs, best first, of each of `normalised` that has imported results on
    /// `site` (keywords without any are absent).
    pub async fn serp_urls(
        &self,
        account: AccountId,
        site: SiteId,
        normalised: &[String],
    ) -> Result<HashMap<String, Vec<String>>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for chunk in normalised.chunks(BATCH) {
            let rows: Vec<(String, String)> = on_db!(self, p => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT normalised, url FROM serp_results WHERE account_id = ");
                qb.push_bind(account.get()).push(" AND site_id = ").push_bind(site.get()).push(" AND normalised IN (");
                let mut list = qb.separated(", ");
                for n in chunk {
                    list.push_bind(n);
                }
                qb.push(") ORDER BY normalised, rank");
                qb.build_query_as::<(String, String)>().fetch_all(p).await
            })?;
            for (phrase, url) in rows {
                out.entry(phrase).or_default().push(url);
            }
        }
        Ok(out)
    }

    /// How many keywords of `site` have imported results.
    pub async fn count_serp_keywords(&self, account: AccountId, site: SiteId) -> Result<i64> {
        Ok(on_db!(self, p => sqlx::query_scalar(
            "SELECT COUNT(DISTINCT normalised) FROM serp_results WHERE account_id = $1 AND site_id = $2")
            .bind(account.get()).bind(site.get()).fetch_one(p).await)?)
    }
}

impl Tx {
    /// Caches vectors of `model` (a phrase cached before is overwritten).
    pub async fn cache_embeddings(
        &mut self,
        account: AccountId,
        model: &str,
        entries: &[(String, Vec<f32>)],
    ) -> Result<()> {
        let now = now_ms();
        for chunk in entries.chunks(BATCH) {
            on_conn!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO embedding_cache (account_id, model, normalised, dimensions, vector, created_at) ");
                qb.push_values(chunk, |mut b, (phrase, v)| {
                    b.push_bind(account.get()).push_bind(model).push_bind(phrase)
                        .push_bind(v.len() as i64).push_bind(to_bytes(v)).push_bind(now);
                });
                qb.push(" ON CONFLICT (account_id, model, normalised) DO UPDATE SET
                    dimensions = excluded.dimensions, vector = excluded.vector, created_at = excluded.created_at");
                qb.build().execute(&mut *c).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Replaces the results of each keyword in `results` (normalised phrase -> rows, at most
    /// 10, best first) on `site`; keywords not named keep theirs.
    pub async fn replace_serp_results(
        &mut self,
        account: AccountId,
        site: SiteId,
        results: &[(String, Vec<SerpRow>)],
    ) -> Result<()> {
        let now = now_ms();
        for chunk in results.chunks(BATCH / 10) {
            on_conn!(self, c => {
                let mut qb = sqlx::QueryBuilder::new("DELETE FROM serp_results WHERE account_id = ");
                qb.push_bind(account.get()).push(" AND site_id = ").push_bind(site.get()).push(" AND normalised IN (");
                let mut list = qb.separated(", ");
                for (n, _) in chunk {
                    list.push_bind(n);
                }
                qb.push(")");
                qb.build().execute(&mut *c).await.map(|_| ())
            })?;
            let rows: Vec<(&str, i64, &SerpRow)> = chunk
                .iter()
                .flat_map(|(n, rows)| {
                    rows.iter()
                        .enumerate()
                        .map(move |(i, r)| (n.as_str(), i as i64 + 1, r))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            on_conn!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO serp_results (account_id, site_id, normalised, rank, position, url, imported_at) ");
                qb.push_values(&rows, |mut b, (n, rank, r)| {
                    b.push_bind(account.get()).push_bind(site.get()).push_bind(*n)
                        .push_bind(*rank).push_bind(r.position).push_bind(&r.url).push_bind(now);
                });
                qb.build().execute(&mut *c).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}
