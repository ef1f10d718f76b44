//! Automation runs (SPEC section 3). A run is driven by a durable job on the `runs` queue: the
//! driver walks the stages from the run's saved stage, checks for pause and cancel between
//! items, and records a RunEvent for every change. If its process dies the job's lease expires
//! and another worker resumes the run from the saved stage; stage inputs are chosen by status
//! and paged in id order after a cursor, so nothing done is done again and nothing waiting is
//! left behind, and charges are idempotent, so nothing is charged twice.
//!
//! - `control`: start, pause, resume, cancel, fail.
//! - `estimate`: the credits a run will need, from counts of what waits at each stage.
//! - `driver`: the job handler and the walk through the stages.
//! - `progress`: the record each stage writes after every item (the item boundary).
//! - `stages`: what each stage does; the text stages share `window`, the item window.
//! - `stage6`: queueing the site's pending images and waiting on their counts.

mod control;
mod driver;
mod estimate;
mod progress;
mod stage6;
mod stages;
mod window;

pub use control::{cancel_run, driven_by, pause_run, resume_run, start_run};
pub use driver::{drive, run_driver_job};
pub use estimate::{Estimate, estimate, estimate_line};

use pressroom_domain::{AccountId, RunId};
use serde::{Deserialize, Serialize};

pub const RUN_JOB: &str = "automation.run";
pub const RUNS_QUEUE: &str = "runs";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunJob {
    pub account: AccountId,
    pub run: RunId,
}
