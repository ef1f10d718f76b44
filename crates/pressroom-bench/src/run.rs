//! A whole automation run (stages 1-7), over the OpenAI protocol against the mock server or on
//! the offline providers: a keyword file (or generated lists of several sizes) in, every
//! stage's time out, next to what its provider calls alone would take at the configured
//! latency and concurrency, and its time per item. Text stages 2, 4 and 5 work on as many
//! items at once as the chat limiter allows; `--text-in-flight 1` shows the one-at-a-time
//! baseline. `--keywords 131,5000 --providers offline` measures how the cost per item grows
//! with the size of the site (it should not): each size's time per item is printed with its
//! ratio to the first size's. Each run also reports its articles' on-page quality (`on_page`).

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
    /// Keyword file to import and run (when `--keywords` is not given).
    #[arg(long, default_value = "examples/keywords.csv")]
    file: PathBuf,
    /// Generated keyword lists of these sizes, one run each on a fresh database, instead of
    /// `--file`: e.g. `--keywords 131,5000`.
    #[arg(long, value_delimiter = ',')]
    keywords: Vec<usize>,
    /// `mock`: OpenAI protocol against the mock server at `--latency-ms`; `offline`: the
    /// built-in providers, so the times are Pressroom's own overhead.
    #[arg(long, default_value = "mock", value_parser = ["mock", "offline"])]
    providers: String,
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
    if args.keywords.is_empty() {
        let file = std::fs::read(&args.file)
            .with_context(|| format!("cannot open {}", args.file.display()))?;
        println!("{}", one_run(&args, file).await?);
        return Ok(());
    }
    // Time per item of every stage, per size, compared with the first size's.
    let mut first: Option<Vec<Option<f64>>> = None;
    for &n in &args.keywords {
        let mut report = one_run(&args, pressroom_mock_ai::keywords::csv(n).into_bytes()).await?;
        let per_item: Vec<Option<f64>> = report["stages"]
            .as_array()
            .map(|stages| stages.iter().map(|s| s["ms_per_item"].as_f64()).collect())
            .unwrap_or_default();
        if let Some(base) = &first {
            let ratios: Vec<Option<f64>> = per_item
                .iter()
                .zip(base)
                .map(|(now, then)| match (now, then) {
                    (Some(a), Some(b)) if *b > 0.0 => Some((a / b * 100.0).round() / 100.0),
                    _ => None,
                })
                .collect();
            report["ms_per_item_vs_first"] = serde_json::json!(ratios);
        } else {
            first = Some(per_item);
        }
        report["peak_rss_mib"] = serde_json::json!(crate::import::peak_rss_kib().map(|k| k / 1024));
        println!("{report}");
    }
    Ok(())
}

async fn one_run(args: &RunArgs, keywords: Vec<u8>) -> anyhow::Result<serde_json::Value> {
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
    if args.providers == "offline" {
        site.settings.text_provider = Some("offline".into());
        site.settings.image_provider = Some("offline".into());
    }
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
    let imported = import_keywords(
        &db,
        account.id,
        site.id,
        "bench",
        std::io::Cursor::new(keywords),
    )
    .await?;

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
    let (run, _) = runs::start_run(
        &p,
        account.id,
        site.id,
        RunTrigger::Cli,
        &RunScope::default(),
    )
    .await?;
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
            // Offline providers answer at once: there is no provider time to compare with.
            let bound_ms = match stage {
                _ if args.providers == "offline" => None,
                Stage::ClustersToIdeas | Stage::TasksToContent | Stage::ContentToImagePrompts => {
                    Some(bound(r.processed, args.text_in_flight))
                }
                Stage::ImagePromptsToImages => Some(bound(r.processed, args.image_in_flight)),
                _ => None,
            };
            let ms_per_item = (r.processed > 0)
                .then(|| (r.elapsed_ms as f64 / r.processed as f64 * 1000.0).round() / 1000.0);
            serde_json::json!({
                "stage": stage.number(), "name": stage.name(), "processed": r.processed,
                "created": r.created, "failed": r.failed, "elapsed_ms": r.elapsed_ms,
                "ms_per_item": ms_per_item, "bound_ms": bound_ms,
                "ratio": bound_ms.filter(|b| *b > 0.0).map(|b| ((r.elapsed_ms as f64 / b) * 1000.0).round() / 1000.0),
            })
        })
        .collect();
    let keywords_new = db
        .count_keywords(
            account.id,
            site.id,
            &pressroom_store::KeywordFilter::with_status(KeywordStatus::New),
        )
        .await?;
    let on_page = crate::on_page::summary(&p, account.id, site.id).await?;
    db.close().await;
    Ok(serde_json::json!({
            "engine": args.engine, "providers": args.providers, "latency_ms": args.latency_ms,
            "text_in_flight": args.text_in_flight, "image_in_flight": args.image_in_flight,
            "keywords": imported.inserted, "keywords_left_new": keywords_new,
            "status": run.status.as_str(),
            "makespan_ms": (makespan_ms * 10.0).round() / 10.0,
            "text_calls": chat.requests, "text_max_in_flight": chat.max_in_flight,
            "image_calls": images.requests, "image_max_in_flight": images.max_in_flight,
            "provider_calls_one_at_a_time_ms": (chat.requests + images.requests) as f64 * l,
            "credits_used": run.credits_used.0,
            "stages": stages,
            "on_page": on_page,
    }))
}
