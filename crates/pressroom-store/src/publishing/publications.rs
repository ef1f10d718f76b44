//! Publication records: one per (article, destination), created or sent again by queueing,
//! moved by the publish job, read by the scheduler and the queue view.

use super::rows::{PUB_COLS, PubRow};
use crate::{Db, Engine, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

/// A record `sending` for longer than this was abandoned by a dead worker (a send is a
/// dozen requests of at most a minute each).
const STALE_SENDING_MS: i64 = 30 * 60 * 1000;

/// What queueing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedPublication {
    pub publication: Publication,
    /// False when the record existed (it is sent again, updating the same post).
    pub created: bool,
    /// False when it was being sent right now and was left alone.
    pub queued: bool,
}

/// A publication the scheduler found due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuePublication {
    pub account: AccountId,
    pub id: PublicationId,
    pub scheduled_at: TimestampMs,
}

/// How one send ended, written with the move out of `sending`.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicationOutcome {
    pub status: PublicationStatus,
    pub external_id: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
    pub seo_report: Option<serde_json::Value>,
    /// The article's `updated_at` that was sent (published only).
    pub sent_version: Option<TimestampMs>,
}

fn lock_clause(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => " FOR UPDATE",
        Engine::Sqlite => "",
    }
}

impl Tx {
    /// The destination, its row locked until the transaction ends: slots of one destination
    /// are handed out one transaction at a time.
    pub async fn destination_for_update(
        &mut self,
        account: AccountId,
        id: DestinationId,
    ) -> Result<Destination> {
        let lock = lock_clause(self.engine());
        let row: Option<super::rows::DestRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {} FROM destinations WHERE account_id = $1 AND id = $2{lock}", super::rows::DEST_COLS)))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("destination", id))?
            .try_into()
    }

    /// Queues `content` for `destination` at `scheduled_at` (`None`: held). A new record is
    /// `pending`; an existing one moves back to `pending` to be sent again (the same post is
    /// updated), except while it is `sending`, which is left alone.
    pub async fn queue_publication(
        &mut self,
        account: AccountId,
        content: ContentId,
        destination: DestinationId,
        scheduled_at: Option<TimestampMs>,
        force_offline: bool,
    ) -> Result<QueuedPublication> {
        let lock = lock_clause(self.engine());
        let now = now_ms();
        let existing: Option<PubRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {PUB_COLS} FROM publications WHERE account_id = $1 AND content_id = $2 AND destination_id = $3{lock}")))
            .bind(account.get()).bind(content.get()).bind(destination.get()).fetch_optional(c).await)?;
        let held = scheduled_at.is_none();
        let Some(existing) = existing else {
            let row: PubRow = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
                "INSERT INTO publications (account_id, site_id, content_id, destination_id, status, scheduled_at, held, force_offline, created_at, updated_at)
                 SELECT account_id, site_id, id, $1, 'pending', $2, $3, $4, $5, $5 FROM content WHERE account_id = $6 AND id = $7
                 RETURNING {PUB_COLS}")))
                .bind(destination.get()).bind(scheduled_at).bind(held).bind(force_offline).bind(now)
                .bind(account.get()).bind(content.get())
                .fetch_optional(c).await)?
                .ok_or_else(|| StoreError::not_found("content", content))?;
            return Ok(QueuedPublication {
                publication: row.try_into()?,
                created: true,
                queued: true,
            });
        };
        let current: Publication = existing.try_into()?;
        // A send in progress is left alone; one silent for longer than any send takes was
        // lost with its worker (its job dead) and is queued again.
        let stale = current.updated_at < now - STALE_SENDING_MS;
        if current.status == PublicationStatus::Sending && !stale {
            return Ok(QueuedPublication {
                publication: current,
                created: false,
                queued: false,
            });
        }
        if current.status != PublicationStatus::Pending {
            self.move_status(account, current.id, PublicationStatus::Pending)
                .await?;
        }
        let row: PubRow = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE publications SET scheduled_at = $1, held = $2, force_offline = $3, last_error = NULL, updated_at = $4
             WHERE account_id = $5 AND id = $6 RETURNING {PUB_COLS}")))
            .bind(scheduled_at).bind(held).bind(force_offline || current.force_offline).bind(now)
            .bind(account.get()).bind(current.id.get())
            .fetch_one(c).await)?;
        Ok(QueuedPublication {
            publication: row.try_into()?,
            created: false,
            queued: true,
        })
    }

    /// Sets when a pending record goes out (`None`: held). Other states are refused.
    pub async fn reschedule_publication(
        &mut self,
        account: AccountId,
        id: PublicationId,
        scheduled_at: Option<TimestampMs>,
    ) -> Result<Publication> {
        let row: Option<PubRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE publications SET scheduled_at = $1, held = $2, updated_at = $3
             WHERE account_id = $4 AND id = $5 AND status = 'pending' RETURNING {PUB_COLS}")))
            .bind(scheduled_at).bind(scheduled_at.is_none()).bind(now_ms())
            .bind(account.get()).bind(id.get())
            .fetch_optional(c).await)?;
        match row {
            Some(r) => r.try_into(),
            None => Err(StoreError::Refused(format!(
                "publication {id} is not waiting to be sent; only pending ones can be moved or held"
            ))),
        }
    }

    /// Instants already taken at `destination` from `from` on (scheduled or published), in
    /// order: what the schedule's caps and spacing count.
    pub async fn taken_slots(
        &mut self,
        account: AccountId,
        destination: DestinationId,
        from: TimestampMs,
    ) -> Result<Vec<TimestampMs>> {
        let rows: Vec<(i64,)> = on_conn!(self, c => sqlx::query_as(
            "SELECT CASE WHEN status = 'published' THEN published_at ELSE scheduled_at END AS at FROM publications
             WHERE account_id = $1 AND destination_id = $2
               AND ((status IN ('pending', 'sending', 'unknown') AND held = $3 AND scheduled_at >= $4)
                    OR (status = 'published' AND published_at >= $4))
             ORDER BY at")
            .bind(account.get()).bind(destination.get()).bind(false).bind(from)
            .fetch_all(c).await)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    pub async fn publication_for_update(
        &mut self,
        account: AccountId,
        id: PublicationId,
    ) -> Result<Publication> {
        let lock = lock_clause(self.engine());
        let row: Option<PubRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {PUB_COLS} FROM publications WHERE account_id = $1 AND id = $2{lock}")))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("publication", id))?
            .try_into()
    }

    /// Moves a record into `sending` for one more attempt (checked move) and counts it.
    pub async fn begin_sending(
        &mut self,
        account: AccountId,
        id: PublicationId,
    ) -> Result<Publication> {
        self.move_status(account, id, PublicationStatus::Sending)
            .await?;
        let row: PubRow = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE publications SET attempts = attempts + 1, updated_at = $1
             WHERE account_id = $2 AND id = $3 RETURNING {PUB_COLS}")))
            .bind(now_ms()).bind(account.get()).bind(id.get())
            .fetch_one(c).await)?;
        row.try_into()
    }

    /// Moves a record out of `sending` with what the attempt learnt. The external id and URL
    /// are kept when the outcome has none (a failed update still names its post).
    pub async fn finish_publication(
        &mut self,
        account: AccountId,
        id: PublicationId,
        outcome: &PublicationOutcome,
    ) -> Result<Publication> {
        self.move_status(account, id, outcome.status).await?;
        let published_at = (outcome.status == PublicationStatus::Published).then(now_ms);
        let seo = outcome.seo_report.as_ref().map(|v| v.to_string());
        let row: PubRow = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE publications SET external_id = COALESCE($1, external_id), url = COALESCE($2, url),
                last_error = $3, seo_report = COALESCE($4, seo_report), sent_version = COALESCE($5, sent_version),
                published_at = COALESCE($6, published_at), updated_at = $7
             WHERE account_id = $8 AND id = $9 RETURNING {PUB_COLS}")))
            .bind(&outcome.external_id).bind(&outcome.url).bind(&outcome.error).bind(&seo)
            .bind(outcome.sent_version).bind(published_at).bind(now_ms())
            .bind(account.get()).bind(id.get())
            .fetch_one(c).await)?;
        row.try_into()
    }

    /// Marks a record taken down (its post set to draft or trashed at the destination).
    pub async fn unpublish_publication(
        &mut self,
        account: AccountId,
        id: PublicationId,
        note: &str,
    ) -> Result<Publication> {
        self.move_status(account, id, PublicationStatus::Unpublished)
            .await?;
        let row: PubRow = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE publications SET last_error = $1, scheduled_at = NULL, updated_at = $2
             WHERE account_id = $3 AND id = $4 RETURNING {PUB_COLS}")))
            .bind(note).bind(now_ms()).bind(account.get()).bind(id.get())
            .fetch_one(c).await)?;
        row.try_into()
    }

    /// How many of the article's records are published (anywhere).
    pub async fn published_count(&mut self, account: AccountId, content: ContentId) -> Result<i64> {
        Ok(on_conn!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM publications WHERE account_id = $1 AND content_id = $2 AND status = 'published'")
            .bind(account.get()).bind(content.get()).fetch_one(c).await)?)
    }
}

impl Db {
    pub async fn publication(&self, account: AccountId, id: PublicationId) -> Result<Publication> {
        let row: Option<PubRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {PUB_COLS} FROM publications WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("publication", id))?
            .try_into()
    }

    /// The article's records at every destination, by destination.
    pub async fn publications_of_content(
        &self,
        account: AccountId,
        content: ContentId,
    ) -> Result<Vec<Publication>> {
        let rows: Vec<PubRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {PUB_COLS} FROM publications WHERE account_id = $1 AND content_id = $2 ORDER BY destination_id")))
            .bind(account.get()).bind(content.get()).fetch_all(p).await)?;
        rows.into_iter().map(Publication::try_from).collect()
    }

    /// A site's records, a page at a time: pending ones by slot (held last), then the rest
    /// most recently changed first.
    pub async fn publications_of_site(
        &self,
        account: AccountId,
        site: SiteId,
        status: Option<PublicationStatus>,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<Publication>> {
        let rows: Vec<PubRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {PUB_COLS} FROM publications WHERE account_id = $1 AND site_id = $2
               AND ($3 IS NULL OR status = $3)
             ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, held,
                      CASE WHEN status = 'pending' THEN scheduled_at END, updated_at DESC, id DESC
             LIMIT $4 OFFSET $5")))
            .bind(account.get()).bind(site.get()).bind(status.map(|s| s.as_str()))
            .bind(i64::from(limit)).bind(offset as i64)
            .fetch_all(p).await)?;
        rows.into_iter().map(Publication::try_from).collect()
    }

    /// Pending, not held, due by `now`, across accounts (the scheduler's read), oldest slot
    /// first, at most `limit`.
    pub async fn due_publications(
        &self,
        now: TimestampMs,
        limit: u32,
    ) -> Result<Vec<DuePublication>> {
        let rows: Vec<(i64, i64, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT account_id, id, scheduled_at FROM publications
             WHERE status = 'pending' AND held = $1 AND scheduled_at <= $2
             ORDER BY scheduled_at, id LIMIT $3")
            .bind(false).bind(now).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(a, id, at)| DuePublication {
                account: AccountId::new(a),
                id: PublicationId::new(id),
                scheduled_at: at,
            })
            .collect())
    }

    /// Records the post-publish check of the live URL.
    pub async fn record_live_check(
        &self,
        account: AccountId,
        id: PublicationId,
        check: &serde_json::Value,
    ) -> Result<()> {
        on_db!(self, p => sqlx::query(
            "UPDATE publications SET live_check = $1, updated_at = $2 WHERE account_id = $3 AND id = $4")
            .bind(check.to_string()).bind(now_ms()).bind(account.get()).bind(id.get())
            .execute(p).await.map(|_| ()))?;
        Ok(())
    }
}
