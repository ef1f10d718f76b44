//! Run control and honest failure: a failed batch does not end stage 1, pause holds provider
//! calls, a cancel keeps its finish time, rejected articles can be reopened, and two images of
//! one article settling at once move it to review.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_mock_ai::Step;
use pressroom_pipeline::images::IMAGE_JOB;
use pressroom_pipeline::images::generate_images;
use pressroom_pipeline::{Pipeline, runs, workers};
use pressroom_providers::LimitConfig;
use pressroom_queue::CancellationToken;
use pressroom_queue::{HELD_AT, MetricsSnapshot};
use pressroom_store::GeneratedImage;
use pressroom_store::{Db, engine_test};
use std::time::Duration;

/// A worker running in the background until the returned token is cancelled.
fn background_worker(
    p: &Pipeline,
    slots: usize,
) -> (
    CancellationToken,
    tokio::task::JoinHandle<Result<MetricsSnapshot, pressroom_queue::QueueError>>,
) {
    let stop = CancellationToken::new();
    let handle = tokio::spawn(workers::worker(p, slots, test_worker_config()).run(stop.clone()));
    (stop, handle)
}

async fn wait_for<F: AsyncFn() -> bool>(what: &str, done: F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A run over images from the mock (150 ms a call, 2 at once) paused in Stage 6 once two
/// images are generated, after the calls under way have finished; its worker still runs.
async fn paused_in_stage_6(
    db: &Db,
) -> (
    Harness,
    RunId,
    CancellationToken,
    tokio::task::JoinHandle<Result<MetricsSnapshot, pressroom_queue::QueueError>>,
) {
    let mock = MockConfig {
        latency: Duration::from_millis(150),
        ..Default::default()
    };
    let h = harness(db.clone(), mock, "offline", "openai").await;
    h.limits
        .set("openai-images", h.account.get(), LimitConfig::new(None, 2));
    let (run, _) = runs::start_run(
        &h.p,
        h.account,
        h.site.id,
        RunTrigger::Manual,
        &Default::default(),
    )
    .await
    .unwrap();
    let (stop, worker) = background_worker(&h.p, 4);
    wait_for("two images generated", async || {
        db.pipeline_counts(h.account, h.site.id)
            .await
            .unwrap()
            .images_generated
            >= 2
    })
    .await;
    runs::pause_run(&h.p, h.account, run.id).await.unwrap();
    // Calls already under way finish; after that nothing is claimed or called.
    wait_for("the run's image jobs held or settled", async || {
        let c = h.p.queue().run_job_counts(run.id, IMAGE_JOB).await.unwrap();
        c.live == c.held
    })
    .await;
    (h, run.id, stop, worker)
}

engine_test!(
    a_failed_cluster_naming_call_does_not_end_stage_1,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        // The keywords form two groups over the whole list; the model names each in one call.
        // The first call is refused; the second is answered.
        h.mock.script([Step::Named("refusal".into())]);
        let run = run_to_end(&h).await;
        let r = &run.stage_results[0];
        assert_eq!(r.processed, 8, "every group was tried: {r:?}");
        assert_eq!(r.failed, 4, "the refused group's keywords: {r:?}");
        assert!(r.created > 0, "the other group made its cluster: {r:?}");
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        assert!(
            run.stage_results[3].created > 0,
            "the run went on to write articles"
        );
        assert_eq!(run.failed_items(), 4);
        let events = db.run_events(h.account, run.id, None, 1000).await.unwrap();
        assert!(
            events.iter().any(|e| e.level == EventLevel::Error
                && e.message.starts_with("clustering 4 keywords failed")),
            "the failure is recorded with its error"
        );
        assert!(
            events
                .iter()
                .any(|e| e.message.starts_with("4 keywords remain new")),
            "the keywords left new are counted and explained"
        );
        let last = events.last().unwrap();
        assert!(
            last.message
                .contains("with failures: 4 keywords could not be clustered"),
            "the final event names what failed: {}",
            last.message
        );
        assert_eq!(last.fields["failed"], 4);
        let providers = run.providers.expect("the run records its providers");
        assert_eq!(providers.text_provider, "openai");
        assert_eq!(providers.image_provider, "offline");
    }
);

engine_test!(
    pause_holds_the_runs_image_jobs_and_makes_no_provider_calls,
    |db: Db| async move {
        let (h, run, stop, worker) = paused_in_stage_6(&db).await;
        let calls = h.mock.requests("images_generations");
        let held =
            h.p.queue()
                .run_job_counts(run, IMAGE_JOB)
                .await
                .unwrap()
                .held;
        assert!(held > 0, "queued image jobs are held, not drained");
        let total = db
            .pipeline_counts(h.account, h.site.id)
            .await
            .unwrap()
            .images;
        assert!(calls < total as u64, "the pause stopped the run part-way");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            h.mock.requests("images_generations"),
            calls,
            "no provider call while paused"
        );
        assert_eq!(
            db.run(h.account, run).await.unwrap().status,
            RunStatus::Paused
        );
        let jobs = h.p.queue().jobs_of_run(run).await.unwrap();
        assert!(
            jobs.iter().any(|j| j.run_at == HELD_AT),
            "held jobs are kept, not lost"
        );

        runs::resume_run(&h.p, h.account, run).await.unwrap();
        wait_for("the run finished", async || {
            !db.run(h.account, run).await.unwrap().status.is_active()
        })
        .await;
        stop.cancel();
        worker.await.unwrap().unwrap();
        let run = db.run(h.account, run).await.unwrap();
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert_eq!(
            counts.images_generated, total,
            "every image generated after resume"
        );
        assert_eq!(
            h.mock.requests("images_generations"),
            total as u64,
            "each image called once"
        );
        let image_charges = ledger_charges(&db, h.account)
            .await
            .iter()
            .filter(|e| e.idempotency_key.starts_with("image:"))
            .count();
        assert_eq!(image_charges as i64, total, "each image charged once");
    }
);

engine_test!(
    a_cancel_mid_stage_keeps_its_finish_time,
    |db: Db| async move {
        let mock = MockConfig {
            latency: Duration::from_millis(100),
            ..Default::default()
        };
        let h = harness(db.clone(), mock, "openai", "offline").await;
        let (run, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
        let (stop, worker) = background_worker(&h.p, 4);
        // Stage 4 under way, or (on a loaded machine that polls late) a text stage after it:
        // stage 5's calls to the same slow mock leave the run mid-stage either way.
        wait_for("stage 4 under way", async || {
            let r = db.run(h.account, run.id).await.unwrap();
            r.status == RunStatus::Running
                && (Stage::TasksToContent..=Stage::ContentToImagePrompts).contains(&r.current_stage)
                && r.stage_results[3].processed > 0
        })
        .await;
        let cancelled = runs::cancel_run(&h.p, h.account, run.id).await.unwrap();
        let finished_at = cancelled
            .finished_at
            .expect("cancel records the finish time");
        // The driver records the items still out, then stops at the boundary.
        wait_for("the driver stopped", async || {
            h.p.queue().live_jobs_of_run(run.id).await.unwrap() == 0
        })
        .await;
        stop.cancel();
        worker.await.unwrap().unwrap();
        let after = db.run(h.account, run.id).await.unwrap();
        assert_eq!(after.status, RunStatus::Cancelled);
        assert_eq!(
            after.finished_at,
            Some(finished_at),
            "the driver did not overwrite it"
        );
        assert!(after.stage_results[3].processed > 0);
    }
);

engine_test!(
    a_rejected_article_can_be_reopened_for_review,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview);
        let review = db
            .content_list(h.account, h.site.id, Some(ContentStatus::Review), 2)
            .await
            .unwrap();
        let (a, b) = (review[0].id, review[1].id);
        let rejected = pressroom_pipeline::content::review_many(
            &h.p,
            h.account,
            &[a],
            ContentStatus::Rejected,
            true,
        )
        .await
        .unwrap();
        assert!(rejected[0].result.is_ok());
        let reopened = pressroom_pipeline::content::review_many(
            &h.p,
            h.account,
            &[a],
            ContentStatus::Review,
            true,
        )
        .await
        .unwrap();
        assert!(reopened[0].result.is_ok(), "{reopened:?}");
        assert_eq!(
            db.content(h.account, a).await.unwrap().status,
            ContentStatus::Review
        );
        // Approved is not reopened: the domain refuses the move, nothing changes.
        pressroom_pipeline::content::review_many(
            &h.p,
            h.account,
            &[b],
            ContentStatus::Approved,
            true,
        )
        .await
        .unwrap();
        let refused = pressroom_pipeline::content::review_many(
            &h.p,
            h.account,
            &[b],
            ContentStatus::Review,
            true,
        )
        .await
        .unwrap();
        assert!(refused[0].result.is_err());
        assert_eq!(
            db.content(h.account, b).await.unwrap().status,
            ContentStatus::Approved
        );
    }
);

engine_test!(
    two_images_of_an_article_settling_at_once_move_it_to_review,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| s.in_article_images = 1).await;
        let (content, images) = content_with_pending_images(&h).await;
        assert_eq!(images.len(), 2);
        for id in &images {
            assert!(db.start_image(h.account, *id).await.unwrap());
        }
        let done = |id: ImageId| GeneratedImage {
            provider: "offline".into(),
            model: "title-card".into(),
            file_path: format!("{id}.png"),
            public_url: None,
            bytes: 1,
            sha256: "0".repeat(64),
        };
        let mut first = db.begin().await.unwrap();
        assert!(
            first
                .finish_image(h.account, images[0], &done(images[0]))
                .await
                .unwrap()
        );
        assert!(
            !first
                .review_if_images_settled(h.account, content)
                .await
                .unwrap()
        );
        if db.engine() == pressroom_store::Engine::Postgres {
            // The second image settles while the first transaction is still open: it must wait
            // for it rather than decide on a stale view of the article's images.
            let (db2, account, second) = (db.clone(), h.account, images[1]);
            let image = done(second);
            let other = tokio::spawn(async move {
                let mut tx = db2.begin().await.unwrap();
                assert!(tx.finish_image(account, second, &image).await.unwrap());
                let moved = tx.review_if_images_settled(account, content).await.unwrap();
                tx.commit().await.unwrap();
                moved
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
            first.commit().await.unwrap();
            assert!(other.await.unwrap(), "the second settles the article");
        } else {
            // SQLite's writers run one after the other.
            first.commit().await.unwrap();
            let mut tx = db.begin().await.unwrap();
            assert!(
                tx.finish_image(h.account, images[1], &done(images[1]))
                    .await
                    .unwrap()
            );
            assert!(
                tx.review_if_images_settled(h.account, content)
                    .await
                    .unwrap()
            );
            tx.commit().await.unwrap();
        }
        assert_eq!(
            db.content(h.account, content).await.unwrap().status,
            ContentStatus::Review
        );
    }
);

engine_test!(
    cancelling_a_paused_run_cancels_its_held_jobs_and_spends_nothing_more,
    |db: Db| async move {
        let (h, run, stop, worker) = paused_in_stage_6(&db).await;
        let calls = h.mock.requests("images_generations");
        let cancelled = runs::cancel_run(&h.p, h.account, run).await.unwrap();
        assert_eq!(cancelled.status, RunStatus::Cancelled);
        let jobs = h.p.queue().run_job_counts(run, IMAGE_JOB).await.unwrap();
        assert_eq!(
            (jobs.live, jobs.held),
            (0, 0),
            "no job outlives the cancelled run"
        );
        // Cancelling again is harmless, and queueing for the cancelled run is refused.
        runs::cancel_run(&h.p, h.account, run).await.unwrap();
        let pending = db
            .image_ids_after(h.account, h.site.id, &[ImageStatus::Pending], 0, 10)
            .await
            .unwrap();
        assert!(!pending.is_empty());
        assert!(
            generate_images(&h.p, h.account, &pending, Some(run))
                .await
                .is_err()
        );
        tokio::time::sleep(Duration::from_millis(1000)).await;
        stop.cancel();
        worker.await.unwrap().unwrap();
        assert_eq!(
            h.mock.requests("images_generations"),
            calls,
            "no call after the cancel"
        );
        // The images wait, pending, for the next run.
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert!(counts.images_pending > 0);
    }
);
