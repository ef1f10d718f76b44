//! A whole automation run (stages 1-7) over the OpenAI protocol against the mock server: a
//! keyword file in, every stage's time out, next to what its provider calls alone would take
//! at the configured latency and concurrency. Text stages 2, 4 and 5 work on as many items at
//! once as the chat limiter allows; `--text-in-flight 1` shows the one-at-a-time baseline.

use anyhow::Context;
use clap::Args;
use pressroom_domain::*;
use pressroom_mock_ai::{ImageMode, MockConfig};
use pressroom_pipeline::{import::import_keywords, runs, workers};
use pressroom_providers::{DownloadConfig, LimitConfig};
use pressroom_queue::{CancellationToken, WorkerConfig};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Keyword file to import and run.
    #[arg(long, default_value = "examples/keywords.csv")]
    keywords: PathBuf,
    /// Mock latency on every API answer (chat completions and image generations).
    #[arg(long, default_value_t = 300)]
    latency_ms: u64,
    /// Chat calls in flight at once (the openai-chat limiter).
    #[arg(long, default_value_t = 8)]
    text_in_flight: usize,
    /// Image generations in flight at once (the openai-images limiter).
    #[arg(long, default_value_t = 16)]
    image_in_flight: usize,
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    engine: String,
    /// PostgreSQL URL (default: PRESSROOM_TEST_POSTGRES_URL); a fresh schema is used.
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.text_in_flight > 0 && args.image_in_flight > 0,
        "--text-in-flight and --image-in-flight must be positive"
    );
    let file = std::fs::File::open(&args.keywords)
        .with_context(|| format!("cannot open {}", args.keywords.display()))?;
    // `_dir` is bound, not dropped: it holds the database and media files.
    let crate::mock_pipeline::MockPipeline {
        p,
        db,
        limits,
        mock,
        dir: _dir,
    } = crate::mock_pipeline::start(
        MockConfig {
            latency: Duration::from_millis(args.latency_ms),
            image_mode: ImageMode::B64,
            ..Default::default()
        },
        &args.engine,
        args.database_url.clone(),
        DownloadConfig::default(),
    )
    .await?;
    let (account, mut site) = db.local_default().await?;
    // The stages' batch sizes as large as the limit, so the limiter is what is measured.
    let batch = u32::try_from(args.text_in_flight).unwrap_or(u32::MAX);
    let b = &mut site.settings.batch_sizes;
    (b.clusters, b.tasks, b.content) = (batch, batch, batch);
    let site = db
        .update_site_settings(account.id, site.id, &site.settings)
        .await?;
    limits.set(
        "openai-chat",
        account.id.get(),
        LimitConfig::new(None, args.text_in_flight),
    );
    limits.set(
        "openai-images",
        account.id.get(),
        LimitConfig::new(None, args.image_in_flight),
    );
    let imported = import_keywords(&db, account.id, site.id, "bench", file).await?;

    let stop = CancellationToken::new();
    let worker = tokio::spawn(
        workers::worker(
            &p,
            workers::image_slots_for(args.image_in_flight),
            WorkerConfig {
                poll_interval: Duration::from_millis(50),
                ..WorkerConfig::default()
            },
        )
        .run(stop.clone()),
    );
    let started = Instant::now();
    let (run, _) = runs::start_run(&p, account.id, site.id, RunTrigger::Cli).await?;
    let run = loop {
        let now = db.run(account.id, run.id).await?;
        if !now.status.is_active() {
            break now;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(3600),
            "the run did not finish in an hour"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let makespan_ms = started.elapsed().as_secs_f64() * 1000.0;
    stop.cancel();
    worker.await.context("worker")??;
    anyhow::ensure!(
        run.status != RunStatus::Failed,
        "the run failed: {:?}",
        run.error
    );

    let stats = mock.stats();
    let stat = |endpoint: &str| stats.get(endpoint).cloned().unwrap_or_default();
    let (chat, images) = (stat("chat_completions"), stat("images_generations"));
    let l = args.latency_ms as f64;
    // A stage whose items each make one call, C at a time, cannot beat ceil(items / C) * L.
    let bound = |items: i64, c: usize| (items as f64 / c as f64).ceil() * l;
    let stages: Vec<_> = run
        .stage_results
        .iter()
        .zip(Stage::ALL)
        .map(|(r, stage)| {
            let bound_ms = match stage {
                Stage::ClustersToIdeas | Stage::TasksToContent | Stage::ContentToImagePrompts => {
                    Some(bound(r.processed, args.text_in_flight))
                }
                Stage::ImagePromptsToImages => Some(bound(r.processed, args.image_in_flight)),
                _ => None,
            };
            serde_json::json!({
                "stage": stage.number(), "name": stage.name(), "processed": r.processed,
                "created": r.created, "failed": r.failed, "elapsed_ms": r.elapsed_ms,
                "bound_ms": bound_ms,
                "ratio": bound_ms.filter(|b| *b > 0.0).map(|b| ((r.elapsed_ms as f64 / b) * 1000.0).round() / 1000.0),
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "engine": args.engine, "latency_ms": args.latency_ms,
            "text_in_flight": args.text_in_flight, "image_in_flight": args.image_in_flight,
            "keywords": imported.inserted, "status": run.status.as_str(),
            "makespan_ms": (makespan_ms * 10.0).round() / 10.0,
            "text_calls": chat.requests, "text_max_in_flight": chat.max_in_flight,
            "image_calls": images.requests, "image_max_in_flight": images.max_in_flight,
            "provider_calls_one_at_a_time_ms": (chat.requests + images.requests) as f64 * l,
            "credits_used": run.credits_used.0,
            "stages": stages,
        })
    );
    Ok(())
}
