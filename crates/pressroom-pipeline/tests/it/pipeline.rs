//! The fix plan's checklist, over the mock provider server on real HTTP and on both engines:
//! one image; Stage 6 with several pending images; invalid ids; credits exactly as the registry
//! says; OpenAI and Runware; the full pipeline from Stage 1 to Stage 7 with its events and
//! per-stage credits; a flaky provider; a crash in the middle of Stage 6.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::{ImageMode, MockConfig};
use pressroom_pipeline::images::{ImageRequestOutcome, generate_images};
use pressroom_pipeline::{functions, runs, workers};
use pressroom_providers::{LimitConfig, ModelRegistry};
use pressroom_queue::CancellationToken;
use pressroom_store::{Db, StoreError, engine_test};
use std::collections::HashMap;
use std::time::Duration;

fn assert_png_file(h: &Harness, image: &Image) {
    let path =
        h.p.media()
            .root()
            .join(image.file_path.as_deref().expect("file path"));
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len() as i64, image.bytes.unwrap());
    image::load_from_memory(&bytes)
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
}

engine_test!(
    one_image_over_openai_is_generated_and_charged_once,
    |db: Db| async move {
        let h = harness(
            db,
            MockConfig {
                image_mode: ImageMode::Url,
                ..Default::default()
            },
            "offline",
            "openai",
        )
        .await;
        let (content, images) = content_with_pending_images(&h).await;
        assert_eq!(
            images.len(),
            3,
            "one featured and two in-article prompts (Stage 5 output)"
        );
        for id in &images {
            let img = h.p.db().image(h.account, *id).await.unwrap();
            assert_eq!(img.status, ImageStatus::Pending);
            assert!(!img.prompt.is_empty());
        }
        let balance_before = h.p.db().account(h.account).await.unwrap().credits;
        let out = generate_images(&h.p, h.account, &images[..1], None)
            .await
            .unwrap();
        assert_eq!(out, vec![ImageRequestOutcome::Queued { image: images[0] }]);
        let one = images[0];
        work_until(&h.p, async || {
            h.p.db()
                .image(h.account, one)
                .await
                .unwrap()
                .status
                .is_settled()
        })
        .await;
        let img = h.p.db().image(h.account, one).await.unwrap();
        assert_eq!(img.status, ImageStatus::Generated, "{:?}", img.error);
        assert_eq!(img.provider.as_deref(), Some("openai"));
        assert_png_file(&h, &img);
        // The prompt sent was the template applied to the stored prompt.
        let sent = h.mock.last_request("images_generations").unwrap();
        let content_row = h.p.db().content(h.account, content).await.unwrap();
        assert_eq!(
            sent["prompt"].as_str().unwrap(),
            format!(
                "Create a featured image for '{}'. Prompt: {}",
                content_row.title, img.prompt
            )
        );
        // Credits exactly as the registry says for the model used.
        let per_image = ModelRegistry::seeded()
            .get(img.model.as_deref().unwrap())
            .unwrap()
            .image_credits(1);
        assert!(per_image.0 > 0);
        let after = h.p.db().account(h.account).await.unwrap().credits;
        assert_eq!(balance_before.0 - after.0, per_image.0);
        // Asking again: skipped, no call, no charge. The other images are untouched.
        let calls = h.mock.requests("images_generations");
        let again = generate_images(&h.p, h.account, &[one], None)
            .await
            .unwrap();
        assert_eq!(
            again,
            vec![ImageRequestOutcome::AlreadyGenerated { image: one }]
        );
        assert_eq!(h.mock.requests("images_generations"), calls);
        assert_eq!(h.p.db().account(h.account).await.unwrap().credits, after);
        assert_eq!(
            h.p.db().image(h.account, images[1]).await.unwrap().status,
            ImageStatus::Pending
        );
        assert_eq!(
            h.p.db().content(h.account, content).await.unwrap().status,
            ContentStatus::Draft,
            "not all images settled yet"
        );
    }
);

engine_test!(
    more_image_jobs_than_provider_slots_never_exceed_the_provider_limit,
    |db: Db| async move {
        // Latency long enough that calls overlap whenever the limiter lets them.
        let mock = MockConfig {
            latency: Duration::from_millis(150),
            ..Default::default()
        };
        let mut h = harness(db, mock, "offline", "openai").await;
        h.edit_settings(|s| s.in_article_images = 8).await;
        let provider_limit = 2;
        h.limits.set(
            "openai-images",
            h.account.get(),
            LimitConfig::new(None, provider_limit),
        );
        let (content, images) = content_with_pending_images(&h).await;
        assert_eq!(images.len(), 9);
        generate_images(&h.p, h.account, &images, None)
            .await
            .unwrap();
        let slots = workers::image_slots_for(provider_limit);
        assert!(slots > provider_limit);
        work_until_with_slots(&h.p, slots, async || {
            h.p.db().content(h.account, content).await.unwrap().status == ContentStatus::Review
        })
        .await;
        for id in &images {
            let img = h.p.db().image(h.account, *id).await.unwrap();
            assert_eq!(img.status, ImageStatus::Generated, "{:?}", img.error);
        }
        let stats = &h.mock.stats()["images_generations"];
        assert_eq!(stats.requests, 9);
        assert_eq!(
            stats.max_in_flight, provider_limit as u64,
            "the worker ran {slots} jobs but the provider saw at most its limit, and used all of it"
        );
    }
);

engine_test!(
    an_idea_read_before_it_became_a_task_makes_no_second_task,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let kws = db
            .keywords_by_status(h.account, h.site.id, KeywordStatus::New, 100)
            .await
            .unwrap();
        assert!(!kws.is_empty());
        let report = functions::cluster_keywords(&h.p, h.account, h.site.id, None)
            .await
            .unwrap();
        let ideas = functions::generate_ideas(&h.p, h.account, report.clusters[0], None)
            .await
            .unwrap()
            .ideas;
        assert!(ideas.len() >= 2);
        let stale = db.idea(h.account, ideas[0]).await.unwrap();
        assert_eq!(stale.status, IdeaStatus::New);
        let made = functions::create_tasks(&h.p, h.account, &ideas[..1])
            .await
            .unwrap();
        assert_eq!(made.len(), 1);
        // A writer still holding the idea as it was read: refused before writing anything, and
        // its transaction goes on to make the other idea's task.
        let other = db.idea(h.account, ideas[1]).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let err = tx.create_task_for_idea(&stale).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Domain(DomainError::IllegalTransition { .. })
            ),
            "{err:?}"
        );
        tx.create_task_for_idea(&other).await.unwrap();
        tx.commit().await.unwrap();
        let tasks = db.tasks(h.account, h.site.id, None, 1000).await.unwrap();
        assert_eq!(tasks.len(), 2, "one task per idea");
        assert_eq!(tasks.iter().filter(|t| t.idea_id == ideas[0]).count(), 1);
    }
);

engine_test!(
    invalid_and_foreign_ids_are_reported_and_change_nothing,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (_, images) = content_with_pending_images(&h).await;
        let other = db.create_account("other", Credits(100)).await.unwrap();
        let foreign = generate_images(&h.p, other.id, &images, None)
            .await
            .unwrap();
        assert!(
            foreign
                .iter()
                .all(|o| matches!(o, ImageRequestOutcome::NotFound { .. })),
            "{foreign:?}"
        );
        let missing = ImageId::new(9_999_999);
        let mixed = generate_images(&h.p, h.account, &[missing, images[0]], None)
            .await
            .unwrap();
        assert_eq!(
            mixed,
            vec![
                ImageRequestOutcome::NotFound { image: missing },
                ImageRequestOutcome::Queued { image: images[0] }
            ]
        );
        // Only the one real image was queued; the rest are still pending and nobody was charged.
        for id in &images[1..] {
            assert_eq!(
                h.p.db().image(h.account, *id).await.unwrap().status,
                ImageStatus::Pending
            );
        }
        assert!(ledger_charges(&db, other.id).await.is_empty());
    }
);

engine_test!(
    stage6_on_runware_generates_every_pending_image,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "runware").await;
        let (content, images) = content_with_pending_images(&h).await;
        let more = functions::create_tasks(
            &h.p,
            h.account,
            &h.p.db()
                .ideas(h.account, h.site.id, Some(IdeaStatus::New), 1)
                .await
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
        let (c2, _) = functions::generate_content(&h.p, h.account, more[0], None)
            .await
            .unwrap();
        let (images2, _) = functions::generate_image_prompts(&h.p, h.account, c2, None)
            .await
            .unwrap();
        let all: Vec<ImageId> = images.iter().chain(&images2).copied().collect();
        assert!((3..=6).contains(&all.len()));
        generate_images(&h.p, h.account, &all, None).await.unwrap();
        work_until(&h.p, async || {
            h.p.db()
                .images_by_ids(h.account, &all)
                .await
                .unwrap()
                .iter()
                .all(|i| i.status.is_settled())
        })
        .await;
        let done = h.p.db().images_by_ids(h.account, &all).await.unwrap();
        let mut hashes = std::collections::HashSet::new();
        for img in &done {
            assert_eq!(img.status, ImageStatus::Generated, "{:?}", img.error);
            assert_eq!(img.provider.as_deref(), Some("runware"));
            assert_png_file(&h, img);
            hashes.insert(img.file_path.clone());
        }
        assert_eq!(
            hashes.len(),
            all.len(),
            "each image stored under its own name"
        );
        assert_eq!(h.mock.requests("runware") as usize, all.len());
        let per_image = ModelRegistry::seeded()
            .get(done[0].model.as_deref().unwrap())
            .unwrap()
            .image_credits(1);
        let image_charges: i64 = ledger_charges(&db, h.account)
            .await
            .iter()
            .filter(|e| e.idempotency_key.starts_with("image:"))
            .map(|e| -e.delta.0)
            .sum();
        assert_eq!(image_charges, per_image.0 * all.len() as i64);
        for c in [content, c2] {
            assert_eq!(
                h.p.db().content(h.account, c).await.unwrap().status,
                ContentStatus::Review,
                "all images settled -> review"
            );
        }
    }
);

engine_test!(
    full_pipeline_over_openai_reports_every_stage,
    |db: Db| async move {
        let h = harness(
            db.clone(),
            MockConfig {
                image_mode: ImageMode::B64,
                ..Default::default()
            },
            "openai",
            "openai",
        )
        .await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let r = &run.stage_results;
        assert_eq!(r[0].processed, 8);
        assert!(r[0].created >= 1 && r[1].created >= 3 && r[2].created == r[1].created);
        assert_eq!(r[3].created, r[2].created, "one article per task");
        assert_eq!(
            r[4].created,
            r[3].created * 3,
            "featured + 2 in-article each"
        );
        assert_eq!(r[5].created, r[4].created);
        assert_eq!(r[5].failed, 0);
        assert_eq!(
            r[6].skipped, r[3].created,
            "all articles wait for review (manual mode)"
        );
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert_eq!(counts.images_generated, r[5].created);
        assert_eq!(counts.content_review, r[3].created);
        // Credits: per stage, per run, per usage row, per ledger entry, all agree with the registry.
        let total: i64 = r.iter().map(|s| s.credits.0).sum();
        assert_eq!(run.credits_used.0, total);
        let charged: i64 = ledger_charges(&db, h.account)
            .await
            .iter()
            .map(|e| -e.delta.0)
            .sum();
        assert_eq!(charged, total);
        assert!(r[0].credits.0 > 0 && r[3].credits.0 > 0 && r[5].credits.0 > 0);
        let registry = ModelRegistry::seeded();
        for (function, _provider, model, tokens, images, _cost, credits, _lat, success) in
            db.usage_rows(h.account, 1000).await.unwrap()
        {
            assert!(success, "{function} failed");
            let spec = registry.get(&model).unwrap();
            let expected = if function == "generate-image" {
                spec.image_credits(images)
            } else {
                spec.text_credits(tokens, 0)
            };
            assert_eq!(credits, expected.0, "{function} {model}");
        }
        // Events: every stage reported, with structured counts.
        let events = db
            .run_events(h.account, run.id, None, 10_000)
            .await
            .unwrap();
        for stage in Stage::ALL {
            assert!(
                events
                    .iter()
                    .any(|e| e.stage == Some(stage) && e.fields["counts"]["processed"].is_i64()),
                "no events for stage {}",
                stage.number()
            );
        }
        assert!(
            h.mock.requests("chat_completions") >= 1 + r[1].processed as u64 + r[3].created as u64
        );
        // Approve one article: the review gate's manual path.
        let first = db
            .content_list(h.account, h.site.id, Some(ContentStatus::Review), 1)
            .await
            .unwrap()
            .remove(0);
        let res = pressroom_pipeline::content::review_many(
            &h.p,
            h.account,
            &[first.id],
            ContentStatus::Approved,
            true,
        )
        .await
        .unwrap();
        assert!(res[0].result.is_ok());
        assert!(!first.body_html.contains("<script"));
    }
);

engine_test!(
    a_provider_failing_30_percent_still_settles_every_image,
    |db: Db| async move {
        let h = harness(
            db.clone(),
            MockConfig {
                fail_rate: 0.3,
                seed: 7,
                image_mode: ImageMode::B64,
                ..Default::default()
            },
            "offline",
            "openai",
        )
        .await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let images = db.images(h.account, h.site.id, None, 10_000).await.unwrap();
        assert!(!images.is_empty());
        for img in &images {
            match img.status {
                ImageStatus::Generated => assert_png_file(&h, img),
                ImageStatus::Failed => assert!(img.error.as_deref().is_some_and(|e| !e.is_empty())),
                other => panic!("image {} left {other}", img.id),
            }
        }
        assert!(
            h.mock.stats()["images_generations"]
                .statuses
                .get("500")
                .copied()
                .unwrap_or(0)
                > 0,
            "the mock did fail some calls"
        );
        let generated = images
            .iter()
            .filter(|i| i.status == ImageStatus::Generated)
            .count() as i64;
        let image_charges = ledger_charges(&db, h.account)
            .await
            .iter()
            .filter(|e| e.idempotency_key.starts_with("image:"))
            .count() as i64;
        assert_eq!(
            image_charges, generated,
            "one charge per generated image, none for failures"
        );
        assert_eq!(
            db.pipeline_counts(h.account, h.site.id)
                .await
                .unwrap()
                .content_review as usize,
            images.len() / 3
        );
    }
);

engine_test!(
    a_run_killed_mid_stage6_resumes_and_charges_each_image_once,
    |db: Db| async move {
        let h = harness(
            db.clone(),
            MockConfig {
                latency: Duration::from_millis(150),
                image_mode: ImageMode::B64,
                ..Default::default()
            },
            "offline",
            "openai",
        )
        .await;
        let (run, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
        // Worker A: killed (its task aborted mid-flight, leases left behind) once Stage 6 is under way.
        let a = tokio::spawn(
            workers::worker(&h.p, 4, test_worker_config()).run(CancellationToken::new()),
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let c = db.pipeline_counts(h.account, h.site.id).await.unwrap();
            if c.images_generated >= 2 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "stage 6 never started"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        a.abort();
        let _ = a.await;
        let mid = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert!(
            mid.images_generated < mid.images,
            "killed before the end of stage 6"
        );
        assert!(db.run(h.account, run.id).await.unwrap().status.is_active());
        // Worker B takes over once A's leases expire; the run resumes from stage 6.
        work_until(&h.p, async || {
            !h.p.db()
                .run(h.account, run.id)
                .await
                .unwrap()
                .status
                .is_active()
        })
        .await;
        let done = db.run(h.account, run.id).await.unwrap();
        assert_eq!(done.status, RunStatus::AwaitingReview, "{:?}", done.error);
        let images = db.images(h.account, h.site.id, None, 10_000).await.unwrap();
        assert!(
            images.iter().all(|i| i.status == ImageStatus::Generated),
            "every image generated after the resume"
        );
        let charges = ledger_charges(&db, h.account).await;
        let mut per_image: HashMap<String, usize> = HashMap::new();
        for e in charges
            .iter()
            .filter(|e| e.idempotency_key.starts_with("image:"))
        {
            *per_image.entry(e.idempotency_key.clone()).or_default() += 1;
        }
        assert_eq!(per_image.len(), images.len());
        assert!(
            per_image.values().all(|n| *n == 1),
            "an image was charged twice: {per_image:?}"
        );
        let events = db
            .run_events(h.account, run.id, None, 10_000)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.message.contains("resumed by a worker"))
        );
    }
);

engine_test!(
    a_run_is_refused_when_credits_cannot_cover_it,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "openai", "openai").await;
        let balance = db.account(h.account).await.unwrap().credits;
        let mut tx = db.begin().await.unwrap();
        tx.charge_credits(
            h.account,
            Credits(balance.0 - 1),
            "spend",
            "spend-all",
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let err = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("nothing was started"), "{err}");
        assert!(db.runs(h.account, None, 10).await.unwrap().is_empty());
        assert_eq!(h.mock.requests("chat_completions"), 0);
    }
);

engine_test!(
    text_stages_work_up_to_the_providers_limit_and_keep_the_content_cap,
    |db: Db| async move {
        let mock = MockConfig {
            latency: Duration::from_millis(100),
            ..Default::default()
        };
        let mut h = harness(db.clone(), mock, "openai", "offline").await;
        let chat_limit = 3;
        h.limits.set(
            "openai-chat",
            h.account.get(),
            LimitConfig::new(None, chat_limit),
        );
        h.edit_settings(|s| s.caps.content = Some(4)).await;
        import_generated(&h, 24).await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let r = &run.stage_results;
        assert!(r[2].created > 4, "more tasks than the cap: {:?}", r[2]);
        assert_eq!(
            r[3].created, 4,
            "the content cap holds with items in parallel"
        );
        assert_eq!(r[3].processed, 4);
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert_eq!(counts.content_review, 4);
        // Every saved article is in the stage's credits, whatever order the items finished in.
        let charged: i64 = ledger_charges(&db, h.account)
            .await
            .iter()
            .map(|e| -e.delta.0)
            .sum();
        assert_eq!(charged, run.credits_used.0);
        let chat = &h.mock.stats()["chat_completions"];
        assert_eq!(
            chat.max_in_flight, chat_limit as u64,
            "text items ran {chat_limit} at once, never more"
        );
    }
);

engine_test!(
    a_stage_batch_size_below_the_provider_limit_bounds_the_items_at_once,
    |db: Db| async move {
        let mock = MockConfig {
            latency: Duration::from_millis(100),
            ..Default::default()
        };
        let mut h = harness(db.clone(), mock, "openai", "offline").await;
        h.edit_settings(|s| {
            let b = &mut s.batch_sizes;
            (b.clusters, b.tasks, b.content) = (2, 2, 2);
        })
        .await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        assert_eq!(run.stage_results[3].created, run.stage_results[2].created);
        assert_eq!(
            h.mock.stats()["chat_completions"].max_in_flight,
            2,
            "two items at once under a chat limit of 8"
        );
    }
);

engine_test!(
    many_text_items_finishing_together_do_not_exhaust_the_pool,
    |db: Db| async move {
        // More items at once than SQLite's pool has connections. Two bugs stalled this for the
        // 30 s busy timeout: a function that read through the pool while holding a transaction
        // (all connections held by writers queued behind it), and items polled only by the
        // driver's loop (one holding the write lock sat unpolled while the loop wrote).
        let mock = MockConfig {
            latency: Duration::from_millis(100),
            ..Default::default()
        };
        let mut h = harness(db.clone(), mock, "openai", "offline").await;
        h.limits
            .set("openai-chat", h.account.get(), LimitConfig::new(None, 32));
        h.edit_settings(|s| {
            let b = &mut s.batch_sizes;
            (b.clusters, b.tasks, b.content) = (32, 32, 32);
        })
        .await;
        import_generated(&h, 40).await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let tasks = run.stage_results[2].created;
        assert!(tasks >= 8, "enough articles to fill the pool: {tasks}");
        assert_eq!(run.stage_results[3].created, tasks);
        let events = db
            .run_events(h.account, run.id, None, 10_000)
            .await
            .unwrap();
        assert!(
            !events.iter().any(|e| e.message.contains("resumed")),
            "the driver never failed and was never taken over"
        );
        assert!(h.mock.stats()["chat_completions"].max_in_flight >= 8);
    }
);

engine_test!(
    pause_and_cancel_take_effect_at_item_boundaries,
    |db: Db| async move {
        let h = harness(
            db.clone(),
            MockConfig {
                latency: Duration::from_millis(100),
                ..Default::default()
            },
            "openai",
            "offline",
        )
        .await;
        let (run, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
        assert!(
            runs::start_run(
                &h.p,
                h.account,
                h.site.id,
                RunTrigger::Manual,
                &Default::default()
            )
            .await
            .is_err(),
            "one active run per site"
        );
        runs::pause_run(&h.p, h.account, run.id).await.unwrap();
        work_until(&h.p, async || {
            h.p.queue().live_jobs_of_run(run.id).await.unwrap() == 0
        })
        .await;
        let paused = db.run(h.account, run.id).await.unwrap();
        assert_eq!(paused.status, RunStatus::Paused);
        runs::resume_run(&h.p, h.account, run.id).await.unwrap();
        work_until(&h.p, async || {
            h.p.db().run(h.account, run.id).await.unwrap().current_stage >= Stage::TasksToContent
        })
        .await;
        runs::cancel_run(&h.p, h.account, run.id).await.unwrap();
        work_until(&h.p, async || {
            h.p.queue().live_jobs_of_run(run.id).await.unwrap() == 0
        })
        .await;
        let cancelled = db.run(h.account, run.id).await.unwrap();
        assert_eq!(cancelled.status, RunStatus::Cancelled);
        assert!(
            cancelled.stage_results[5].processed == 0,
            "stage 6 never ran after cancel"
        );
        // The site is free again.
        runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
    }
);

engine_test!(
    an_image_whose_job_died_is_failed_not_waited_for,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let (content, images) = content_with_pending_images(&h).await;
        let (run, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
        generate_images(&h.p, h.account, &images[..1], Some(run.id))
            .await
            .unwrap();
        // A worker takes the job and dies on its last attempt: the job is dead, the image generating.
        let owner: std::sync::Arc<str> = std::sync::Arc::from("doomed-worker");
        let claimed =
            h.p.queue()
                .claim(
                    pressroom_pipeline::images::IMAGES_QUEUE,
                    &owner,
                    10,
                    Duration::from_secs(30),
                )
                .await
                .unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(db.start_image(h.account, images[0]).await.unwrap());
        h.p.queue()
            .bury(&claimed[0].lease, "worker killed")
            .await
            .unwrap();
        let failed = pressroom_pipeline::images::fail_orphaned_images(&h.p, h.account, run.id)
            .await
            .unwrap();
        assert_eq!(failed, 1);
        let img = db.image(h.account, images[0]).await.unwrap();
        assert_eq!(img.status, ImageStatus::Failed);
        assert!(img.error.unwrap().contains("worker killed"));
        assert_eq!(
            db.image(h.account, images[1]).await.unwrap().status,
            ImageStatus::Pending,
            "images without a dead job are left alone"
        );
        assert_eq!(
            db.content(h.account, content).await.unwrap().status,
            ContentStatus::Draft
        );
        assert_eq!(
            pressroom_pipeline::images::fail_orphaned_images(&h.p, h.account, run.id)
                .await
                .unwrap(),
            0,
            "idempotent"
        );
    }
);
