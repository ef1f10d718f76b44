//! The progress record every stage writes after each item: the item boundary, where pause
//! and cancel take effect. The driver makes one [`StageRun`] per stage; the stages fill it.

use crate::context::{Pipeline, Result};
use pressroom_domain::*;
use serde_json::json;
use std::time::Instant;

/// Why a stage stopped early.
pub(super) enum Halt {
    Paused,
    Cancelled,
}

impl Halt {
    fn of(status: RunStatus) -> Option<Halt> {
        match status {
            RunStatus::Paused => Some(Halt::Paused),
            RunStatus::Cancelled => Some(Halt::Cancelled),
            _ => None,
        }
    }
}

/// Progress of one stage, persisted after every item.
pub(super) struct StageRun<'a> {
    pub p: &'a Pipeline,
    pub account: AccountId,
    pub site: &'a Site,
    pub run: AutomationRun,
    pub stage: Stage,
    started: Instant,
}

impl<'a> StageRun<'a> {
    /// The stage `stage` of `run` starts now; `run` is read fresh by the caller.
    pub fn new(
        p: &'a Pipeline,
        account: AccountId,
        site: &'a Site,
        mut run: AutomationRun,
        stage: Stage,
    ) -> StageRun<'a> {
        run.current_stage = stage;
        StageRun {
            p,
            account,
            site,
            run,
            stage,
            started: Instant::now(),
        }
    }

    pub fn result(&mut self) -> &mut StageResult {
        let i = usize::from(self.stage.number() - 1);
        &mut self.run.stage_results[i]
    }

    /// Records an item's outcome and reads the run's status: the item boundary. Only the
    /// progress fields are written, so a pause or cancel written meanwhile stands.
    pub async fn item(
        &mut self,
        level: EventLevel,
        message: String,
        update: impl FnOnce(&mut StageResult),
    ) -> Result<Option<Halt>> {
        update(self.result());
        let elapsed = self.started.elapsed().as_millis() as i64;
        self.result().elapsed_ms = elapsed;
        self.run.credits_used = self.run.stage_results.iter().map(|r| r.credits).sum();
        let fields = json!({"stage": self.stage.number(), "counts": self.result().clone()});
        let mut tx = self.p.db().begin().await?;
        let status = tx.run_for_update(self.account, self.run.id).await?.status;
        tx.save_run_progress(&self.run).await?;
        tx.add_run_event(
            self.account,
            self.run.id,
            Some(self.stage),
            level,
            &message,
            fields,
        )
        .await?;
        tx.commit().await?;
        tracing::debug!(
            stage = self.stage.number(),
            level = level.as_str(),
            "{message}"
        );
        Ok(Halt::of(status))
    }

    /// An event that changes no count (a stage's note), still an item boundary.
    pub async fn note(&mut self, level: EventLevel, message: String) -> Result<Option<Halt>> {
        self.item(level, message, |_| {}).await
    }

    /// The run's status now, for loops that wait rather than record.
    pub async fn halted(&self) -> Result<Option<Halt>> {
        Ok(Halt::of(
            self.p.db().run(self.account, self.run.id).await?.status,
        ))
    }

    pub fn over_credit_cap(&self) -> bool {
        self.site
            .settings
            .caps
            .credits
            .is_some_and(|cap| self.run.credits_used.0 >= cap)
    }
}
