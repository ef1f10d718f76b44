//! Per-site monthly budgets: runs and image generations that would pass the budget are refused
//! before any provider call; a run stops at a stage start once the budget is spent; the
//! estimate shows dollars and what is left.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::images::generate_images;
use pressroom_pipeline::{PipelineError, runs};
use pressroom_store::{Db, NewUsage, engine_test};

/// Records `credits` of spend on the harness's site now (this month).
async fn spend(h: &Harness, credits: i64) {
    let mut tx = h.p.db().begin().await.unwrap();
    tx.insert_usage(
        h.account,
        &NewUsage {
            site: Some(h.site.id),
            function: AiFunction::GenerateContent,
            provider: "openai".into(),
            model: "gpt-4o".into(),
            tokens_in: 1000,
            tokens_out: 1000,
            images: 0,
            cost: UsdMicros(10_000),
            credits: Credits(credits),
            latency_ms: 1,
            error: None,
            subject: None,
            run: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn refusal(e: PipelineError) -> String {
    match e {
        PipelineError::OverBudget(m) => m,
        e => panic!("expected a budget refusal, got {e:?}"),
    }
}

engine_test!(
    a_run_past_the_budget_is_refused_before_any_call,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        h.edit_settings(|s| s.monthly_budget = Some(100)).await;
        spend(&h, 95).await;
        let est = runs::estimate(&h.p, h.account, h.site.id).await.unwrap();
        assert!(est.credits.0 > 5, "{est:?}");
        assert_eq!(est.budget_left, Some(Credits(5)));
        let e = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &RunScope::default(),
        )
        .await
        .unwrap_err();
        let m = refusal(e);
        assert!(
            m.contains("has spent 95 of its 100-credit budget for"),
            "{m}"
        );
        assert!(
            m.contains(&format!("this run needs about {}", est.credits)),
            "{m}"
        );
        assert!(m.contains("nothing was started"), "{m}");
        assert!(
            h.p.db()
                .runs(h.account, Some(h.site.id), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(h.mock.requests("chat_completions"), 0);
        // Room in the budget: the same run starts.
        h.edit_settings(|s| s.monthly_budget = Some(1_000_000))
            .await;
        runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &RunScope::default(),
        )
        .await
        .unwrap();
    }
);

engine_test!(
    a_run_stops_at_a_stage_start_once_the_budget_is_spent,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        h.edit_settings(|s| s.monthly_budget = Some(1_000_000))
            .await;
        let (run, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &RunScope::default(),
        )
        .await
        .unwrap();
        // Spent elsewhere (another process's images) before the driver got going.
        spend(&h, 1_000_000).await;
        work_until(&h.p, async || {
            !h.p.db()
                .run(h.account, run.id)
                .await
                .unwrap()
                .status
                .is_active()
        })
        .await;
        let run = h.p.db().run(h.account, run.id).await.unwrap();
        assert_eq!(run.status, RunStatus::Failed);
        let error = run.error.clone().unwrap_or_default();
        assert!(error.contains("budget"), "{error}");
        assert!(error.contains("stopped before stage 1"), "{error}");
        assert_eq!(h.mock.requests("chat_completions"), 0);
    }
);

engine_test!(
    image_generations_past_the_budget_are_refused_before_any_call,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "openai").await;
        let (_, images) = content_with_pending_images(&h).await;
        assert!(!images.is_empty());
        h.edit_settings(|s| s.monthly_budget = Some(1)).await;
        let e = generate_images(&h.p, h.account, &images, None)
            .await
            .unwrap_err();
        let m = refusal(e);
        assert!(m.contains("budget"), "{m}");
        assert!(m.contains("nothing was queued"), "{m}");
        let jobs = h.p.queue().counts().await.unwrap();
        assert!(
            jobs.iter().all(|c| c.queue != "images"),
            "no image job queued: {jobs:?}"
        );

        // Queued while the budget allowed it, then the budget shrank: each job checks again
        // before its call, and the image fails saying why.
        h.edit_settings(|s| s.monthly_budget = None).await;
        generate_images(&h.p, h.account, &images, None)
            .await
            .unwrap();
        h.edit_settings(|s| s.monthly_budget = Some(0)).await;
        work_until(&h.p, async || {
            h.p.db()
                .images_by_ids(h.account, &images)
                .await
                .unwrap()
                .iter()
                .all(|i| i.status == ImageStatus::Failed)
        })
        .await;
        let failed = h.p.db().images_by_ids(h.account, &images).await.unwrap();
        let error = failed[0].error.clone().unwrap_or_default();
        assert!(error.contains("budget"), "{error}");
        assert_eq!(h.mock.requests("images_generations"), 0);
    }
);

engine_test!(
    the_estimate_shows_dollars_and_the_budget_left,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "openai", "openai").await;
        let est = runs::estimate(&h.p, h.account, h.site.id).await.unwrap();
        assert!(est.credits.0 > 0);
        assert!(est.usd.0 > 0, "paid models cost dollars: {est:?}");
        assert_eq!(est.budget_left, None);
        h.edit_settings(|s| s.monthly_budget = Some(500)).await;
        spend(&h, 120).await;
        let est = runs::estimate(&h.p, h.account, h.site.id).await.unwrap();
        assert_eq!(est.budget_left, Some(Credits(380)));
        let b = pressroom_pipeline::budget::site_budget(&h.p, &h.site)
            .await
            .unwrap();
        assert_eq!(b.spent, Credits(120));
        assert_eq!(b.budget, Some(Credits(500)));

        let offline = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let est = runs::estimate(&offline.p, offline.account, offline.site.id)
            .await
            .unwrap();
        assert_eq!(est.usd, UsdMicros(0));
    }
);

engine_test!(
    a_spent_budget_leaves_work_waiting_and_pictures_in_place,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "openai", "openai").await;
        // An article with its pictures, made while the budget allowed it.
        let (content, images) = content_with_pending_images(&h).await;
        generate_images(&h.p, h.account, &images, None)
            .await
            .unwrap();
        work_until(&h.p, async || {
            h.p.db()
                .images_by_ids(h.account, &images)
                .await
                .unwrap()
                .iter()
                .all(|i| i.status == ImageStatus::Generated)
        })
        .await;
        let before = h.p.db().image(h.account, images[0]).await.unwrap();
        // A task written next, with the budget spent: refused before the call, the task left
        // queued for next month (not failed), nothing called.
        let cluster = h.p.db().content(h.account, content).await.unwrap();
        let task = h.p.db().task(h.account, cluster.task_id).await.unwrap();
        // Another idea of that cluster, still new (the article used the first).
        let idea =
            h.p.db()
                .ideas_in_cluster(h.account, task.cluster_id, 100)
                .await
                .unwrap()
                .into_iter()
                .find(|i| i.status == IdeaStatus::New)
                .expect("the cluster has another idea");
        let tasks = pressroom_pipeline::functions::create_tasks(&h.p, h.account, &[idea.id])
            .await
            .unwrap();
        h.edit_settings(|s| s.monthly_budget = Some(0)).await;
        let calls = h.mock.requests("chat_completions");
        let e = pressroom_pipeline::functions::generate_content(&h.p, h.account, tasks[0], None)
            .await
            .unwrap_err();
        assert!(matches!(e, PipelineError::OverBudget(_)), "{e:?}");
        assert_eq!(h.mock.requests("chat_completions"), calls, "no call made");
        let waiting = h.p.db().task(h.account, tasks[0]).await.unwrap();
        assert_ne!(
            waiting.status,
            TaskStatus::Failed,
            "left for a later run: {waiting:?}"
        );

        // A new picture past the budget is refused before the old one is let go.
        let images_calls = h.mock.requests("images_generations");
        let e = pressroom_pipeline::content::regenerate_image(&h.p, h.account, images[0])
            .await
            .unwrap_err();
        assert!(matches!(e, PipelineError::OverBudget(_)), "{e:?}");
        let after = h.p.db().image(h.account, images[0]).await.unwrap();
        assert_eq!(
            (after.status, after.generation, after.file_path.clone()),
            (before.status, before.generation, before.file_path.clone()),
            "the picture is still there"
        );
        assert_eq!(h.mock.requests("images_generations"), images_calls);
    }
);

engine_test!(
    free_work_is_never_stopped_by_a_spent_budget,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| s.monthly_budget = Some(0)).await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
    }
);
