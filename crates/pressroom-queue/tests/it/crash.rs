//! The crash test: worker processes drain a few thousand jobs while the test SIGKILLs them at
//! random and starts new ones. At the end every job is done exactly once in the database, none
//! is lost, every job that ran more than once had its earlier runs on killed workers, and the
//! effects written in the completion's transaction exist exactly once per job.

use pressroom_queue::{NewJob, Queue};
use pressroom_store::testing::TestDb;
use pressroom_store::{Db, Engine, on_db};
use rand::Rng;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const JOBS: usize = 2400;
const TX_JOBS: usize = 600;
const WORKERS: usize = 4;
const MAX_KILLS: usize = 10;
const LEASE_MS: u64 = 3000;

fn spawn_worker(url: &str, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pressroom-queue-crash-worker"))
        .arg(url)
        .arg(out)
        .arg(LEASE_MS.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn crash worker")
}

async fn count(db: &Db, state: &'static str) -> i64 {
    on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = $1")
        .bind(state).fetch_one(p).await)
    .unwrap()
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > within {
            let _ = child.kill();
            panic!("worker {} did not stop within {within:?}", child.id());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn pid_of_owner(owner: &str) -> u32 {
    // Owners are host:pid:random.
    owner
        .rsplit(':')
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("owner {owner:?} names no pid"))
}

async fn crash_test(engine: Engine) {
    let Some(t) = TestDb::new(engine).await else {
        return;
    };
    let db = t.db.clone();
    on_db!(&db, p => sqlx::query("CREATE TABLE crash_effects (job_id BIGINT PRIMARY KEY, pid BIGINT NOT NULL)")
        .execute(p).await.map(|_| ()))
    .unwrap();
    let queue = Queue::new(db.clone());
    let mut jobs: Vec<NewJob> = (0..JOBS)
        .map(|i| NewJob::with_json("record", format!("{{\"n\":{i}}}")).max_attempts(100))
        .collect();
    jobs.extend(
        (0..TX_JOBS)
            .map(|i| NewJob::with_json("record_tx", format!("{{\"n\":{i}}}")).max_attempts(100)),
    );
    let ids = queue.enqueue_many(&jobs).await.unwrap();
    let total = ids.len() as i64;
    let tx_ids: HashSet<i64> = ids[JOBS..].iter().map(|i| i.get()).collect();

    let out = tempfile::tempdir().unwrap();
    let mut children: Vec<Child> = (0..WORKERS)
        .map(|_| spawn_worker(&t.url, out.path()))
        .collect();
    let mut killed: HashSet<u32> = HashSet::new();
    let started = Instant::now();
    while killed.len() < MAX_KILLS && count(&db, "done").await < total {
        let pause = rand::rng().random_range(150..400);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let i = rand::rng().random_range(0..children.len());
        let mut victim = children.swap_remove(i);
        killed.insert(victim.id());
        victim.kill().unwrap(); // SIGKILL
        victim.wait().unwrap();
        children.push(spawn_worker(&t.url, out.path()));
    }
    assert!(!killed.is_empty(), "the workers finished before any kill");

    while count(&db, "done").await < total {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "jobs not all done after 120 s: {:?}",
            queue.counts().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Graceful stop of the survivors.
    for c in &children {
        // SAFETY: kill(2) on a child we spawned and have not reaped; no memory is involved.
        unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
    }
    for c in &mut children {
        let status = wait_exit(c, Duration::from_secs(30));
        assert!(status.success(), "worker exited with {status}");
    }

    // Every job done exactly once in the database; nothing dead, cancelled or left over.
    for state in ["available", "running", "dead", "cancelled"] {
        assert_eq!(count(&db, state).await, 0, "jobs {state}");
    }
    let finishers: Vec<(i64, String, i64)> = on_db!(&db, p => sqlx::query_as(
        "SELECT id, lease_owner, attempts FROM jobs").fetch_all(p).await)
    .unwrap();
    assert_eq!(finishers.len() as i64, total);

    // Executions, from the workers' logs: job -> [(attempt, pid)].
    let mut runs: HashMap<i64, Vec<(i64, u32)>> = HashMap::new();
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 3, "log line {line:?}");
            runs.entry(f[0].parse().unwrap())
                .or_default()
                .push((f[2].parse().unwrap(), f[1].parse().unwrap()));
        }
    }
    let mut reruns = 0;
    for (id, owner, attempts) in &finishers {
        let mut r = runs
            .remove(id)
            .unwrap_or_else(|| panic!("job {id} is done but never ran"));
        r.sort();
        let (last_attempt, last_pid) = *r.last().unwrap();
        // The last run is the one that completed the job, on the worker named in the row.
        assert_eq!(last_attempt, *attempts, "job {id}: runs {r:?}");
        assert_eq!(last_pid, pid_of_owner(owner), "job {id}: runs {r:?}");
        // Every earlier run was on a worker that was killed.
        for (attempt, pid) in &r[..r.len() - 1] {
            reruns += 1;
            assert!(
                killed.contains(pid),
                "job {id} ran at attempt {attempt} on worker {pid}, which was not killed: {r:?}"
            );
        }
    }
    assert!(runs.is_empty(), "executions of unknown jobs: {runs:?}");

    // Effects committed with the completion exist exactly once, from the completing worker.
    let effects: Vec<(i64, i64)> = on_db!(&db, p => sqlx::query_as(
        "SELECT job_id, pid FROM crash_effects").fetch_all(p).await)
    .unwrap();
    assert_eq!(effects.len(), TX_JOBS);
    let owners: HashMap<i64, u32> = finishers
        .iter()
        .map(|(id, o, _)| (*id, pid_of_owner(o)))
        .collect();
    for (job, pid) in effects {
        assert!(tx_ids.contains(&job));
        assert_eq!(owners[&job] as i64, pid, "effect of job {job}");
    }
    eprintln!(
        "crash test ({}): {total} jobs, {} workers killed, {reruns} re-runs, {:?}",
        engine.as_str(),
        killed.len(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_no_jobs_sqlite() {
    crash_test(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_no_jobs_postgres() {
    crash_test(Engine::Postgres).await;
}
