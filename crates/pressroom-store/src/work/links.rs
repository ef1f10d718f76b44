//! Internal links between the articles of a cluster. One row per (source, target) whatever its
//! status: a link a person removed stays as a `removed` tombstone, so planning the links again
//! (which replaces only the active ones) never puts it back.

use super::{ids_sql, qualified};
use crate::rows::*;
use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::*;
use serde::Serialize;
use sqlx::AssertSqlSafe;

const LINK_COLS: &str = "id, account_id, site_id, source_id, target_id, anchor, status, created_at";

/// A planned link to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub source: ContentId,
    pub target: ContentId,
    pub anchor: String,
}

/// A link with what a page shows of both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    pub link: InternalLink,
    pub target_title: String,
    pub target_slug: String,
    pub source_title: String,
}

#[derive(sqlx::FromRow)]
struct LinkViewRow {
    #[sqlx(flatten)]
    link: LinkRow,
    target_title: String,
    target_slug: String,
    source_title: String,
}

impl TryFrom<LinkViewRow> for LinkView {
    type Error = StoreError;
    fn try_from(r: LinkViewRow) -> Result<LinkView> {
        Ok(LinkView {
            link: r.link.try_into()?,
            target_title: r.target_title,
            target_slug: r.target_slug,
            source_title: r.source_title,
        })
    }
}

impl Tx {
    /// Replaces the active links from `sources` with `links`. A pair with a `removed`
    /// tombstone is not inserted again. Every article named (sources, and both ends of each
    /// link) must be `account`'s and on `site`: else `NotFound` naming the first that is not,
    /// with nothing written. A pair planned again keeps its row and id (its anchor updated).
    /// A link whose source is not among `sources` is kept only if its pair has no row yet.
    pub async fn replace_links(
        &mut self,
        account: AccountId,
        site: SiteId,
        sources: &[ContentId],
        links: &[NewLink],
    ) -> Result<()> {
        let mut named: Vec<i64> = sources
            .iter()
            .chain(links.iter().flat_map(|l| [&l.source, &l.target]))
            .map(|i| i.get())
            .collect();
        named.sort_unstable();
        named.dedup();
        if named.is_empty() {
            return Ok(());
        }
        let known: Vec<i64> = on_conn!(self, c => sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM content WHERE account_id = $1 AND site_id = $2 AND id IN ({})", ids_sql(&named))))
            .bind(account.get()).bind(site.get()).fetch_all(c).await)?;
        if let Some(missing) = named.iter().find(|id| !known.contains(id)) {
            return Err(StoreError::not_found("content", missing));
        }
        // A pair planned again keeps its row (and id, so a page's Remove button still
        // works); active pairs no longer planned go; removed tombstones are never touched.
        for source in sources {
            let keep: Vec<i64> = links
                .iter()
                .filter(|l| l.source == *source)
                .map(|l| l.target.get())
                .collect();
            let not_kept = if keep.is_empty() {
                String::new()
            } else {
                format!(" AND target_id NOT IN ({})", ids_sql(&keep))
            };
            on_conn!(self, c => sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM internal_links WHERE account_id = $1 AND status = $2 AND source_id = $3{not_kept}")))
                .bind(account.get()).bind(LinkStatus::Active.as_str()).bind(source.get())
                .execute(c).await.map(|_| ()))?;
        }
        let now = now_ms();
        for link in links {
            on_conn!(self, c => sqlx::query(
                "INSERT INTO internal_links (account_id, site_id, source_id, target_id, anchor, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (source_id, target_id) DO UPDATE SET anchor = excluded.anchor
                 WHERE internal_links.status = $6")
                .bind(account.get()).bind(site.get()).bind(link.source.get()).bind(link.target.get())
                .bind(&link.anchor).bind(LinkStatus::Active.as_str()).bind(now).execute(c).await.map(|_| ()))?;
        }
        Ok(())
    }

    /// Takes a link out at a person's request: it becomes a `removed` tombstone (already
    /// removed stays so). `NotFound` for a foreign or unknown id.
    pub async fn remove_link(&mut self, account: AccountId, id: LinkId) -> Result<InternalLink> {
        // The status is bound, not written in the statement: a link's status is a vocabulary
        // without moves, not one of the status columns `move_status` guards.
        let row: Option<LinkRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE internal_links SET status = $1 WHERE account_id = $2 AND id = $3 RETURNING {LINK_COLS}")))
            .bind(LinkStatus::Removed.as_str()).bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("internal link", id))?
            .try_into()
    }

    /// Deletes the active links from and to an article (rejected or gone); tombstones stay.
    /// Returns how many went.
    pub async fn delete_links_touching(
        &mut self,
        account: AccountId,
        content: ContentId,
    ) -> Result<u64> {
        Ok(on_conn!(self, c => sqlx::query(
            "DELETE FROM internal_links WHERE account_id = $1 AND status = $2 AND (source_id = $3 OR target_id = $3)")
            .bind(account.get()).bind(LinkStatus::Active.as_str()).bind(content.get())
            .execute(c).await.map(|r| r.rows_affected()))?)
    }
}

impl Db {
    /// The active links from an article, in id order (the order they were planned in).
    pub async fn outgoing_links(
        &self,
        account: AccountId,
        source: ContentId,
    ) -> Result<Vec<LinkView>> {
        self.link_views(account, "l.source_id = $2 AND l.status = 'active'", source)
            .await
    }

    /// Every link from or to an article, removed ones included, in id order: what its page
    /// lists for a person to remove.
    pub async fn links_of_content(
        &self,
        account: AccountId,
        content: ContentId,
    ) -> Result<Vec<LinkView>> {
        self.link_views(account, "(l.source_id = $2 OR l.target_id = $2)", content)
            .await
    }

    /// Links of `account` matching `filter` (fixed SQL over `$2` = `content`), with both
    /// ends' titles.
    async fn link_views(
        &self,
        account: AccountId,
        filter: &'static str,
        content: ContentId,
    ) -> Result<Vec<LinkView>> {
        let cols = qualified(LINK_COLS, "l");
        let rows: Vec<LinkViewRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {cols}, t.title AS target_title, t.slug AS target_slug, s.title AS source_title
             FROM internal_links l JOIN content t ON t.id = l.target_id JOIN content s ON s.id = l.source_id
             WHERE l.account_id = $1 AND {filter} ORDER BY l.id")))
            .bind(account.get()).bind(content.get()).fetch_all(p).await)?;
        rows.into_iter().map(LinkView::try_from).collect()
    }
}

impl Tx {
    /// The links with `status` from `sources` (source, target, anchor), in id order, read
    /// inside the caller's transaction (see [`Tx::cluster_articles`]): the removed ones are
    /// what planning skips, the active ones what a new plan is compared with.
    pub async fn links_from(
        &mut self,
        account: AccountId,
        sources: &[ContentId],
        status: LinkStatus,
    ) -> Result<Vec<NewLink>> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<i64> = sources.iter().map(|i| i.get()).collect();
        let rows: Vec<(i64, i64, String)> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT source_id, target_id, anchor FROM internal_links WHERE account_id = $1 AND status = $2
               AND source_id IN ({}) ORDER BY id", ids_sql(&raw))))
            .bind(account.get()).bind(status.as_str()).fetch_all(c).await)?;
        Ok(rows
            .into_iter()
            .map(|(s, t, anchor)| NewLink {
                source: ContentId::new(s),
                target: ContentId::new(t),
                anchor,
            })
            .collect())
    }
}
