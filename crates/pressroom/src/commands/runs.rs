//! `pressroom runs start|status|watch|pause|cancel|resume`.

use super::run::{drive_to_end, summarise, watch_only};
use crate::RunsCommand;
use crate::config::{Config, find_site, pipeline};
use crate::exit::{Exit, Missing};
use crate::output::{Out, note};
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::runs;
use serde_json::json;

pub(super) async fn command(config: &Config, out: &Out, cmd: RunsCommand) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let parse = |s: &str| -> anyhow::Result<RunId> { Ok(s.parse::<RunId>()?) };
    match cmd {
        RunsCommand::Start { site, detach } => {
            let site = find_site(p.db(), account, &site).await?;
            let (run, est) =
                runs::start_run(&p, account, site.id, RunTrigger::Cli, &RunScope::default())
                    .await?;
            if detach {
                out.emit(
                    || {
                        format!(
                            "run {} queued ({})",
                            run.id,
                            pressroom_pipeline::runs::estimate_line(&est)
                        )
                    },
                    json!({"run": run, "estimate": est}),
                );
                return Ok(Exit::Ok);
            }
            if !out.json {
                note!(
                    "run {}: {}",
                    run.id,
                    pressroom_pipeline::runs::estimate_line(&est)
                );
            }
            drive_to_end(&p, account, run.id, out.json).await?;
            summarise(&p, account, &site, run.id, out, None).await
        }
        RunsCommand::Status { id } => {
            let run = match id {
                Some(id) => p.db().run(account, parse(&id)?).await?,
                None => latest_run(&p, account).await?,
            };
            let site = p.db().site(account, run.site_id).await?;
            summarise(&p, account, &site, run.id, out, None).await
        }
        RunsCommand::Watch { id } => {
            let run = match id {
                Some(id) => p.db().run(account, parse(&id)?).await?,
                None => latest_run(&p, account).await?,
            };
            let site = p.db().site(account, run.site_id).await?;
            if run.status.is_active()
                && run.status != RunStatus::Paused
                && watch_only(&p, account, run.id, out.json).await?
            {
                note!(
                    "no process drives run {} now; `pressroom runs resume {}` continues it here",
                    run.id,
                    run.id
                );
            }
            summarise(&p, account, &site, run.id, out, None).await
        }
        RunsCommand::Pause { id } => {
            let run = runs::pause_run(&p, account, parse(&id)?).await?;
            out.emit(
                || format!("run {} {}", run.id, run.status),
                json!({"run": run}),
            );
            Ok(Exit::Ok)
        }
        RunsCommand::Cancel { id } => {
            let run = runs::cancel_run(&p, account, parse(&id)?).await?;
            out.emit(
                || format!("run {} {}", run.id, run.status),
                json!({"run": run}),
            );
            Ok(Exit::Ok)
        }
        RunsCommand::Resume { id } => {
            let run = runs::resume_run(&p, account, parse(&id)?).await?;
            let site = p.db().site(account, run.site_id).await?;
            drive_to_end(&p, account, run.id, out.json).await?;
            summarise(&p, account, &site, run.id, out, None).await
        }
    }
}

async fn latest_run(p: &Pipeline, account: AccountId) -> anyhow::Result<AutomationRun> {
    Ok(p.db()
        .runs(account, None, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Missing("no runs yet".into()))?)
}
