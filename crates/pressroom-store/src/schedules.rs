//! Scheduled automation: each site's next due slot (`sites.next_slot_at`) and one row per slot
//! a scheduler claimed (`schedule_slots`), with what came of it.
//!
//! A slot is claimed by moving `next_slot_at` forward with a compare-and-set and inserting its
//! row in the same transaction: of any number of processes reading the same due site, exactly
//! one sees its update change a row, and the row's UNIQUE(site_id, slot_at) backs that up.

use crate::{Db, Result, Tx, now_ms, on_conn, on_db};
use pressroom_domain::{AccountId, RunId, ScheduleSlotId, SiteId, TimestampMs};
use serde::Serialize;

/// A site whose next slot is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueSite {
    pub account: AccountId,
    pub site: SiteId,
    pub slot_at: TimestampMs,
}

/// What came of a claimed slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotOutcome {
    /// Claimed, the run not yet asked for (a process that died here leaves it so).
    Claimed,
    Started,
    /// The site had a run already.
    Skipped,
    /// The run was refused (budget, balance, cap).
    Refused,
}

impl SlotOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotOutcome::Claimed => "claimed",
            SlotOutcome::Started => "started",
            SlotOutcome::Skipped => "skipped",
            SlotOutcome::Refused => "refused",
        }
    }

    fn parse(s: &str) -> SlotOutcome {
        match s {
            "started" => SlotOutcome::Started,
            "skipped" => SlotOutcome::Skipped,
            "refused" => SlotOutcome::Refused,
            _ => SlotOutcome::Claimed,
        }
    }
}

/// One claimed slot of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleSlot {
    pub id: ScheduleSlotId,
    pub site_id: SiteId,
    pub slot_at: TimestampMs,
    pub outcome: SlotOutcome,
    pub run_id: Option<RunId>,
    pub detail: Option<String>,
    pub created_at: TimestampMs,
}

/// A site's next due slot, read and written the same way by the pool and inside a transaction.
const NEXT_SLOT_SQL: &str = "SELECT next_slot_at FROM sites WHERE account_id = $1 AND id = $2";
const SET_NEXT_SLOT_SQL: &str =
    "UPDATE sites SET next_slot_at = $1 WHERE account_id = $2 AND id = $3";

type SlotRow = (i64, i64, i64, String, Option<i64>, Option<String>, i64);

impl From<SlotRow> for ScheduleSlot {
    fn from(r: SlotRow) -> Self {
        ScheduleSlot {
            id: ScheduleSlotId::new(r.0),
            site_id: SiteId::new(r.1),
            slot_at: r.2,
            outcome: SlotOutcome::parse(&r.3),
            run_id: r.4.map(RunId::new),
            detail: r.5,
            created_at: r.6,
        }
    }
}

impl Db {
    /// Sets when `site`'s next slot is due; `None` turns its schedule off.
    pub async fn set_next_slot(
        &self,
        account: AccountId,
        site: SiteId,
        at: Option<TimestampMs>,
    ) -> Result<()> {
        on_db!(self, p => sqlx::query(SET_NEXT_SLOT_SQL)
            .bind(at).bind(account.get()).bind(site.get()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn next_slot_at(
        &self,
        account: AccountId,
        site: SiteId,
    ) -> Result<Option<TimestampMs>> {
        let at: Option<Option<i64>> = on_db!(self, p => sqlx::query_scalar(NEXT_SLOT_SQL)
            .bind(account.get()).bind(site.get()).fetch_optional(p).await)?;
        Ok(at.flatten())
    }

    /// Sites of every active account whose next slot is due at `now`, oldest first, through
    /// the `sites_by_next_slot` index (a suspended account's schedules wait). The one read not scoped by account: the scheduler acts for
    /// all of them, as the queue's claim does; every write after it names the account.
    pub async fn due_sites(&self, now: TimestampMs, limit: u32) -> Result<Vec<DueSite>> {
        let rows: Vec<(i64, i64, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT account_id, id, next_slot_at FROM sites
             WHERE next_slot_at IS NOT NULL AND next_slot_at <= $1 AND status = 'active'
               AND account_id IN (SELECT id FROM accounts WHERE status = 'active')
             ORDER BY next_slot_at, id LIMIT $2")
            .bind(now).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(a, s, at)| DueSite {
                account: AccountId::new(a),
                site: SiteId::new(s),
                slot_at: at,
            })
            .collect())
    }

    /// Claims a due slot: moves the site's next slot from `due.slot_at` to `next` and records
    /// the slot run (`slot_at`: the latest one due, when several were missed), in one
    /// transaction. `None` when another process claimed it first: the site's next slot is no
    /// longer `due.slot_at`. A slot row that already exists keeps the move (that slot ran) and
    /// is not claimed again.
    pub async fn claim_slot(
        &self,
        due: DueSite,
        slot_at: TimestampMs,
        next: Option<TimestampMs>,
    ) -> Result<Option<ScheduleSlotId>> {
        let mut tx = self.begin().await?;
        let t = &mut tx;
        let moved = on_conn!(t, c => sqlx::query(
            "UPDATE sites SET next_slot_at = $1 WHERE account_id = $2 AND id = $3 AND next_slot_at = $4")
            .bind(next).bind(due.account.get()).bind(due.site.get()).bind(due.slot_at)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if moved != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let id: Option<i64> = on_conn!(t, c => sqlx::query_scalar(
            "INSERT INTO schedule_slots (account_id, site_id, slot_at, outcome, created_at)
             VALUES ($1, $2, $3, 'claimed', $4) ON CONFLICT (site_id, slot_at) DO NOTHING RETURNING id")
            .bind(due.account.get()).bind(due.site.get()).bind(slot_at).bind(now_ms())
            .fetch_optional(c).await)?;
        tx.commit().await?;
        Ok(id.map(ScheduleSlotId::new))
    }

    /// Records what came of a claimed slot.
    pub async fn finish_slot(
        &self,
        account: AccountId,
        slot: ScheduleSlotId,
        outcome: SlotOutcome,
        run: Option<RunId>,
        detail: Option<&str>,
    ) -> Result<()> {
        on_db!(self, p => sqlx::query(
            "UPDATE schedule_slots SET outcome = $1, run_id = $2, detail = $3 WHERE account_id = $4 AND id = $5")
            .bind(outcome.as_str()).bind(run.map(|r| r.get())).bind(detail)
            .bind(account.get()).bind(slot.get()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// `site`'s latest claimed slots, newest first.
    pub async fn schedule_slots(
        &self,
        account: AccountId,
        site: SiteId,
        limit: u32,
    ) -> Result<Vec<ScheduleSlot>> {
        let rows: Vec<SlotRow> = on_db!(self, p => sqlx::query_as(
            "SELECT id, site_id, slot_at, outcome, run_id, detail, created_at FROM schedule_slots
             WHERE account_id = $1 AND site_id = $2 ORDER BY slot_at DESC LIMIT $3")
            .bind(account.get()).bind(site.get()).bind(i64::from(limit)).fetch_all(p).await)?;
        Ok(rows.into_iter().map(ScheduleSlot::from).collect())
    }
}

impl Tx {
    /// [`Db::next_slot_at`] inside a transaction (the settings write's, under its row lock).
    pub async fn next_slot_at(
        &mut self,
        account: AccountId,
        site: SiteId,
    ) -> Result<Option<TimestampMs>> {
        let at: Option<Option<i64>> = on_conn!(self, c => sqlx::query_scalar(NEXT_SLOT_SQL)
            .bind(account.get()).bind(site.get()).fetch_optional(c).await)?;
        Ok(at.flatten())
    }

    /// [`Db::set_next_slot`] inside a transaction.
    pub async fn set_next_slot(
        &mut self,
        account: AccountId,
        site: SiteId,
        at: Option<TimestampMs>,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(SET_NEXT_SLOT_SQL)
            .bind(at).bind(account.get()).bind(site.get()).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}
