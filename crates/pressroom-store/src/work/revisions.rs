//! An article's text over time: replacing it (optionally as a new version), its on-page check,
//! and the revisions that keep earlier texts.

use super::CONTENT_COLS;
use crate::rows::*;
use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::article::OnPageReport;
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

/// Revisions listed for one article at most: a list for a person to pick from, not an archive.
const REVISIONS_MAX: i64 = 100;

const REVISION_COLS: &str = "id, account_id, content_id, version, title, slug, meta_title, meta_description, excerpt, body_markdown, primary_keyword, offline, created_at";

/// The text fields of an article that an edit, a regenerate or a restore replaces (the body
/// already rendered and sanitised by the pipeline).
#[derive(Debug, Clone)]
pub struct ContentText {
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub body_html: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub offline: bool,
}

impl Tx {
    /// The article as it is now, locked until the transaction ends (PostgreSQL row lock;
    /// SQLite's write transaction holds the database): an edit or a regenerate reads what it
    /// replaces here, so a change committed meanwhile is never overwritten unseen.
    pub async fn content_for_update(
        &mut self,
        account: AccountId,
        id: ContentId,
    ) -> Result<Content> {
        let lock = match self.engine() {
            crate::Engine::Postgres => " FOR UPDATE",
            crate::Engine::Sqlite => "",
        };
        let row: Option<ContentRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONTENT_COLS} FROM content WHERE account_id = $1 AND id = $2{lock}")))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("content", id))?
            .try_into()
    }

    /// Replaces an article's text and bumps `updated_at`; `new_version` adds one to its
    /// version (a regenerate or restore, whose old text the caller kept with
    /// [`Tx::insert_revision`] first). Published content gets no new version (it is live;
    /// an edit is, and is published again by the person): that is an `InvalidValue` naming
    /// its status, with nothing written. `NotFound` for a foreign id.
    /// The stored on-page check is cleared with the text it was for: until the caller checks
    /// the new text, nothing (approve-all-passing included) reads an old score for it.
    pub async fn update_content(
        &mut self,
        account: AccountId,
        id: ContentId,
        text: &ContentText,
        new_version: bool,
    ) -> Result<Content> {
        let bump = i64::from(new_version);
        let row: Option<ContentRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE content SET title = $1, slug = $2, meta_title = $3, meta_description = $4, excerpt = $5,
                 body_markdown = $6, body_html = $7, word_count = $8, primary_keyword = $9, offline = $10,
                 version = version + $11, updated_at = $12, checks = NULL, seo_score = NULL
             WHERE account_id = $13 AND id = $14 AND (status <> 'published' OR $11 = 0) RETURNING {CONTENT_COLS}")))
            .bind(&text.title).bind(&text.slug).bind(&text.meta_title).bind(&text.meta_description)
            .bind(&text.excerpt).bind(&text.body_markdown).bind(&text.body_html).bind(text.word_count)
            .bind(&text.primary_keyword).bind(text.offline).bind(bump).bind(now_ms())
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        if let Some(row) = row {
            return row.try_into();
        }
        let status: Option<String> = on_conn!(self, c => sqlx::query_scalar(
            "SELECT status FROM content WHERE account_id = $1 AND id = $2")
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        match status {
            None => Err(StoreError::not_found("content", id)),
            Some(status) => Err(DomainError::InvalidValue {
                field: "content status (published content gets no new version)",
                value: status,
            }
            .into()),
        }
    }

    /// Stores an article's on-page check and its score.
    pub async fn set_content_checks(
        &mut self,
        account: AccountId,
        id: ContentId,
        report: &OnPageReport,
    ) -> Result<()> {
        let changed = on_conn!(self, c => sqlx::query(
            "UPDATE content SET checks = $1, seo_score = $2 WHERE account_id = $3 AND id = $4")
            .bind(to_json(report)).bind(i64::from(report.score)).bind(account.get()).bind(id.get())
            .execute(c).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("content", id));
        }
        Ok(())
    }

    /// Keeps `content`'s text (as given, with its version) as a revision, before the caller
    /// replaces it. `NotFound` when the article is not `account`'s.
    pub async fn insert_revision(
        &mut self,
        account: AccountId,
        content: &Content,
    ) -> Result<RevisionId> {
        // Bound from `content` rather than copied from the row, so the text kept is the one
        // the caller read, whichever order it writes in; the guard keeps it in the account.
        let id: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO content_revisions (account_id, content_id, version, title, slug, meta_title, meta_description, excerpt, body_markdown, primary_keyword, offline, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
             WHERE EXISTS (SELECT 1 FROM content WHERE account_id = $1 AND id = $2) RETURNING id")
            .bind(account.get()).bind(content.id.get()).bind(content.version).bind(&content.title)
            .bind(&content.slug).bind(&content.meta_title).bind(&content.meta_description)
            .bind(&content.excerpt).bind(&content.body_markdown).bind(&content.primary_keyword)
            .bind(content.offline).bind(now_ms()).fetch_optional(c).await)?;
        id.map(RevisionId::new)
            .ok_or_else(|| StoreError::not_found("content", content.id))
    }
}

impl Db {
    /// [`Tx::set_content_checks`] outside a transaction (a re-check that changes nothing else).
    pub async fn set_content_checks(
        &self,
        account: AccountId,
        id: ContentId,
        report: &OnPageReport,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_content_checks(account, id, report).await?;
        tx.commit().await
    }

    /// An article's revisions, newest first, at most [`REVISIONS_MAX`]; none for a foreign id.
    pub async fn revisions(
        &self,
        account: AccountId,
        content: ContentId,
    ) -> Result<Vec<ContentRevision>> {
        let rows: Vec<RevisionRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REVISION_COLS} FROM content_revisions WHERE account_id = $1 AND content_id = $2
             ORDER BY version DESC, id DESC LIMIT $3")))
            .bind(account.get()).bind(content.get()).bind(REVISIONS_MAX).fetch_all(p).await)?;
        Ok(rows.into_iter().map(ContentRevision::from).collect())
    }

    /// One revision; `NotFound` when unknown or another account's.
    pub async fn revision(&self, account: AccountId, id: RevisionId) -> Result<ContentRevision> {
        let row: Option<RevisionRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REVISION_COLS} FROM content_revisions WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.map(ContentRevision::from)
            .ok_or_else(|| StoreError::not_found("revision", id))
    }
}
