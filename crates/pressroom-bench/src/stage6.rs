//! Stage 6 against the mock provider: N pending images generated through the same queue,
//! workers and provider client as production, with the provider's latency, concurrency and
//! rate limit set. Prints the makespan next to the bound those three set:
//! `max(ceil(N/C) * L, N * 60000 / R + L)`, and what one image at a time would take (N * L).

use anyhow::Context;
use clap::Args;
use pressroom_domain::ai::IdeaItem;
use pressroom_domain::*;
use pressroom_mock_ai::{ImageMode, MockConfig};
use pressroom_pipeline::images::generate_images;
use pressroom_pipeline::workers;
use pressroom_providers::{DownloadConfig, LimitConfig};
use pressroom_queue::{CancellationToken, WorkerConfig};
use pressroom_store::{Db, NewContent, NewImage};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct Stage6Args {
    #[arg(long, default_value_t = 200)]
    images: usize,
    /// Provider latency per image (the mock's delay).
    #[arg(long, default_value_t = 100)]
    latency_ms: u64,
    /// Provider calls in flight at once (the provider limiter, as a provider's limit sets it).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Image jobs the worker runs at once (default: twice --concurrency). Jobs beyond the
    /// provider's limit wait for the limiter, so their database and file work overlaps other
    /// images' provider calls instead of holding a provider slot.
    #[arg(long)]
    worker_slots: Option<usize>,
    /// Provider requests per minute (client-side limiter); none when absent.
    #[arg(long)]
    rpm: Option<u32>,
    /// `url` exercises the guarded downloader too; `b64` returns the bytes inline.
    #[arg(long, default_value = "url", value_parser = ["url", "b64"])]
    image_mode: String,
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    engine: String,
    /// PostgreSQL URL (default: PRESSROOM_TEST_POSTGRES_URL); a fresh schema is used.
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn run(args: Stage6Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.images > 0 && args.concurrency > 0,
        "--images and --concurrency must be positive"
    );
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
            image_mode: if args.image_mode == "url" {
                ImageMode::Url
            } else {
                ImageMode::B64
            },
            ..Default::default()
        },
        &args.engine,
        args.database_url.clone(),
        DownloadConfig {
            allow_loopback: true,
            ..Default::default()
        },
    )
    .await?;
    let (account, mut site) = db.local_default().await?;
    site.settings.text_provider = Some("offline".into());
    site.settings.image_provider = Some("openai".into());
    site.settings.image_model = Some("dall-e-2".into());
    site.settings.featured_image_size = "256x256".into();
    site.settings.in_article_image_size = "256x256".into();
    let site = db
        .update_site_settings(account.id, site.id, &site.settings)
        .await?;
    limits.set(
        "openai-images",
        account.id.get(),
        LimitConfig::new(args.rpm, args.concurrency),
    );
    let ids = seed_pending_images(&db, &site, args.images).await?;

    let stop = CancellationToken::new();
    let config = WorkerConfig {
        poll_interval: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    let worker_slots = args
        .worker_slots
        .unwrap_or_else(|| workers::image_slots_for(args.concurrency));
    let worker = tokio::spawn(workers::worker(&p, worker_slots, config).run(stop.clone()));
    let started = Instant::now();
    generate_images(&p, account.id, &ids, None).await?;
    let (generated, failed) = loop {
        let images = db.images_by_ids(account.id, &ids).await?;
        if images.iter().all(|i| i.status.is_settled()) {
            let generated = images
                .iter()
                .filter(|i| i.status == ImageStatus::Generated)
                .count();
            break (generated, images.len() - generated);
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "stage 6 did not finish in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let makespan_ms = started.elapsed().as_secs_f64() * 1000.0;
    stop.cancel();
    worker.await.context("worker")??;

    let n = args.images as f64;
    let l = args.latency_ms as f64;
    let by_concurrency = (n / args.concurrency as f64).ceil() * l;
    let by_rate = args.rpm.map_or(0.0, |r| n * 60_000.0 / f64::from(r) + l);
    let bound_ms = by_concurrency.max(by_rate);
    println!(
        "{}",
        serde_json::json!({
            "images": args.images, "latency_ms": args.latency_ms, "concurrency": args.concurrency, "rpm": args.rpm,
            "engine": args.engine, "image_mode": args.image_mode, "generated": generated, "failed": failed,
            "worker_slots": worker_slots, "provider_calls": mock.requests("images_generations"),
            "provider_max_in_flight": mock.stats().get("images_generations").map_or(0, |s| s.max_in_flight),
            "makespan_ms": (makespan_ms * 10.0).round() / 10.0, "bound_ms": bound_ms,
            "ratio": ((makespan_ms / bound_ms) * 1000.0).round() / 1000.0,
            "one_at_a_time_ms": n * l,
        })
    );
    Ok(())
}

/// One article with `n` pending images (a featured one and `n - 1` in-article), made through
/// the same store functions the earlier stages use.
async fn seed_pending_images(db: &Db, site: &Site, n: usize) -> anyhow::Result<Vec<ImageId>> {
    let account = site.account_id;
    let mut tx = db.begin().await?;
    let cluster = tx
        .insert_cluster(
            account,
            site.id,
            "bench",
            "bench",
            ClusterMethod::Manual,
            None,
        )
        .await?
        .context("a fresh site has no cluster named bench")?;
    let idea_item = IdeaItem {
        title: "Benchmark article".into(),
        description: "An article whose images are generated by the benchmark.".into(),
        content_structure: ContentStructure::Article,
        outline: vec!["One".into()],
        primary_keyword: "bench".into(),
        secondary_keywords: vec![],
        target_words: 500,
    };
    tx.insert_idea(account, site.id, cluster, &idea_item, "bench")
        .await?
        .context("a fresh site has no idea on \"bench\"")?;
    tx.commit().await?;
    let idea = db
        .ideas(account, site.id, Some(IdeaStatus::New), 1)
        .await?
        .remove(0);
    let mut tx = db.begin().await?;
    let task = tx.create_task_for_idea(&idea).await?;
    tx.move_status(account, task, TaskStatus::InProgress)
        .await?;
    tx.commit().await?;
    let task = db.task(account, task).await?;
    let mut tx = db.begin().await?;
    let content = tx
        .insert_content(
            &task,
            &NewContent {
                title: "Benchmark article".into(),
                slug: "benchmark-article".into(),
                meta_title: String::new(),
                meta_description: String::new(),
                excerpt: String::new(),
                body_html: "<p>bench</p>".into(),
                body_markdown: "bench".into(),
                word_count: 1,
                primary_keyword: "bench".into(),
                secondary_keywords: vec![],
                offline: false,
            },
        )
        .await?;
    tx.commit().await?;
    let content = db.content(account, content).await?;
    let images: Vec<NewImage> = (0..n)
        .map(|i| NewImage {
            image_type: if i == 0 {
                ImageType::Featured
            } else {
                ImageType::InArticle
            },
            position: i as i64,
            prompt: format!("A lighthouse at dusk, study {i}"),
            negative_prompt: None,
            size: "256x256".into(),
            alt_text: format!("A lighthouse at dusk, study {i}"),
            section: None,
        })
        .collect();
    let mut tx = db.begin().await?;
    let ids = tx.insert_images(&content, &images).await?;
    tx.commit().await?;
    Ok(ids)
}
