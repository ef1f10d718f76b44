//! The long-running and setup commands: `pressroom serve`, `pressroom worker`, `pressroom migrate`.

use crate::config::{Config, pipeline};
use crate::exit::Exit;
use crate::output::{Out, note};
use anyhow::Context;
use pressroom_queue::{WorkerConfig, shutdown_on_signal};
use pressroom_store::{Db, redact};
use serde_json::json;

/// The web UI, the REST API and an embedded worker in one process, until Ctrl-C or SIGTERM.
pub(super) async fn serve(
    config: &Config,
    addr: &str,
    image_concurrency: usize,
    web: pressroom_web::WebConfig,
) -> anyhow::Result<()> {
    let (p, account) = pipeline(config).await?;
    if p.db().users(account).await?.is_empty() {
        note!(
            "no users in the local account yet: create the first owner with\n  pressroom users create --email you@example.com"
        );
    }
    pressroom_web::serve_with(p, addr, image_concurrency, web, shutdown_on_signal(), |bound| {
        eprintln!("Pressroom is serving on http://{bound} (web UI, /api/v1, embedded worker); stop with Ctrl-C");
    })
    .await?;
    eprintln!("stopped");
    Ok(())
}

/// A standalone worker until Ctrl-C or SIGTERM.
pub(super) async fn worker(
    config: &Config,
    out: &Out,
    image_concurrency: usize,
) -> anyhow::Result<Exit> {
    let (p, _) = pipeline(config).await?;
    note!(
        "worker started ({}); stop with Ctrl-C",
        p.db().engine().as_str()
    );
    // Catches up a slot missed while no process ran (deduplicated across processes).
    pressroom_pipeline::scheduler::start(&p).await?;
    let metrics =
        pressroom_pipeline::workers::worker(&p, image_concurrency, WorkerConfig::default())
            .run(shutdown_on_signal())
            .await?;
    out.emit(
        || format!("worker stopped: {metrics:?}"),
        json!({"stopped": true}),
    );
    Ok(Exit::Ok)
}

pub(super) async fn migrate(config: &Config, out: &Out) -> anyhow::Result<Exit> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("opening database {}", redact(&config.database_url)))?;
    db.migrate().await?;
    out.emit(
        || {
            format!(
                "migrations applied ({}: {})",
                db.engine().as_str(),
                redact(&config.database_url)
            )
        },
        json!({"engine": db.engine().as_str(), "migrated": true}),
    );
    Ok(Exit::Ok)
}
