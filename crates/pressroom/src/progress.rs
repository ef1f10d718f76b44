//! Progress from run events: one bar per stage on a terminal, plain lines otherwise. The bars
//! read the events' structured counts, never their text.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use std::io::IsTerminal;
use std::sync::Mutex;

pub struct RunWatch {
    quiet: bool,
    terminal: bool,
    state: Mutex<WatchState>,
}

struct WatchState {
    last_event: Option<RunEventId>,
    multi: MultiProgress,
    bars: Vec<Option<ProgressBar>>,
}

impl RunWatch {
    /// Shows the events after `after` (all of them when `None`).
    pub fn after(quiet: bool, after: Option<RunEventId>) -> RunWatch {
        let terminal = std::io::stderr().is_terminal();
        let multi = MultiProgress::with_draw_target(if terminal && !quiet {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        RunWatch {
            quiet,
            terminal,
            state: Mutex::new(WatchState {
                last_event: after,
                multi,
                bars: vec![None; 7],
            }),
        }
    }

    fn handle(&self, event: &RunEvent) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        st.last_event = Some(event.id);
        if self.quiet {
            return;
        }
        if !self.terminal {
            let stage = event
                .stage
                .map(|s| format!("[stage {}] ", s.number()))
                .unwrap_or_default();
            crate::output::note!("{stage}{}", event.message);
            return;
        }
        let Some(stage) = event.stage else {
            let _ = st.multi.println(&event.message);
            return;
        };
        let i = usize::from(stage.number() - 1);
        if st.bars[i].is_none() {
            let bar = st.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{prefix:<28} {spinner} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(format!("{} {}", stage.number(), stage.name()));
            st.bars[i] = Some(bar);
        }
        if let Some(bar) = &st.bars[i] {
            if let Ok(r) = serde_json::from_value::<StageResult>(event.fields["counts"].clone()) {
                bar.set_message(format!(
                    "{} processed, {} created, {} failed, {} skipped, {} credits",
                    r.processed, r.created, r.failed, r.skipped, r.credits
                ));
            }
            bar.tick();
            if event.level != EventLevel::Info {
                let _ = st.multi.println(format!("  {}", event.message));
            }
        }
    }

    pub fn finish(&self) {
        if let Ok(st) = self.state.lock() {
            for bar in st.bars.iter().flatten() {
                bar.finish();
            }
        }
    }
}

/// Shows events since the last call and returns the run's status.
pub async fn watch_run(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    watch: &RunWatch,
) -> anyhow::Result<RunStatus> {
    loop {
        let after = watch.state.lock().ok().and_then(|s| s.last_event);
        let events = p.db().run_events(account, run, after, 500).await?;
        for e in &events {
            watch.handle(e);
        }
        if events.len() < 500 {
            break;
        }
    }
    Ok(p.db().run(account, run).await?.status)
}
