//! Automation runs, their events, and AI usage records.

use crate::rows::*;
use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

const RUN_COLS: &str = "id, account_id, site_id, trigger, status, current_stage, stage_results, credits_used, error, created_at, started_at, finished_at, providers, scope";

/// An AI call to record (successful or not).
#[derive(Debug, Clone)]
pub struct NewUsage {
    pub site: Option<SiteId>,
    pub function: AiFunction,
    pub provider: String,
    pub model: String,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub images: i64,
    pub cost: UsdMicros,
    pub credits: Credits,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub subject: Option<Subject>,
    pub run: Option<RunId>,
}

/// Usage totals by a grouping key (a day, a function, a provider).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsageSummary {
    pub key: String,
    pub calls: i64,
    pub failures: i64,
    pub tokens: i64,
    pub images: i64,
    pub cost: UsdMicros,
    pub credits: Credits,
}

fn subject_parts(s: &Subject) -> (&'static str, i64) {
    match s {
        Subject::Keyword(i) => ("keyword", i.get()),
        Subject::Cluster(i) => ("cluster", i.get()),
        Subject::Idea(i) => ("idea", i.get()),
        Subject::Task(i) => ("task", i.get()),
        Subject::Content(i) => ("content", i.get()),
        Subject::Image(i) => ("image", i.get()),
    }
}

impl Db {
    /// Creates a queued run for `site`. The database allows one active run per site: a second
    /// one is refused with `AlreadyExists` naming the site.
    pub async fn create_run(
        &self,
        account: AccountId,
        site: SiteId,
        trigger: RunTrigger,
        scope: &RunScope,
    ) -> Result<AutomationRun> {
        self.site(account, site).await?;
        let stages = vec![StageResult::default(); Stage::ALL.len()];
        let scope = (scope != &RunScope::default()).then(|| to_json(scope));
        let id: std::result::Result<i64, sqlx::Error> = on_db!(self, p => sqlx::query_scalar(
            "INSERT INTO automation_runs (account_id, site_id, trigger, status, current_stage, stage_results, credits_used, created_at, scope)
             VALUES ($1, $2, $3, 'queued', 1, $4, 0, $5, $6) RETURNING id")
            .bind(account.get()).bind(site.get()).bind(trigger.as_str()).bind(to_json(&stages)).bind(now_ms()).bind(scope)
            .fetch_one(p).await);
        match id.map_err(StoreError::from) {
            Ok(id) => self.run(account, RunId::new(id)).await,
            Err(e) if e.is_unique_violation() => Err(StoreError::AlreadyExists {
                entity: "active automation run for site",
                name: site.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    pub async fn run(&self, account: AccountId, id: RunId) -> Result<AutomationRun> {
        let row: Option<RunRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {RUN_COLS} FROM automation_runs WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(id.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("automation run", id))?
            .try_into()
    }

    /// The site's queued, running or paused run, if any.
    pub async fn active_run(
        &self,
        account: AccountId,
        site: SiteId,
    ) -> Result<Option<AutomationRun>> {
        let row: Option<RunRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {RUN_COLS} FROM automation_runs WHERE account_id = $1 AND site_id = $2 AND status IN ('queued', 'running', 'paused')")))
            .bind(account.get()).bind(site.get()).fetch_optional(p).await)?;
        row.map(AutomationRun::try_from).transpose()
    }

    pub async fn runs(
        &self,
        account: AccountId,
        site: Option<SiteId>,
        limit: u32,
    ) -> Result<Vec<AutomationRun>> {
        let rows: Vec<RunRow> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {RUN_COLS} FROM automation_runs WHERE account_id = $1 AND ($2 IS NULL OR site_id = $2) ORDER BY id DESC LIMIT $3")))
            .bind(account.get()).bind(site.map(|s| s.get())).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter().map(AutomationRun::try_from).collect()
    }

    /// The run's newest event, so a watcher joining a run late starts from now instead of
    /// replaying its whole log.
    pub async fn last_run_event(
        &self,
        account: AccountId,
        run: RunId,
    ) -> Result<Option<RunEventId>> {
        let id: Option<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT MAX(id) FROM run_events WHERE account_id = $1 AND run_id = $2")
            .bind(account.get()).bind(run.get()).fetch_one(p).await)?;
        Ok(id.map(RunEventId::new))
    }

    /// Events of a run after `after` (exclusive), oldest first.
    pub async fn run_events(
        &self,
        account: AccountId,
        run: RunId,
        after: Option<RunEventId>,
        limit: u32,
    ) -> Result<Vec<RunEvent>> {
        let rows: Vec<RunEventRow> = on_db!(self, p => sqlx::query_as(
            "SELECT id, run_id, stage, level, message, fields, created_at FROM run_events
             WHERE account_id = $1 AND run_id = $2 AND id > $3 ORDER BY id LIMIT $4")
            .bind(account.get()).bind(run.get()).bind(after.map(|e| e.get()).unwrap_or(0)).bind(i64::from(limit))
            .fetch_all(p).await)?;
        rows.into_iter().map(RunEvent::try_from).collect()
    }

    /// Appends an event outside any other transaction.
    pub async fn add_run_event(
        &self,
        account: AccountId,
        run: RunId,
        stage: Option<Stage>,
        level: EventLevel,
        message: &str,
        fields: serde_json::Value,
    ) -> Result<RunEventId> {
        let mut tx = self.begin().await?;
        let id = tx
            .add_run_event(account, run, stage, level, message, fields)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn usage_rows(
        &self,
        account: AccountId,
        limit: u32,
    ) -> Result<Vec<(String, String, String, i64, i64, i64, i64, i64, bool)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT function, provider, model, tokens_in + tokens_out, images, cost_micros, credits, latency_ms, success
             FROM ai_usage WHERE account_id = $1 ORDER BY id DESC LIMIT $2")
            .bind(account.get()).bind(i64::from(limit)).fetch_all(p).await)?)
    }

    /// Usage totals grouped by `function`, `provider`, or `day` (UTC).
    pub async fn usage_summary(
        &self,
        account: AccountId,
        group_by: &str,
    ) -> Result<Vec<UsageSummary>> {
        let key = match group_by {
            "function" => "function",
            "provider" => "provider",
            // Day number since the epoch: both engines agree on integer division.
            "day" => "CAST(created_at / 86400000 AS TEXT)",
            other => {
                return Err(DomainError::InvalidValue {
                    field: "group_by",
                    value: other.to_string(),
                }
                .into());
            }
        };
        let rows: Vec<(String, i64, i64, i64, i64, i64, i64)> = on_db!(self, p => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {key}, COUNT(*), CAST(SUM(CASE WHEN success THEN 0 ELSE 1 END) AS BIGINT),
                    CAST(SUM(tokens_in + tokens_out) AS BIGINT), CAST(SUM(images) AS BIGINT),
                    CAST(SUM(cost_micros) AS BIGINT), CAST(SUM(credits) AS BIGINT)
             FROM ai_usage WHERE account_id = $1 GROUP BY {key} ORDER BY 1")))
            .bind(account.get()).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(key, calls, failures, tokens, images, cost, credits)| UsageSummary {
                    key,
                    calls,
                    failures,
                    tokens,
                    images,
                    cost: UsdMicros(cost),
                    credits: Credits(credits),
                },
            )
            .collect())
    }
}

impl Tx {
    /// Reads the run and, on PostgreSQL, locks its row until the transaction ends, so control
    /// writes (pause, resume, cancel) and the work that depends on the run's status (queueing
    /// or holding its image jobs) happen one after the other. SQLite's `BEGIN IMMEDIATE`
    /// already serialises every writer. `NO KEY UPDATE`, not `UPDATE`: it does not wait on the
    /// key-share locks that image jobs take when they insert the run's events.
    pub async fn run_for_update(&mut self, account: AccountId, id: RunId) -> Result<AutomationRun> {
        let lock = match self.engine() {
            crate::Engine::Postgres => " FOR NO KEY UPDATE",
            crate::Engine::Sqlite => "",
        };
        let row: Option<RunRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {RUN_COLS} FROM automation_runs WHERE account_id = $1 AND id = $2{lock}")))
            .bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("automation run", id))?
            .try_into()
    }

    /// Saves the driver's progress: stage, per-stage results, credits. Never the status,
    /// `error` or the start and finish times, which control writes own, so a driver holding a
    /// stale copy of the run cannot undo a pause, a cancel or a finish.
    pub async fn save_run_progress(&mut self, run: &AutomationRun) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "UPDATE automation_runs SET current_stage = $1, stage_results = $2, credits_used = $3
             WHERE account_id = $4 AND id = $5")
            .bind(i64::from(run.current_stage.number())).bind(to_json(&run.stage_results)).bind(run.credits_used.0)
            .bind(run.account_id.get()).bind(run.id.get())
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Records that a driver started (or took over) the run with these providers; the first
    /// start time is kept.
    pub async fn mark_run_started(
        &mut self,
        account: AccountId,
        run: RunId,
        providers: &RunProviders,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "UPDATE automation_runs SET started_at = COALESCE(started_at, $1), providers = $2
             WHERE account_id = $3 AND id = $4")
            .bind(now_ms()).bind(to_json(providers)).bind(account.get()).bind(run.get())
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Records the end of a run: its finish time and, for a failed run, why.
    pub async fn mark_run_finished(
        &mut self,
        account: AccountId,
        run: RunId,
        error: Option<&str>,
    ) -> Result<()> {
        on_conn!(self, c => sqlx::query(
            "UPDATE automation_runs SET finished_at = $1, error = COALESCE($2, error)
             WHERE account_id = $3 AND id = $4")
            .bind(now_ms()).bind(error).bind(account.get()).bind(run.get())
            .execute(c).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn add_run_event(
        &mut self,
        account: AccountId,
        run: RunId,
        stage: Option<Stage>,
        level: EventLevel,
        message: &str,
        fields: serde_json::Value,
    ) -> Result<RunEventId> {
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO run_events (account_id, run_id, stage, level, message, fields, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(account.get()).bind(run.get()).bind(stage.map(|s| i64::from(s.number()))).bind(level.as_str())
            .bind(message).bind(fields.to_string()).bind(now_ms()).fetch_one(c).await)?;
        Ok(RunEventId::new(id))
    }

    pub async fn insert_usage(&mut self, account: AccountId, u: &NewUsage) -> Result<UsageId> {
        let now = now_ms();
        let (entity, subject_id) = match &u.subject {
            Some(s) => {
                let (e, i) = subject_parts(s);
                (Some(e), Some(i))
            }
            None => (None, None),
        };
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO ai_usage (account_id, site_id, function, provider, model, tokens_in, tokens_out, images, cost_micros, credits, latency_ms, success, error, subject_entity, subject_id, run_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id")
            .bind(account.get()).bind(u.site.map(|s| s.get())).bind(u.function.as_str()).bind(&u.provider).bind(&u.model)
            .bind(u.tokens_in).bind(u.tokens_out).bind(u.images).bind(u.cost.0).bind(u.credits.0).bind(u.latency_ms)
            .bind(u.error.is_none()).bind(&u.error).bind(entity).bind(subject_id).bind(u.run.map(|r| r.get())).bind(now)
            .fetch_one(c).await)?;
        if let Some(site) = u.site
            && u.credits.0 != 0
        {
            self.add_site_spend(account, site, now, u.credits).await?;
        }
        Ok(UsageId::new(id))
    }
}

impl Db {
    /// Credits charged for `function` calls made by `run`.
    pub async fn run_credits(
        &self,
        account: AccountId,
        run: RunId,
        function: AiFunction,
    ) -> Result<Credits> {
        let n: i64 = on_db!(self, p => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM ai_usage WHERE account_id = $1 AND run_id = $2 AND function = $3")
            .bind(account.get()).bind(run.get()).bind(function.as_str()).fetch_one(p).await)?;
        Ok(Credits(n))
    }
}
