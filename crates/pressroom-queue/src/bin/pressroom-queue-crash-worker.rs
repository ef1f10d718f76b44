//! A worker process for the crash test (tests/it/crash.rs); not part of Pressroom's interface.
//!
//! `pressroom-queue-crash-worker DATABASE_URL OUT_DIR LEASE_MS` works the default queue until
//! SIGTERM. Handlers append `job_id pid attempt` to OUT_DIR/exec-PID.log as they start (one
//! unbuffered write, so a SIGKILL after it cannot lose it), pause a few ms, then either return
//! (batched completion) or, for `record_tx`, insert a `crash_effects` row and complete the job
//! in the same transaction.

use pressroom_queue::{JobContext, JobError, Worker, WorkerConfig, shutdown_on_signal};
use pressroom_store::{Db, on_conn};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Log = Arc<Mutex<File>>;

fn record(log: &Log, ctx: &JobContext) -> Result<(), JobError> {
    let line = format!("{} {} {}\n", ctx.id(), std::process::id(), ctx.attempt());
    let mut f = log.lock().unwrap_or_else(|p| p.into_inner());
    f.write_all(line.as_bytes())
        .map_err(|e| JobError::retry(format!("writing the execution log: {e}")))
}

async fn pause() {
    tokio::time::sleep(Duration::from_millis(5 + rand::random::<u64>() % 20)).await;
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, out, lease_ms] = args.as_slice() else {
        return Err("usage: pressroom-queue-crash-worker DATABASE_URL OUT_DIR LEASE_MS".into());
    };
    let lease = Duration::from_millis(lease_ms.parse()?);
    let path = PathBuf::from(out).join(format!("exec-{}.log", std::process::id()));
    let log: Log = Arc::new(Mutex::new(
        OpenOptions::new().create(true).append(true).open(path)?,
    ));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let db = Db::connect(url).await?;
        let (l1, l2) = (log.clone(), log);
        let config = WorkerConfig {
            poll_interval: Duration::from_millis(50),
            shutdown_grace: Duration::from_secs(5),
            ..WorkerConfig::default().with_lease(lease)
        };
        Worker::builder(db)
            .config(config)
            .queue("default", 4)
            .register("record", move |ctx: JobContext, _p: serde_json::Value| {
                let log = l1.clone();
                async move {
                    record(&log, &ctx)?;
                    pause().await;
                    Ok(())
                }
            })
            .register("record_tx", move |ctx: JobContext, _p: serde_json::Value| {
                let log = l2.clone();
                async move {
                    record(&log, &ctx)?;
                    pause().await;
                    let mut tx = ctx.begin().await?;
                    on_conn!(&mut tx, c => sqlx::query("INSERT INTO crash_effects (job_id, pid) VALUES ($1, $2)")
                        .bind(ctx.id().get()).bind(i64::from(std::process::id()))
                        .execute(c).await.map(|_| ()))
                    .map_err(|e| JobError::retry(e.to_string()))?;
                    ctx.complete_in(&mut tx).await?;
                    tx.commit().await?;
                    Ok(())
                }
            })
            .build()
            .run(shutdown_on_signal())
            .await?;
        Ok(())
    })
}
