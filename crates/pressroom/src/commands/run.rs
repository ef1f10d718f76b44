//! `pressroom run`: import, then the whole pipeline with embedded workers, then a summary; and
//! the following and summarising that `pressroom runs` shares.

use super::keywords::{import_exit, import_file, import_problems, print_row_errors};
use crate::config::{Config, find_site, pipeline, work_until};
use crate::exit::Exit;
use crate::output::{Out, note, outcome_error};
use crate::progress::{RunWatch, watch_run};
use anyhow::bail;
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::import::ImportReport;
use pressroom_pipeline::runs;
use pressroom_queue::shutdown_on_signal;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

/// The main job: import, then run stages 1-7 with embedded workers, then summarise.
pub(super) async fn run(
    config: &Config,
    out: &Out,
    file: &Path,
    site: &str,
    scope: &RunScope,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let report = import_file(p.db(), account, &site, file).await?;
    print_row_errors(out, &report);
    if !out.json {
        note!(
            "imported {}: {} new keywords, {} merged, {} bad rows skipped, {} kept with a metric left empty",
            file.display(),
            report.inserted,
            report.merged,
            report.skipped,
            report.incomplete
        );
    }
    // A run another live process drives is watched, read-only; one left active by a killed
    // process is resumed here, not duplicated.
    let run = match p.db().active_run(account, site.id).await? {
        Some(active) => {
            if let Some(owner) = runs::driven_by(&p, active.id).await? {
                note!(
                    "run {} on site {:?} is being worked by another process ({owner}); watching it read-only from now on (Ctrl-C stops watching, not the run)",
                    active.id,
                    site.name
                );
                if !watch_only(&p, account, active.id, out.json).await? {
                    return summarise(&p, account, &site, active.id, out, Some(&report)).await;
                }
                note!(
                    "the process driving run {} stopped; resuming it here",
                    active.id
                );
            }
            if !out.json {
                note!("resuming run {} ({})", active.id, active.status);
            }
            runs::resume_run(&p, account, active.id).await?
        }
        None => {
            let (run, est) = runs::start_run(&p, account, site.id, RunTrigger::Cli, scope).await?;
            if !out.json {
                note!(
                    "run {}: {}",
                    run.id,
                    pressroom_pipeline::runs::estimate_line(&est)
                );
            }
            run
        }
    };
    drive_to_end(&p, account, run.id, out.json).await?;
    summarise(&p, account, &site, run.id, out, Some(&report)).await
}

/// Follows a run another process drives, from its newest event, until it stops or pauses,
/// or until no live process drives it any more (its driver's lease lapsed: the process died);
/// starts no worker. Returns true in that last case.
pub(super) async fn watch_only(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    quiet: bool,
) -> anyhow::Result<bool> {
    let watch = RunWatch::after(quiet, p.db().last_run_event(account, run).await?);
    let signal = shutdown_on_signal();
    let orphaned = loop {
        let status = watch_run(p, account, run, &watch).await?;
        if !status.is_active() || status == RunStatus::Paused {
            break false;
        }
        if runs::driven_by(p, run).await?.is_none() {
            break true;
        }
        if signal.is_cancelled() {
            bail!("stopped watching; run {run} goes on in the process that drives it");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    watch.finish();
    Ok(orphaned)
}

/// Works the run here until it stops or pauses, showing its events from the newest one on
/// (a resumed run's earlier log is not replayed).
pub(super) async fn drive_to_end(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    quiet: bool,
) -> anyhow::Result<()> {
    let watch = RunWatch::after(quiet, p.db().last_run_event(account, run).await?);
    let watch_ref = &watch;
    work_until(p, || {
        let p = p.clone();
        async move {
            let status = watch_run(&p, account, run, watch_ref).await?;
            Ok(!status.is_active() || status == RunStatus::Paused)
        }
    })
    .await?;
    watch.finish();
    Ok(())
}

pub(super) async fn summarise(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    run: RunId,
    out: &Out,
    import: Option<&ImportReport>,
) -> anyhow::Result<Exit> {
    let run = p.db().run(account, run).await?;
    let failed_items = run.failed_items();
    let exit = crate::exit::run_exit(&run).worst(import.map(import_exit).unwrap_or(Exit::Ok));
    let error = match exit {
        Exit::Error => {
            json!({"code": "run_failed", "message": format!("run {} failed: {}", run.id, run.error.as_deref().unwrap_or(""))})
        }
        _ => outcome_error(exit, || {
            let mut m = format!("{failed_items} items failed in the run");
            if let Some(r) = import.filter(|r| import_exit(r) != Exit::Ok) {
                m.push_str(&format!("; import: {}", import_problems(r)));
            }
            m
        }),
    };
    let counts = p.db().pipeline_counts(account, site.id).await?;
    // What the run used, recorded by its driver (which may be another process with other keys);
    // "not started" before a driver first took it.
    let not_started = || "not started".to_string();
    let (text, text_model, image, image_model) = match run.providers.clone() {
        Some(u) => (
            u.text_provider,
            u.text_model,
            u.image_provider,
            u.image_model,
        ),
        None => (not_started(), not_started(), not_started(), not_started()),
    };
    let stages: Vec<serde_json::Value> = Stage::ALL
        .iter()
        .zip(&run.stage_results)
        .map(|(s, r)| json!({"stage": s.number(), "name": s.name(), "processed": r.processed, "created": r.created, "failed": r.failed, "skipped": r.skipped, "credits": r.credits, "elapsed_ms": r.elapsed_ms, "intents": r.intents}))
        .collect();
    let intents = run.stage_results.get(1).map_or(0, |r| r.intents);
    let value = json!({
        "run_id": run.id,
        "status": run.status.as_str(),
        "search_intents": intents,
        "stages": stages,
        "credits_used": run.credits_used,
        "counts": {
            "keywords": counts.keywords, "clusters": counts.clusters, "ideas": counts.ideas, "tasks": counts.tasks,
            "content": counts.content, "content_in_review": counts.content_review, "images_generated": counts.images_generated,
            "images_failed": counts.images_failed,
        },
        "providers": {"text": text, "text_model": text_model, "image": image, "image_model": image_model},
        "import": import,
        "error": error,
        "data_dir": p.data_dir(),
    });
    out.emit(
        || {
            let mut s = format!("\nRun {} on site {:?}: {}   (text: {text} {text_model}, images: {image} {image_model})\n", run.id, site.name, run.status.as_str().replace('_', " "));
            s.push_str(&format!("{:<2} {:<26} {:>9} {:>8} {:>7} {:>8} {:>8} {:>8}\n", "#", "stage", "processed", "created", "failed", "skipped", "credits", "ms"));
            for (st, r) in Stage::ALL.iter().zip(&run.stage_results) {
                s.push_str(&format!("{:<2} {:<26} {:>9} {:>8} {:>7} {:>8} {:>8} {:>8}\n", st.number(), st.name(), r.processed, r.created, r.failed, r.skipped, r.credits.0, r.elapsed_ms));
            }
            s.push_str(&format!(
                "\n{intents} search intents found, one idea planned for each at most.",
            ));
            s.push_str(&format!(
                "\n{} keywords, {} clusters, {} ideas, {} articles ({} awaiting review), {} images generated, {} failed; {} credits used.\nImages are in {}.",
                counts.keywords, counts.clusters, counts.ideas, counts.content, counts.content_review, counts.images_generated, counts.images_failed, run.credits_used, p.media().root().display()
            ));
            s
        },
        value,
    );
    if !out.json && exit != Exit::Ok {
        note!(
            "{}: {}",
            if exit == Exit::Error {
                "error"
            } else {
                "warning"
            },
            error["message"].as_str().unwrap_or("")
        );
    }
    Ok(exit)
}
