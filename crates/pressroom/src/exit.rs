//! The one exit-code table of the `pressroom` command (README, "Exit codes"). Every command
//! returns an [`Exit`], or an error that [`classify`] turns into one.

use pressroom_pipeline::PipelineError;
use pressroom_pipeline::import::ImportError;
use pressroom_store::StoreError;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Ok,
    /// The command failed: bad input, a database or provider error, a run that ended `failed`.
    Error,
    /// The command line could not be parsed.
    Usage,
    /// The command finished, but some of its items failed (rows skipped, items failed in a run,
    /// ids that could not be moved).
    Failures,
    /// Something named on the command line (an id, a site, a user) does not exist.
    NotFound,
}

impl Exit {
    pub const fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Error => 1,
            Exit::Usage => 2,
            Exit::Failures => 3,
            Exit::NotFound => 4,
        }
    }

    /// The exit of a batch over ids: 4 when any id was not found, else 3 when any item failed
    /// or was refused, else 0.
    pub fn of_batch(missing: usize, failed: usize) -> Exit {
        let missing = if missing > 0 {
            Exit::NotFound
        } else {
            Exit::Ok
        };
        let failed = if failed > 0 { Exit::Failures } else { Exit::Ok };
        missing.worst(failed)
    }

    /// The outcome of a command with two parts: errors outrank missing ids, which outrank
    /// failed items (a wrong id is the first thing to fix), which outrank success.
    pub fn worst(self, other: Exit) -> Exit {
        let rank = |e: Exit| match e {
            Exit::Ok => 0,
            Exit::Failures => 1,
            Exit::NotFound => 2,
            Exit::Error => 3,
            Exit::Usage => 4,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// How a run ended: 1 when it ended `failed`, 3 when it finished (no longer active) with failed
/// items in its stage results, else 0. A run still active or paused has not finished, so its
/// failures so far do not count yet; a cancelled run exits like a finished one.
pub fn run_exit(run: &pressroom_domain::AutomationRun) -> Exit {
    if run.status == pressroom_domain::RunStatus::Failed {
        Exit::Error
    } else if run.failed_items() > 0 && !run.status.is_active() {
        Exit::Failures
    } else {
        Exit::Ok
    }
}

/// A site, user or run named on the command line that does not exist; exits 4.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Missing(pub String);

/// The exit code of an error and the stable code `--json` documents carry, the same codes the
/// REST API uses where they overlap.
pub fn classify(e: &anyhow::Error) -> (Exit, &'static str) {
    for cause in e.chain() {
        if cause.downcast_ref::<Missing>().is_some() {
            return (Exit::NotFound, "not_found");
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return store(s);
        }
        if let Some(p) = cause.downcast_ref::<PipelineError>() {
            return match p {
                PipelineError::Store(s) => store(s),
                PipelineError::Domain(d) => domain(d),
                PipelineError::Refused(_) => (Exit::Error, "refused"),
                PipelineError::OverBudget(_) => (Exit::Error, "over_budget"),
                PipelineError::Invalid(_) => (Exit::Error, "invalid_value"),
                PipelineError::Conflict(_) => (Exit::Error, "already_exists"),
                PipelineError::IllegalMove(_) => (Exit::Error, "illegal_transition"),
                PipelineError::Provider(_) => (Exit::Error, "provider_error"),
                _ => (Exit::Error, "error"),
            };
        }
        if let Some(i) = cause.downcast_ref::<ImportError>() {
            return match i {
                ImportError::Store(s) => store(s),
                ImportError::Io(_) => (Exit::Error, "io_error"),
                _ => (Exit::Error, "invalid_file"),
            };
        }
        if let Some(i) = cause.downcast_ref::<pressroom_pipeline::serp::SerpImportError>() {
            return match i {
                pressroom_pipeline::serp::SerpImportError::Store(s) => store(s),
                _ => (Exit::Error, "invalid_file"),
            };
        }
        if let Some(d) = cause.downcast_ref::<pressroom_domain::DomainError>() {
            return domain(d);
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return (Exit::Error, "io_error");
        }
    }
    (Exit::Error, "error")
}

fn store(e: &StoreError) -> (Exit, &'static str) {
    match e {
        StoreError::NotFound { .. } => (Exit::NotFound, "not_found"),
        StoreError::AlreadyExists { .. } => (Exit::Error, "already_exists"),
        StoreError::Conflict { .. } => (Exit::Error, "conflict"),
        StoreError::Domain(d) => domain(d),
        StoreError::InsufficientCredits { .. } => (Exit::Error, "insufficient_credits"),
        _ => (Exit::Error, "database_error"),
    }
}

fn domain(e: &pressroom_domain::DomainError) -> (Exit, &'static str) {
    match e {
        pressroom_domain::DomainError::IllegalTransition { .. } => {
            (Exit::Error, "illegal_transition")
        }
        _ => (Exit::Error, "invalid_value"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn errors_map_to_the_table_through_context() {
        let nf: anyhow::Error = StoreError::not_found("content", 9).into();
        assert_eq!(classify(&nf), (Exit::NotFound, "not_found"));
        let wrapped = Err::<(), _>(PipelineError::Store(StoreError::not_found("run", 1)))
            .context("resuming")
            .unwrap_err();
        assert_eq!(classify(&wrapped), (Exit::NotFound, "not_found"));
        let missing = anyhow::Error::new(Missing("no site named \"x\"".into()));
        assert_eq!(classify(&missing).0, Exit::NotFound);
        let bad: anyhow::Error = pressroom_domain::DomainError::InvalidValue {
            field: "status",
            value: "x".into(),
        }
        .into();
        assert_eq!(classify(&bad), (Exit::Error, "invalid_value"));
        let file = Err::<(), _>(ImportError::Empty)
            .context("importing x.csv")
            .unwrap_err();
        assert_eq!(classify(&file), (Exit::Error, "invalid_file"));
        assert_eq!(
            classify(&anyhow::anyhow!("something else")),
            (Exit::Error, "error")
        );
    }

    #[test]
    fn runs_exit_by_how_they_ended() {
        use pressroom_domain::*;
        let mut run = AutomationRun {
            id: RunId::new(1),
            account_id: AccountId::new(1),
            site_id: SiteId::new(1),
            trigger: RunTrigger::Cli,
            status: RunStatus::AwaitingReview,
            current_stage: Stage::ALL[6],
            stage_results: vec![StageResult::default(); 7],
            credits_used: Credits(0),
            error: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            providers: None,
            scope: RunScope::default(),
        };
        assert_eq!(run_exit(&run), Exit::Ok);
        run.stage_results[5].failed = 2;
        assert_eq!(run_exit(&run), Exit::Failures);
        run.status = RunStatus::Completed;
        assert_eq!(run_exit(&run), Exit::Failures);
        run.status = RunStatus::Running;
        assert_eq!(run_exit(&run), Exit::Ok, "not finished yet");
        run.status = RunStatus::Failed;
        assert_eq!(run_exit(&run), Exit::Error);
        run.stage_results[5].failed = 0;
        assert_eq!(run_exit(&run), Exit::Error);
    }

    #[test]
    fn worst_prefers_errors_then_missing_ids_then_failures() {
        assert_eq!(Exit::Ok.worst(Exit::Failures), Exit::Failures);
        assert_eq!(Exit::NotFound.worst(Exit::Failures), Exit::NotFound);
        assert_eq!(Exit::Failures.worst(Exit::Error), Exit::Error);
        assert_eq!(Exit::Ok.worst(Exit::Ok), Exit::Ok);
        let codes: Vec<u8> = [
            Exit::Ok,
            Exit::Error,
            Exit::Usage,
            Exit::Failures,
            Exit::NotFound,
        ]
        .iter()
        .map(|e| e.code())
        .collect();
        assert_eq!(codes, vec![0, 1, 2, 3, 4]);
    }
}
