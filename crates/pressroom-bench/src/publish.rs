//! Publishing to a real WordPress on this machine (Debian's package on PHP's built-in server,
//! MariaDB): the example run's articles (offline providers) approved, queued "now" at one
//! WordPress destination, and sent by the publish queue; articles per minute for the first
//! publish (posts and media made) and for publishing them all again (updated in place), with
//! the counts that show each article became exactly one post.

use anyhow::Context;
use clap::Args;
use pressroom_domain::publish::{DestinationOptions, PublishSchedule};
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::content::review_many;
use pressroom_pipeline::publish::queue::When;
use pressroom_pipeline::publish::{self, DestinationInput};
use pressroom_pipeline::{Pipeline, import::import_keywords, runs, workers};
use pressroom_providers::DownloadConfig;
use pressroom_queue::{CancellationToken, WorkerConfig};
use pressroom_store::SecretBox;
use pressroom_testwp::{SeoEmulation, TestWordPress, TestWpOptions};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct PublishArgs {
    #[arg(long, default_value = "examples/keywords.csv")]
    file: PathBuf,
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    engine: String,
    #[arg(long)]
    database_url: Option<String>,
    /// The SEO plugin the WordPress emulates: rankmath, yoast or none.
    #[arg(long, default_value = "rankmath", value_parser = ["rankmath", "yoast", "none"])]
    seo: String,
}

pub async fn run(args: PublishArgs) -> anyhow::Result<()> {
    let keywords = std::fs::read(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let seo = match args.seo.as_str() {
        "rankmath" => SeoEmulation::RankMath,
        "yoast" => SeoEmulation::Yoast,
        _ => SeoEmulation::None,
    };
    let wp = TestWordPress::start(TestWpOptions { seo })?;
    let crate::mock_pipeline::MockPipeline {
        p, db, dir: _dir, ..
    } = crate::mock_pipeline::start(
        MockConfig::default(),
        &args.engine,
        args.database_url.clone(),
        // The WordPress is on 127.0.0.1.
        DownloadConfig {
            allow_loopback: true,
            ..DownloadConfig::default()
        },
    )
    .await?;
    let p = p.with_secrets(SecretBox::from_hex(&SecretBox::generate_hex())?);
    let (account, mut site) = db.local_default().await?;
    site.settings.text_provider = Some("offline".into());
    site.settings.image_provider = Some("offline".into());
    let site = db
        .update_site_settings(account.id, site.id, &site.settings)
        .await?;
    import_keywords(
        &db,
        account.id,
        site.id,
        "bench",
        std::io::Cursor::new(keywords),
    )
    .await?;

    let stop = CancellationToken::new();
    let config = WorkerConfig {
        poll_interval: Duration::from_millis(20),
        ..WorkerConfig::default()
    };
    let worker = tokio::spawn(workers::worker(&p, 16, config).run(stop.clone()));
    let (run, _) = runs::start_run(
        &p,
        account.id,
        site.id,
        RunTrigger::Cli,
        &RunScope::default(),
    )
    .await?;
    while db.run(account.id, run.id).await?.status.is_active() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids = review_ids(&p, account.id, site.id).await?;
    review_many(&p, account.id, &ids, ContentStatus::Approved, true).await?;

    let d = publish::add_destination(
        &p,
        account.id,
        site.id,
        DestinationInput {
            name: "bench".into(),
            kind: DestinationKind::WordPress,
            url: wp.base_url.clone(),
            username: Some(wp.admin_user.clone()),
            secret: Some(wp.app_password.clone()),
            options: DestinationOptions::default(),
            schedule: PublishSchedule::default(),
        },
    )
    .await?
    .destination;
    let first = publish_all(&p, account.id, &ids, d.id).await?;
    let posts = wp.post_count("publish")?;
    let media = wp.media_count()?;
    let again = publish_all(&p, account.id, &ids, d.id).await?;
    stop.cancel();
    worker.await.context("worker")??;

    let mut live_passed = 0;
    let mut seo_dropped = 0;
    for id in &ids {
        for r in db.publications_of_content(account.id, *id).await? {
            live_passed += usize::from(r.live_check.as_ref().is_some_and(|c| c["passed"] == true));
            seo_dropped += r
                .seo_report
                .as_ref()
                .and_then(|s| s["dropped"].as_array().map(Vec::len))
                .unwrap_or(0);
        }
    }
    let per_minute = |s: f64| (ids.len() as f64) * 60.0 / s;
    println!(
        "{}",
        json!({
            "bench": "publish",
            "engine": args.engine,
            "seo": args.seo,
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "publish_concurrency": workers::PUBLISH_CONCURRENCY,
            "wordpress_install_s": wp.install_time.as_secs_f64(),
            "articles": ids.len(),
            "first": {"seconds": first, "articles_per_minute": per_minute(first)},
            "again_in_place": {"seconds": again, "articles_per_minute": per_minute(again)},
            "posts": posts,
            "posts_after_again": wp.post_count("publish")?,
            "media": media,
            "media_after_again": wp.media_count()?,
            "live_checks_passed": live_passed,
            "seo_fields_dropped": seo_dropped,
        })
    );
    Ok(())
}

async fn review_ids(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> anyhow::Result<Vec<ContentId>> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = p
            .db()
            .content_after(account, site, Some(ContentStatus::Review), after, 200)
            .await?;
        let Some(last) = page.last() else {
            return Ok(ids);
        };
        after = last.id.get();
        ids.extend(page.iter().map(|c| c.id));
    }
}

/// Queues every article now and waits for every record to be published; seconds taken.
async fn publish_all(
    p: &Pipeline,
    account: AccountId,
    ids: &[ContentId],
    d: DestinationId,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    for id in ids {
        publish::queue::queue_content(p, account, *id, Some(&[d]), When::Now, true).await?;
    }
    loop {
        let mut waiting = 0;
        for id in ids {
            for r in p.db().publications_of_content(account, *id).await? {
                anyhow::ensure!(
                    r.status != PublicationStatus::Failed,
                    "publication {} failed: {:?}",
                    r.id,
                    r.last_error
                );
                waiting += usize::from(r.status != PublicationStatus::Published);
            }
        }
        if waiting == 0 {
            return Ok(started.elapsed().as_secs_f64());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(1800),
            "{waiting} not published after 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
