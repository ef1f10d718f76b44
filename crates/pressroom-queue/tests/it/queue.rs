//! Queue operations and the worker runtime, on both engines.

use pressroom_domain::{JobId, JobState, RunId};
use pressroom_queue::{
    CancellationToken, JobContext, JobError, NewJob, Queue, QueueError, Worker, WorkerConfig,
};
use pressroom_store::{Db, Engine, engine_test, on_db};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn owner(s: &str) -> Arc<str> {
    Arc::from(s)
}

const LONG: Duration = Duration::from_secs(60);

fn job(kind: &str) -> NewJob {
    NewJob::with_json(kind, "{}")
}

async fn wait_until<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !cond().await {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn state_of(q: &Queue, id: JobId) -> JobState {
    q.get(id).await.unwrap().state
}

fn fast_config() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(50),
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(50),
        shutdown_grace: Duration::from_secs(5),
        ..WorkerConfig::default().with_lease(Duration::from_secs(5))
    }
}

engine_test!(dedupe_returns_the_live_job, |db: Db| async move {
    let q = Queue::new(db);
    let a = q.enqueue(job("k").dedupe_key("img:1")).await.unwrap();
    let b = q.enqueue(job("k").dedupe_key("img:1")).await.unwrap();
    assert_eq!(a, b);
    // In one batch: duplicates inside it, an existing key, and plain jobs keep input order.
    let ids = q
        .enqueue_many(&[
            job("k"),
            job("k").dedupe_key("img:2"),
            job("k").dedupe_key("img:1"),
            job("k").dedupe_key("img:2"),
            job("k"),
        ])
        .await
        .unwrap();
    assert_eq!(ids[2], a);
    assert_eq!(ids[1], ids[3]);
    assert!(ids[0] < ids[1] && ids[1] < ids[4]);
    assert_eq!(q.get(ids[4]).await.unwrap().dedupe_key, None);
    let counts: i64 = q.counts().await.unwrap().iter().map(|c| c.count).sum();
    assert_eq!(counts, 4);

    // Once the job is finished, its key is free again.
    let claimed = q.claim("default", &owner("w"), 10, LONG).await.unwrap();
    let first = claimed.iter().find(|j| j.id == a).unwrap();
    q.complete(&first.lease).await.unwrap();
    let c = q.enqueue(job("k").dedupe_key("img:1")).await.unwrap();
    assert_ne!(c, a);
});

engine_test!(concurrent_claimers_never_share_a_job, |db: Db| async move {
    let q = Queue::new(db);
    let jobs: Vec<NewJob> = (0..600).map(|i| job("k").priority(i % 3)).collect();
    let ids: HashSet<JobId> = q.enqueue_many(&jobs).await.unwrap().into_iter().collect();
    assert_eq!(ids.len(), 600);
    let mut tasks = Vec::new();
    for w in 0..4 {
        let q = q.clone();
        tasks.push(tokio::spawn(async move {
            let me = owner(&format!("w{w}"));
            let mut got = Vec::new();
            loop {
                let batch = q.claim("default", &me, 37, LONG).await.unwrap();
                if batch.is_empty() {
                    return got;
                }
                assert!(batch.iter().all(|j| j.attempt == 1));
                // Highest priority first within a batch.
                assert!(batch.windows(2).all(|w| w[0].priority >= w[1].priority));
                got.extend(batch.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "job {id} claimed twice");
        }
    }
    assert_eq!(seen, ids);
});

engine_test!(delayed_jobs_wait_for_run_at, |db: Db| async move {
    let q = Queue::new(db);
    q.enqueue(job("k").delay(Duration::from_secs(3600)))
        .await
        .unwrap();
    let now = q.enqueue(job("k")).await.unwrap();
    let got = q.claim("default", &owner("w"), 10, LONG).await.unwrap();
    assert_eq!(got.iter().map(|j| j.id).collect::<Vec<_>>(), vec![now]);
    assert!(
        q.claim("other", &owner("w"), 10, LONG)
            .await
            .unwrap()
            .is_empty()
    );
});

engine_test!(a_stale_owner_writes_nothing, |db: Db| async move {
    let q = Queue::new(db);
    let id = q.enqueue(job("k").max_attempts(3)).await.unwrap();
    let stale = q
        .claim("default", &owner("a"), 1, Duration::from_millis(1))
        .await
        .unwrap()
        .remove(0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let r = q.rescue_expired().await.unwrap();
    assert_eq!((r.requeued, r.dead), (1, 0));
    let fresh = q
        .claim("default", &owner("b"), 1, LONG)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(fresh.id, id);
    assert_eq!(fresh.attempt, 2);

    // Every write of the stale claim is refused, and changes nothing.
    assert!(matches!(
        q.complete(&stale.lease).await,
        Err(QueueError::LeaseLost { .. })
    ));
    assert!(matches!(
        q.bury(&stale.lease, "x").await,
        Err(QueueError::LeaseLost { .. })
    ));
    assert!(matches!(
        q.retry(&stale.lease, "x", 0).await,
        Err(QueueError::LeaseLost { .. })
    ));
    assert!(matches!(
        q.release(&stale.lease).await,
        Err(QueueError::LeaseLost { .. })
    ));
    assert!(q.complete_many("a", &[(id, 1)]).await.unwrap().is_empty());
    assert!(q.heartbeat("a", &[(id, 1)], LONG).await.unwrap().is_empty());
    // The same owner with the old attempt number is stale too.
    assert!(q.complete_many("b", &[(id, 1)]).await.unwrap().is_empty());
    let mut tx = q.db().begin().await.unwrap();
    assert!(matches!(
        Queue::complete_in(&mut tx, &stale.lease).await,
        Err(QueueError::LeaseLost { .. })
    ));
    tx.rollback().await.unwrap();

    let rec = q.get(id).await.unwrap();
    assert_eq!(rec.state, JobState::Running);
    assert_eq!(rec.lease_owner.as_deref(), Some("b"));
    assert_eq!(rec.attempts, 2);

    assert_eq!(q.heartbeat("b", &[(id, 2)], LONG).await.unwrap(), vec![id]);
    assert_eq!(q.complete_many("b", &[(id, 2)]).await.unwrap(), vec![id]);
    assert_eq!(state_of(&q, id).await, JobState::Done);
});

engine_test!(rescue_counts_the_attempt_then_buries, |db: Db| async move {
    let q = Queue::new(db);
    let id = q.enqueue(job("k").max_attempts(2)).await.unwrap();
    let short = Duration::from_millis(1);
    for round in 1..=2 {
        let got = q.claim("default", &owner("w"), 1, short).await.unwrap();
        assert_eq!(got[0].attempt, round);
        // A healthy holder's heartbeat keeps the job out of the sweep.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let r = q.rescue_expired().await.unwrap();
        let rec = q.get(id).await.unwrap();
        assert_eq!(rec.attempts, round);
        if round == 1 {
            assert_eq!((r.requeued, r.dead), (1, 0));
            assert_eq!(rec.state, JobState::Available);
            assert_eq!(rec.lease_owner, None);
        } else {
            assert_eq!((r.requeued, r.dead), (0, 1));
            assert_eq!(rec.state, JobState::Dead);
            assert!(rec.last_error.unwrap().contains("lease expired"));
            assert!(rec.finished_at.is_some());
        }
    }
    // A live lease is not rescued.
    let other = q.enqueue(job("k")).await.unwrap();
    q.claim("default", &owner("w"), 1, LONG).await.unwrap();
    assert_eq!(q.rescue_expired().await.unwrap().requeued, 0);
    assert_eq!(state_of(&q, other).await, JobState::Running);
});

engine_test!(cancel_by_id_and_by_run, |db: Db| async move {
    let q = Queue::new(db);
    let run = RunId::new(42);
    let ids = q
        .enqueue_many(&[
            job("k").run(run),
            job("k").run(run),
            job("k").run(RunId::new(7)),
        ])
        .await
        .unwrap();
    // One of the run's jobs is running when the run is cancelled: its worker is fenced out.
    let running = q
        .claim("default", &owner("w"), 1, LONG)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(running.id, ids[0]);
    assert_eq!(q.live_jobs_of_run(run).await.unwrap(), 2);
    let mut tx = q.db().begin().await.unwrap();
    assert_eq!(Queue::cancel_run_in(&mut tx, run).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(q.live_jobs_of_run(run).await.unwrap(), 0);
    assert!(matches!(
        q.complete(&running.lease).await,
        Err(QueueError::LeaseLost { .. })
    ));
    for j in q.jobs_of_run(run).await.unwrap() {
        assert_eq!(j.state, JobState::Cancelled);
    }
    assert_eq!(state_of(&q, ids[2]).await, JobState::Available);

    assert!(q.cancel(ids[2]).await.unwrap());
    assert!(!q.cancel(ids[2]).await.unwrap(), "already cancelled");
    assert!(matches!(
        q.cancel(JobId::new(999_999)).await,
        Err(QueueError::NotFound(_))
    ));
    assert!(
        q.claim("default", &owner("w"), 10, LONG)
            .await
            .unwrap()
            .is_empty()
    );
});

async fn create_effects(db: &Db) {
    on_db!(db, p => sqlx::query("CREATE TABLE effects (job_id BIGINT PRIMARY KEY, note TEXT NOT NULL)")
        .execute(p).await.map(|_| ()))
    .unwrap();
}

async fn effects(db: &Db) -> i64 {
    on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM effects").fetch_one(p).await).unwrap()
}

async fn insert_effect(tx: &mut pressroom_store::Tx, id: JobId) {
    pressroom_store::on_conn!(tx, c => sqlx::query("INSERT INTO effects (job_id, note) VALUES ($1, 'x')")
        .bind(id.get()).execute(c).await.map(|_| ()))
    .unwrap();
}

engine_test!(
    completion_commits_with_the_effect_or_not_at_all,
    |db: Db| async move {
        create_effects(&db).await;
        let q = Queue::new(db.clone());
        let id = q.enqueue(job("k")).await.unwrap();
        let c = q
            .claim("default", &owner("w"), 1, LONG)
            .await
            .unwrap()
            .remove(0);

        // Rolled back: neither the effect nor "done".
        let mut tx = db.begin().await.unwrap();
        insert_effect(&mut tx, id).await;
        Queue::complete_in(&mut tx, &c.lease).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(effects(&db).await, 0);
        assert_eq!(state_of(&q, id).await, JobState::Running);

        // Committed: both.
        let mut tx = db.begin().await.unwrap();
        insert_effect(&mut tx, id).await;
        Queue::complete_in(&mut tx, &c.lease).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(effects(&db).await, 1);
        assert_eq!(state_of(&q, id).await, JobState::Done);
    }
);

#[derive(Serialize, Deserialize)]
struct Note {
    n: u64,
}

engine_test!(
    worker_runs_handlers_and_completes_in_tx,
    |db: Db| async move {
        create_effects(&db).await;
        let q = Queue::new(db.clone());
        let seen = Arc::new(AtomicU64::new(0));
        let s = seen.clone();
        let worker = Worker::builder(db.clone())
            .config(fast_config())
            .register("count", move |_ctx: JobContext, p: Note| {
                let s = s.clone();
                async move {
                    s.fetch_add(p.n, Ordering::SeqCst);
                    Ok(())
                }
            })
            // Writes its effect and completes in one transaction; the first attempt of job 1
            // writes and completes, then fails before commit: nothing of it may remain.
            .register(
                "effect",
                |ctx: JobContext, _p: serde_json::Value| async move {
                    let mut tx = ctx.begin().await?;
                    insert_effect(&mut tx, ctx.id()).await;
                    ctx.complete_in(&mut tx).await?;
                    if ctx.attempt() == 1 {
                        return Err(JobError::retry("crashed before commit"));
                    }
                    tx.commit().await?;
                    Ok(())
                },
            )
            .queue("default", 4)
            .queue("other", 2)
            .build();
        let metrics = worker.metrics();
        let stop = CancellationToken::new();
        let running = tokio::spawn(worker.run(stop.clone()));

        let mut jobs: Vec<NewJob> = (1..=100)
            .map(|n| NewJob::new("count", &Note { n }).unwrap())
            .collect();
        jobs.extend((0..10).map(|_| job("effect").queue("other")));
        let ids = q.enqueue_many(&jobs).await.unwrap();
        let q2 = q.clone();
        wait_until("all jobs done", || {
            let q = q2.clone();
            async move {
                q.counts()
                    .await
                    .unwrap()
                    .iter()
                    .filter(|c| c.state == JobState::Done)
                    .map(|c| c.count)
                    .sum::<i64>()
                    == 110
            }
        })
        .await;
        assert_eq!(seen.load(Ordering::SeqCst), 5050);
        assert_eq!(effects(&db).await, 10);
        for id in &ids[100..] {
            let r = q.get(*id).await.unwrap();
            assert_eq!((r.state, r.attempts), (JobState::Done, 2));
        }
        stop.cancel();
        let snap = running.await.unwrap().unwrap();
        assert_eq!(snap.done, 110);
        assert_eq!(snap.retried, 10);
        assert_eq!(snap.claimed, 120);
        assert_eq!(snap.in_flight, 0);
        assert_eq!(metrics.snapshot(), snap);
    }
);

engine_test!(retries_back_off_then_the_job_is_dead, |db: Db| async move {
    let q = Queue::new(db.clone());
    let worker = Worker::builder(db.clone())
        .config(fast_config())
        .register(
            "flaky",
            |ctx: JobContext, _p: serde_json::Value| async move {
                Err::<(), _>(JobError::retry(format!("boom {}", ctx.attempt())))
            },
        )
        .build();
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let id = q.enqueue(job("flaky").max_attempts(3)).await.unwrap();
    let q2 = q.clone();
    wait_until("job dead", || {
        let q = q2.clone();
        async move { state_of(&q, id).await == JobState::Dead }
    })
    .await;
    let r = q.get(id).await.unwrap();
    assert_eq!(r.attempts, 3);
    assert_eq!(r.last_error.as_deref(), Some("boom 3"));
    // Each retry was scheduled in the future, not run at once.
    assert!(r.run_at > r.created_at);
    stop.cancel();
    let snap = running.await.unwrap().unwrap();
    assert_eq!((snap.retried, snap.dead), (2, 1));
});

#[derive(Deserialize)]
struct Strict {
    #[allow(dead_code)]
    image_id: i64,
}

engine_test!(
    unknown_kinds_and_bad_payloads_die_at_once,
    |db: Db| async move {
        let q = Queue::new(db.clone());
        let worker = Worker::builder(db.clone())
            .config(fast_config())
            .register(
                "strict",
                |_ctx: JobContext, _p: Strict| async move { Ok(()) },
            )
            .register(
                "permanent",
                |_ctx: JobContext, _p: serde_json::Value| async move {
                    Err(JobError::permanent("the image was deleted"))
                },
            )
            .build();
        let stop = CancellationToken::new();
        let running = tokio::spawn(worker.run(stop.clone()));
        let ids = q
            .enqueue_many(&[
                job("no-such-kind"),
                NewJob::with_json("strict", r#"{"image_id": "seven"}"#),
                NewJob::with_json("strict", r#"{"image_id": 7}"#),
                job("permanent"),
            ])
            .await
            .unwrap();
        let q2 = q.clone();
        let ids2 = ids.clone();
        wait_until("all settled", || {
            let (q, ids) = (q2.clone(), ids2.clone());
            async move {
                for id in ids {
                    if matches!(
                        state_of(&q, id).await,
                        JobState::Available | JobState::Running
                    ) {
                        return false;
                    }
                }
                true
            }
        })
        .await;
        let unknown = q.get(ids[0]).await.unwrap();
        assert_eq!((unknown.state, unknown.attempts), (JobState::Dead, 1));
        assert!(
            unknown
                .last_error
                .unwrap()
                .contains("unknown job kind \"no-such-kind\"")
        );
        let bad = q.get(ids[1]).await.unwrap();
        assert_eq!((bad.state, bad.attempts), (JobState::Dead, 1));
        assert!(bad.last_error.unwrap().contains("does not decode"));
        assert_eq!(state_of(&q, ids[2]).await, JobState::Done);
        let perm = q.get(ids[3]).await.unwrap();
        assert_eq!((perm.state, perm.attempts), (JobState::Dead, 1));
        assert_eq!(perm.last_error.as_deref(), Some("the image was deleted"));
        stop.cancel();
        running.await.unwrap().unwrap();
    }
);

engine_test!(an_idle_worker_is_woken_not_polled, |db: Db| async move {
    let q = Queue::new(db.clone());
    let done = Arc::new(AtomicU64::new(0));
    let d = done.clone();
    // Polling once an hour: only a wake-up can start the job before the test times out.
    let worker = Worker::builder(db.clone())
        .config(WorkerConfig {
            poll_interval: Duration::from_secs(3600),
            ..fast_config()
        })
        .register("ping", move |_ctx: JobContext, _p: serde_json::Value| {
            let d = d.clone();
            async move {
                d.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .build();
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    // Let the worker go idle (and, on PostgreSQL, start listening).
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 1..=3 {
        q.enqueue(job("ping")).await.unwrap();
        let d = done.clone();
        wait_until("woken worker ran the job", || {
            let d = d.clone();
            async move { d.load(Ordering::SeqCst) == i }
        })
        .await;
    }
    stop.cancel();
    running.await.unwrap().unwrap();
});

engine_test!(
    shutdown_releases_jobs_past_the_deadline,
    |db: Db| async move {
        let q = Queue::new(db.clone());
        let worker = Worker::builder(db.clone())
            .config(WorkerConfig {
                shutdown_grace: Duration::from_millis(300),
                ..fast_config()
            })
            .register(
                "quick",
                |_ctx: JobContext, _p: serde_json::Value| async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(())
                },
            )
            .register(
                "slow",
                |_ctx: JobContext, _p: serde_json::Value| async move {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(())
                },
            )
            // Wraps up as soon as shutdown begins.
            .register(
                "polite",
                |ctx: JobContext, _p: serde_json::Value| async move {
                    ctx.shutdown_requested().await;
                    assert!(ctx.is_shutting_down());
                    Ok(())
                },
            )
            .build();
        let stop = CancellationToken::new();
        let running = tokio::spawn(worker.run(stop.clone()));
        let ids = q
            .enqueue_many(&[job("quick"), job("slow"), job("polite")])
            .await
            .unwrap();
        let (q2, slow_id, polite_id) = (q.clone(), ids[1], ids[2]);
        wait_until("slow and polite running", || {
            let q = q2.clone();
            async move {
                state_of(&q, slow_id).await == JobState::Running
                    && state_of(&q, polite_id).await == JobState::Running
            }
        })
        .await;
        stop.cancel();
        let snap = running.await.unwrap().unwrap();
        assert_eq!(snap.released, 1);
        assert_eq!(state_of(&q, ids[0]).await, JobState::Done);
        assert_eq!(state_of(&q, ids[2]).await, JobState::Done);
        let slow = q.get(ids[1]).await.unwrap();
        assert_eq!((slow.state, slow.attempts), (JobState::Available, 0));
    }
);

#[tokio::test]
async fn queues_on_one_sqlite_file_share_wakeups() {
    let t = pressroom_store::testing::TestDb::new(Engine::Sqlite)
        .await
        .unwrap();
    let other = Db::connect(&t.url).await.unwrap();
    let a = Queue::new(t.db.clone());
    let b = Queue::new(other);
    let n = a.notifier("default");
    let notified = n.notified();
    tokio::pin!(notified);
    notified.as_mut().enable();
    b.enqueue(job("k")).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), notified)
        .await
        .expect("woken");
}

#[tokio::test]
async fn the_test_postgres_url_reaches_the_test_schema() {
    let Some(t) = pressroom_store::testing::TestDb::new(Engine::Postgres).await else {
        return;
    };
    let id = Queue::new(t.db.clone()).enqueue(job("k")).await.unwrap();
    let other = Queue::new(Db::connect(&t.url).await.unwrap());
    assert_eq!(other.get(id).await.unwrap().kind, "k");
}

engine_test!(
    enqueue_in_a_transaction_commits_with_it,
    |db: Db| async move {
        let q = Queue::new(db.clone());
        let mut tx = db.begin().await.unwrap();
        let ids = Queue::enqueue_in(&mut tx, &[job("k"), job("k").dedupe_key("d")])
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert!(matches!(q.get(ids[0]).await, Err(QueueError::NotFound(_))));

        let mut tx = db.begin().await.unwrap();
        let ids = Queue::enqueue_in(&mut tx, &[job("k"), job("k").dedupe_key("d")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        q.wake("default");
        assert_eq!(state_of(&q, ids[1]).await, JobState::Available);
        assert_eq!(q.enqueue(job("k").dedupe_key("d")).await.unwrap(), ids[1]);
    }
);

/// PostgreSQL only: the test cuts the worker's connections (pool and LISTEN) several times
/// while it works; every job still ends done, none twice-completed or lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_ride_out_a_database_outage_postgres() {
    use std::str::FromStr;
    let Some(t) = pressroom_store::testing::TestDb::new(Engine::Postgres).await else {
        return;
    };
    let app = format!("pq_outage_{:08x}", rand::random::<u32>());
    let opts = sqlx::postgres::PgConnectOptions::from_str(&t.url)
        .unwrap()
        .application_name(&app);
    let worker_db = Db::connect_postgres(opts).await.unwrap();
    let worker = Worker::builder(worker_db)
        .config(WorkerConfig {
            poll_interval: Duration::from_millis(100),
            ..fast_config()
        })
        .register(
            "slow",
            |_ctx: JobContext, _p: serde_json::Value| async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok(())
            },
        )
        .queue("default", 4)
        .build();
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let q = Queue::new(t.db.clone());
    let jobs: Vec<NewJob> = (0..200).map(|_| job("slow")).collect();
    q.enqueue_many(&jobs).await.unwrap();
    let Db::Postgres(admin) = &t.db else {
        unreachable!()
    };
    let mut cut = 0i64;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&app)
        .fetch_one(admin)
        .await
        .unwrap();
        cut += n;
    }
    assert!(cut > 0, "no worker connection was cut");
    let q2 = q.clone();
    wait_until("all jobs done after the outages", || {
        let q = q2.clone();
        async move {
            let c = q.counts().await.unwrap();
            c.iter().all(|c| c.state == JobState::Done)
                && c.iter().map(|c| c.count).sum::<i64>() == 200
        }
    })
    .await;
    stop.cancel();
    running.await.unwrap().unwrap();
}

engine_test!(
    heartbeats_keep_a_long_job_from_rescue,
    |db: Db| async move {
        let q = Queue::new(db.clone());
        // The lease is far shorter than the job; only heartbeats keep it. A second worker sweeps
        // for expired leases all the while.
        let config = WorkerConfig {
            poll_interval: Duration::from_millis(50),
            ..WorkerConfig::default().with_lease(Duration::from_millis(600))
        };
        let runs = Arc::new(AtomicU64::new(0));
        let make = |runs: Arc<AtomicU64>| {
            Worker::builder(db.clone())
                .config(config.clone())
                .register("long", move |_ctx: JobContext, _p: serde_json::Value| {
                    let runs = runs.clone();
                    async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(2000)).await;
                        Ok(())
                    }
                })
                .build()
        };
        let stop = CancellationToken::new();
        let a = tokio::spawn(make(runs.clone()).run(stop.clone()));
        let id = q.enqueue(job("long")).await.unwrap();
        let q2 = q.clone();
        wait_until("job running", || {
            let q = q2.clone();
            async move { state_of(&q, id).await == JobState::Running }
        })
        .await;
        let b = tokio::spawn(make(runs.clone()).run(stop.clone()));
        let q2 = q.clone();
        wait_until("job done", || {
            let q = q2.clone();
            async move { state_of(&q, id).await == JobState::Done }
        })
        .await;
        let r = q.get(id).await.unwrap();
        assert_eq!(r.attempts, 1);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        stop.cancel();
        let (sa, sb) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
        assert_eq!(sa.rescued + sb.rescued, 0);
    }
);

engine_test!(list_filters_by_state_and_queue, |db: Db| async move {
    let q = Queue::new(db);
    let ids = q
        .enqueue_many(&[job("k"), job("k").queue("images"), job("k").queue("images")])
        .await
        .unwrap();
    q.cancel(ids[2]).await.unwrap();
    let all = q.list(None, None, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1], ids[0]]
    );
    let images = q
        .list(Some(JobState::Available), Some("images"), 10)
        .await
        .unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].id, ids[1]);
    let cancelled = q.list(Some(JobState::Cancelled), None, 10).await.unwrap();
    assert_eq!(cancelled[0].id, ids[2]);
    assert_eq!(q.list(None, None, 1).await.unwrap().len(), 1);
});
