//! The job queue benchmark.
//!
//! Three phases on a fresh database, with the workers in this process:
//! 1. drain: N no-op jobs are inserted (workers stopped), then W workers drain them; this gives
//!    `jobs_per_sec` (N / time from worker start to the last job marked done in the database);
//! 2. load: with the workers running, jobs are enqueued in small batches at `--load-rate` per
//!    second for `--load-secs`; this gives `p50_latency_ms`/`p95_latency_ms` (enqueue to start
//!    of the handler);
//! 3. idle: single jobs are enqueued one at a time into the idle queue, each after the last one
//!    ran and a short pause; this gives `idle_p50_latency_ms`/`idle_p95_latency_ms`, the
//!    wake-up path (LISTEN/NOTIFY on PostgreSQL, in-process notification on SQLite).
//!
//! Nothing about durability is relaxed for speed: leases, heartbeats and fenced completion run
//! as in production; batching (claims of hundreds of jobs, completion of many jobs in one
//! statement) is what makes it fast.

use anyhow::{Context, bail};
use pressroom_domain::JobState;
use pressroom_queue::{
    CancellationToken, JobContext, JobError, MetricsSnapshot, NewJob, Queue, Worker, WorkerConfig,
};
use pressroom_store::{Db, Engine};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

#[derive(clap::Args, Debug)]
pub struct QueueArgs {
    /// sqlite or postgres
    #[arg(long, default_value = "sqlite")]
    engine: String,
    /// Jobs inserted and drained in the drain phase.
    #[arg(long, default_value_t = 100_000)]
    jobs: usize,
    /// Worker instances (each with its own lease owner, claim loop and completer).
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Jobs in flight per worker.
    #[arg(long, default_value_t = 1000)]
    concurrency: usize,
    /// Most jobs claimed per round trip.
    #[arg(long, default_value_t = 500)]
    claim_batch: usize,
    /// Most jobs marked done per statement.
    #[arg(long, default_value_t = 2000)]
    complete_batch: usize,
    /// Jobs per second enqueued in the load phase (0 skips it).
    #[arg(long, default_value_t = 2000)]
    load_rate: usize,
    #[arg(long, default_value_t = 3)]
    load_secs: u64,
    /// Single jobs enqueued into the idle queue (0 skips the idle phase).
    #[arg(long, default_value_t = 200)]
    idle_samples: usize,
    /// PostgreSQL server URL; a fresh schema is created in it and dropped afterwards.
    /// Defaults to PRESSROOM_TEST_POSTGRES_URL, then DATABASE_URL.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// Enqueue time, µs since the epoch.
    t: u64,
    /// 0 drain, 1 load, 2 idle.
    p: u8,
}

#[derive(Serialize)]
struct Report {
    engine: &'static str,
    jobs: usize,
    workers: usize,
    concurrency: usize,
    claim_batch: usize,
    jobs_per_sec: f64,
    drain_secs: f64,
    insert_jobs_per_sec: f64,
    p50_latency_ms: Option<f64>,
    p95_latency_ms: Option<f64>,
    load_rate: usize,
    idle_p50_latency_ms: Option<f64>,
    idle_p95_latency_ms: Option<f64>,
    idle_samples: usize,
    /// How long the enqueue statement itself took (it is part of the idle latency).
    idle_enqueue_p50_ms: Option<f64>,
    duplicates: u64,
    lost: i64,
    rescued: u64,
    lease_lost: u64,
    cores: usize,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// Where handlers report: executions counted, latencies of load and idle jobs sent back.
struct Probe {
    executions: AtomicU64,
    load: Mutex<Vec<u64>>,
    idle_tx: mpsc::UnboundedSender<u64>,
}

struct Database {
    db: Db,
    cleanup: Option<(Db, String)>,
    _dir: Option<tempfile::TempDir>,
}

async fn open(args: &QueueArgs, engine: Engine) -> anyhow::Result<Database> {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir()?;
            let db = Db::open_sqlite(&dir.path().join("bench.db")).await?;
            db.migrate().await?;
            Ok(Database {
                db,
                cleanup: None,
                _dir: Some(dir),
            })
        }
        Engine::Postgres => {
            let url = args
                .database_url
                .clone()
                .or_else(|| std::env::var("PRESSROOM_TEST_POSTGRES_URL").ok())
                .or_else(|| std::env::var("DATABASE_URL").ok())
                .context(
                    "PostgreSQL needs --database-url, PRESSROOM_TEST_POSTGRES_URL or DATABASE_URL",
                )?;
            let admin = Db::connect(&url).await?;
            let schema = format!(
                "bench_{}_{:06x}",
                std::process::id(),
                rand::random::<u32>() >> 8
            );
            if let Db::Postgres(p) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(p)
                    .await?;
            }
            let opts = sqlx::postgres::PgConnectOptions::from_str(&url)?
                .options([("search_path", schema.as_str())]);
            let db = Db::connect_postgres(opts).await?;
            db.migrate().await?;
            Ok(Database {
                db,
                cleanup: Some((admin, schema)),
                _dir: None,
            })
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    Some(sorted[i.min(sorted.len() - 1)] as f64 / 1000.0)
}

pub async fn run(args: QueueArgs) -> anyhow::Result<()> {
    let engine = match args.engine.as_str() {
        "sqlite" => Engine::Sqlite,
        "postgres" | "postgresql" => Engine::Postgres,
        other => bail!("unknown engine {other:?}: use sqlite or postgres"),
    };
    let database = open(&args, engine).await?;
    let result = bench(&args, engine, &database.db).await;
    database.db.close().await;
    if let Some((admin, schema)) = &database.cleanup {
        if let Db::Postgres(p) = admin {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(p)
                .await?;
        }
        admin.close().await;
    }
    let report = result?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

async fn bench(args: &QueueArgs, engine: Engine, db: &Db) -> anyhow::Result<Report> {
    let queue = Queue::new(db.clone());

    // Phase 1: insert, then drain.
    let insert_start = Instant::now();
    let mut batch = Vec::with_capacity(2000);
    for i in 0..args.jobs {
        batch.push(NewJob::new("noop", &Payload { t: now_us(), p: 0 })?);
        if batch.len() == 2000 || i + 1 == args.jobs {
            queue.enqueue_many(&batch).await?;
            batch.clear();
        }
    }
    let insert_secs = insert_start.elapsed().as_secs_f64();

    let (idle_tx, mut idle_rx) = mpsc::unbounded_channel();
    let probe = Arc::new(Probe {
        executions: AtomicU64::new(0),
        load: Mutex::new(Vec::new()),
        idle_tx,
    });
    let config = WorkerConfig {
        claim_batch: args.claim_batch,
        complete_batch: args.complete_batch,
        poll_interval: Duration::from_secs(1),
        ..WorkerConfig::default().with_lease(Duration::from_secs(30))
    };
    let stop = CancellationToken::new();
    let mut metrics = Vec::new();
    let mut running = Vec::new();
    let drain_start = Instant::now();
    for _ in 0..args.workers {
        let p = probe.clone();
        let worker = Worker::builder(db.clone())
            .config(config.clone())
            .queue("default", args.concurrency)
            .register("noop", move |_ctx: JobContext, pl: Payload| {
                let p = p.clone();
                async move {
                    let lat = now_us().saturating_sub(pl.t);
                    p.executions.fetch_add(1, Ordering::Relaxed);
                    match pl.p {
                        1 => p.load.lock().unwrap_or_else(|e| e.into_inner()).push(lat),
                        2 => {
                            let _ = p.idle_tx.send(lat);
                        }
                        _ => {}
                    }
                    Ok::<(), JobError>(())
                }
            })
            .build();
        metrics.push(worker.metrics());
        running.push(tokio::spawn(worker.run(stop.clone())));
    }
    let done = |m: &[Arc<pressroom_queue::WorkerMetrics>]| -> u64 {
        m.iter().map(|m| m.snapshot().done).sum()
    };
    let target = args.jobs as u64;
    while done(&metrics) < target {
        tokio::time::sleep(Duration::from_millis(1)).await;
        if drain_start.elapsed() > Duration::from_secs(600) {
            bail!("drain did not finish in 10 minutes");
        }
    }
    let drain_secs = drain_start.elapsed().as_secs_f64();

    // Phase 2: steady load.
    let mut load_total = 0u64;
    if args.load_rate > 0 && args.load_secs > 0 {
        let tick = Duration::from_millis(10);
        let per_tick = (args.load_rate / 100).max(1);
        let ticks = args.load_secs * 100;
        let mut interval = tokio::time::interval(tick);
        for _ in 0..ticks {
            interval.tick().await;
            let jobs: Vec<NewJob> = (0..per_tick)
                .map(|_| NewJob::new("noop", &Payload { t: now_us(), p: 1 }))
                .collect::<Result<_, _>>()?;
            queue.enqueue_many(&jobs).await?;
            load_total += per_tick as u64;
        }
        while done(&metrics) < target + load_total {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    // Phase 3: idle queue, one job at a time.
    let mut idle = Vec::with_capacity(args.idle_samples);
    let mut enqueue_us = Vec::with_capacity(args.idle_samples);
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..args.idle_samples {
        let t0 = now_us();
        queue
            .enqueue(NewJob::new("noop", &Payload { t: t0, p: 2 })?)
            .await?;
        enqueue_us.push(now_us() - t0);
        let lat = tokio::time::timeout(Duration::from_secs(10), idle_rx.recv())
            .await
            .context("an idle-queue job did not start within 10 s")?
            .context("workers stopped")?;
        idle.push(lat);
        // Let the workers finish the job and go back to waiting.
        tokio::time::sleep(Duration::from_millis(5 + rand::random::<u64>() % 10)).await;
    }
    let total = target + load_total + args.idle_samples as u64;
    while done(&metrics) < total {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    stop.cancel();
    let mut snaps: Vec<MetricsSnapshot> = Vec::new();
    for r in running {
        snaps.push(r.await??);
    }
    let done_in_db: i64 = queue
        .counts()
        .await?
        .iter()
        .filter(|c| c.state == JobState::Done)
        .map(|c| c.count)
        .sum();

    let mut load = probe.load.lock().unwrap_or_else(|e| e.into_inner()).clone();
    load.sort_unstable();
    idle.sort_unstable();
    enqueue_us.sort_unstable();
    let executions = probe.executions.load(Ordering::Relaxed);
    Ok(Report {
        engine: engine.as_str(),
        jobs: args.jobs,
        workers: args.workers,
        concurrency: args.concurrency,
        claim_batch: args.claim_batch,
        jobs_per_sec: (args.jobs as f64 / drain_secs).round(),
        drain_secs: (drain_secs * 1000.0).round() / 1000.0,
        insert_jobs_per_sec: (args.jobs as f64 / insert_secs).round(),
        p50_latency_ms: percentile(&load, 0.50),
        p95_latency_ms: percentile(&load, 0.95),
        load_rate: args.load_rate,
        idle_p50_latency_ms: percentile(&idle, 0.50),
        idle_p95_latency_ms: percentile(&idle, 0.95),
        idle_samples: idle.len(),
        idle_enqueue_p50_ms: percentile(&enqueue_us, 0.50),
        // Every job is done (checked below), so executions beyond one per job are re-runs.
        duplicates: executions.saturating_sub(total),
        lost: total as i64 - done_in_db,
        rescued: snaps.iter().map(|s| s.rescued).sum(),
        lease_lost: snaps.iter().map(|s| s.lease_lost).sum(),
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    })
}
