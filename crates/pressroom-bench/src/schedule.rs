//! The scheduler at agency scale: N sites whose daily slot is due (missed for three days), two
//! scheduler "processes" ticking at once on one database. Prints how long the tick took to
//! claim every slot and start every run, per slot, that no slot was claimed twice, and how
//! long the next tick (nothing due) takes to find that out through the index.

use clap::Args;
use pressroom_domain::*;
use pressroom_pipeline::{Pipeline, scheduler};
use pressroom_providers::{DownloadConfig, Providers};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ScheduleArgs {
    #[arg(long, default_value_t = 2000)]
    sites: usize,
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    engine: String,
    /// PostgreSQL URL (default: PRESSROOM_TEST_POSTGRES_URL); a fresh schema is used.
    #[arg(long)]
    database_url: Option<String>,
}

const DAY_MS: i64 = 86_400_000;

pub async fn run(args: ScheduleArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = crate::import::open_db(&args.engine, args.database_url, dir.path()).await?;
    db.migrate().await?;
    // 2026-12-01 07:00 UTC: the sites' 06:00 slots of the last three days were all missed.
    let now = Arc::new(AtomicI64::new(1_764_572_400_000));
    let clock = now.clone();
    let p = Pipeline::new(
        db.clone(),
        Providers::from_env(),
        dir.path(),
        DownloadConfig::default(),
    )
    .with_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
    let account = db.create_account("agency", Credits(1_000_000)).await?;
    let settings = SiteSettings {
        text_provider: Some("offline".into()),
        image_provider: Some("offline".into()),
        schedule: Schedule {
            frequency: Frequency::Daily,
            time: "06:00".into(),
            ..Schedule::default()
        },
        ..SiteSettings::default()
    };
    let setup = Instant::now();
    for i in 0..args.sites {
        let site = db
            .create_site(account.id, &format!("client {i}"), None, "en", &settings)
            .await?;
        db.set_next_slot(account.id, site.id, Some(p.now() - 3 * DAY_MS))
            .await?;
    }
    let setup_s = setup.elapsed().as_secs_f64();

    let started = Instant::now();
    let (a, b) = tokio::join!(scheduler::run_due_slots(&p), scheduler::run_due_slots(&p));
    let tick_s = started.elapsed().as_secs_f64();
    let (a, b) = (a?, b?);
    let claimed = a.len() + b.len();
    let mut sites: Vec<SiteId> = a.iter().chain(&b).map(|r| r.site).collect();
    sites.sort();
    sites.dedup();
    let runs = a.iter().chain(&b).filter(|r| r.run.is_some()).count();

    let idle = Instant::now();
    let again = scheduler::run_due_slots(&p).await?;
    let idle_ms = idle.elapsed().as_secs_f64() * 1000.0;

    println!(
        "{}",
        json!({
            "bench": "schedule",
            "engine": args.engine,
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "sites": args.sites,
            "setup_s": setup_s,
            "tick_s": tick_s,
            "ms_per_slot": tick_s * 1000.0 / args.sites.max(1) as f64,
            "slots_claimed": claimed,
            "distinct_sites": sites.len(),
            "by_first_process": a.len(),
            "by_second_process": b.len(),
            "runs_started": runs,
            "idle_tick_ms": idle_ms,
            "claimed_by_idle_tick": again.len(),
        })
    );
    anyhow::ensure!(
        claimed == args.sites && sites.len() == args.sites && runs == args.sites,
        "every site's slot claimed and started exactly once"
    );
    Ok(())
}
