//! Model answers are checked, not trusted: over the mock server on real HTTP and on both
//! engines, an answer that breaks its schema's bounds is asked again once with the error, and
//! a second bad answer fails that item alone; requests carry `max_tokens` and the bounds.

use crate::support::*;
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::{ContentInput, IdeasInput};
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_mock_ai::Step;
use pressroom_pipeline::PipelineError;
use pressroom_pipeline::{functions, runs, workers};
use pressroom_queue::CancellationToken;
use pressroom_store::{Db, engine_test};
use serde_json::Value;
use std::time::Duration;

impl Harness {
    /// Clusters every keyword (one well-behaved call) and returns the new clusters.
    async fn clusters(&self) -> Vec<Cluster> {
        let db = self.p.db();
        functions::cluster_keywords(&self.p, self.account, self.site.id, None)
            .await
            .unwrap();
        let clusters = db
            .clusters(self.account, self.site.id, Some(ClusterStatus::New), 100)
            .await
            .unwrap();
        assert!(clusters.len() >= 2, "the keywords make two clusters");
        clusters
    }

    /// `generate-ideas` usage rows, newest first: (credits, success).
    async fn ideas_usage(&self) -> Vec<(i64, bool)> {
        self.p
            .db()
            .usage_rows(self.account, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.0 == "generate-ideas")
            .map(|r| (r.6, r.8))
            .collect()
    }
}

fn out_of_bounds(field: &str) -> Step {
    Step::Named(format!("out-of-bounds:{field}"))
}

fn messages(request: &Value) -> Vec<(String, String)> {
    request["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_string(),
                m["content"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

engine_test!(
    an_out_of_bounds_answer_is_asked_again_with_the_error_and_saved,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "openai", "offline").await;
        let cluster = h.clusters().await.remove(0);
        let calls = h.mock.requests("chat_completions");
        h.mock.script([out_of_bounds("target_words")]);

        let report = functions::generate_ideas(&h.p, h.account, cluster.id, None)
            .await
            .unwrap();
        let (ideas, credits) = (report.ideas, report.credits);
        assert!(!ideas.is_empty());
        assert_eq!(h.mock.requests("chat_completions"), calls + 2, "one retry");

        // The retry carries the bad answer and what was wrong with it, by field and bound.
        let m = messages(&h.mock.last_request("chat_completions").unwrap());
        let roles: Vec<&str> = m.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(roles, ["system", "user", "assistant", "user"]);
        assert!(m[2].1.contains("2000000000000000"), "{}", m[2].1);
        assert!(
            m[3].1.contains("ideas[0].target_words") && m[3].1.contains("maximum 5000"),
            "{}",
            m[3].1
        );

        for id in &ideas {
            let idea = h.p.db().idea(h.account, *id).await.unwrap();
            assert!((300..=5000).contains(&idea.target_words), "{idea:?}");
        }
        let cluster = h.p.db().cluster(h.account, cluster.id).await.unwrap();
        assert_eq!(cluster.status, ClusterStatus::Mapped);
        // Both calls are on the books; only the good one is charged.
        assert_eq!(
            h.ideas_usage().await,
            [(credits.0, true), (0, false)],
            "newest first"
        );
        assert!(credits.0 > 0);
    }
);

engine_test!(
    an_answer_out_of_bounds_twice_fails_that_cluster_alone,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "openai", "offline").await;
        let clusters = h.clusters().await;
        h.mock
            .script([out_of_bounds("target_words"), out_of_bounds("target_words")]);

        let err = functions::generate_ideas(&h.p, h.account, clusters[0].id, None)
            .await
            .unwrap_err();
        let PipelineError::InvalidAnswer(invalid) = &err else {
            panic!("expected an invalid answer, got {err:?}");
        };
        assert_eq!(invalid.field(), Some("ideas[0].target_words"));
        assert!(err.to_string().contains("above the maximum 5000"), "{err}");
        assert!(!err.is_transient(), "a job must not try it again and again");
        let first = h.p.db().cluster(h.account, clusters[0].id).await.unwrap();
        assert_eq!(first.status, ClusterStatus::New, "nothing was saved");
        assert_eq!(h.ideas_usage().await, [(0, false), (0, false)]);

        // The next cluster is not affected.
        functions::generate_ideas(&h.p, h.account, clusters[1].id, None)
            .await
            .unwrap();
        let second = h.p.db().cluster(h.account, clusters[1].id).await.unwrap();
        assert_eq!(second.status, ClusterStatus::Mapped);
    }
);

engine_test!(
    requests_carry_max_tokens_and_the_schema_bounds,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "openai", "offline").await;
        let cluster = h.clusters().await.remove(0);
        let ideas = functions::generate_ideas(&h.p, h.account, cluster.id, None)
            .await
            .unwrap()
            .ideas;
        let sent = h.mock.last_request("chat_completions").unwrap();
        // One idea per search intent: the cluster's keywords have two.
        let budget = IdeasInput {
            cluster_name: String::new(),
            cluster_description: String::new(),
            keywords: vec![],
            min_ideas: 1,
            max_ideas: 2,
        }
        .max_output_tokens();
        let tokens = sent
            .get("max_tokens")
            .or(sent.get("max_completion_tokens"))
            .unwrap();
        assert_eq!(tokens, &Value::from(budget));
        let schema = &sent["response_format"]["json_schema"]["schema"];
        let ideas_schema = &schema["properties"]["ideas"];
        assert_eq!(ideas_schema["maxItems"], IDEAS_MAX);
        let item = &ideas_schema["items"]["properties"];
        assert_eq!(item["target_words"]["minimum"], TARGET_WORDS_MIN);
        assert_eq!(item["target_words"]["maximum"], TARGET_WORDS_MAX);
        assert_eq!(item["outline"]["maxItems"], OUTLINE_MAX);
        assert_eq!(item["title"]["maxLength"], IDEA_TITLE_MAX);

        // An article's budget follows its target length.
        let tasks = functions::create_tasks(&h.p, h.account, &ideas[..1])
            .await
            .unwrap();
        let task = h.p.db().task(h.account, tasks[0]).await.unwrap();
        functions::generate_content(&h.p, h.account, task.id, None)
            .await
            .unwrap();
        let sent = h.mock.last_request("chat_completions").unwrap();
        let idea = h.p.db().idea(h.account, ideas[0]).await.unwrap();
        let budget = ContentInput {
            title: String::new(),
            brief: String::new(),
            outline: vec![],
            primary_keyword: String::new(),
            secondary_keywords: vec![],
            content_structure: idea.content_structure,
            // The site's default word range (1200..2000) bounds the idea's own target.
            target_words: (idea.target_words as u32).clamp(1200, 2000),
            related_keywords: vec![],
            voice: Default::default(),
        }
        .max_output_tokens();
        let tokens = sent
            .get("max_tokens")
            .or(sent.get("max_completion_tokens"))
            .unwrap();
        assert_eq!(tokens, &Value::from(budget));
        assert!(budget < 4096 + 6000, "well under a runaway");
        let props = &sent["response_format"]["json_schema"]["schema"]["properties"];
        assert_eq!(props["meta_title"]["maxLength"], META_TITLE_MAX);
    }
);

engine_test!(
    in_a_run_a_cluster_whose_answers_stay_invalid_fails_and_the_run_goes_on,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "openai", "offline").await;
        let mut settings = h.site.settings.clone();
        // One cluster at a time, so the two bad answers go to the same cluster.
        settings.batch_sizes.clusters = 1;
        settings.caps.content = Some(1);
        db.update_site_settings(h.account, h.site.id, &settings)
            .await
            .unwrap();
        // Stage 1's two calls (one per cluster) are fine; the first cluster's two idea answers
        // are not.
        h.mock.script([
            Step::Named("ok".into()),
            Step::Named("ok".into()),
            out_of_bounds("target_words"),
            out_of_bounds("target_words"),
        ]);
        let (run, _) = runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &Default::default(),
        )
        .await
        .unwrap();
        let stop = CancellationToken::new();
        let worker = tokio::spawn(workers::worker(&h.p, 4, test_worker_config()).run(stop.clone()));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        let run = loop {
            let r = db.run(h.account, run.id).await.unwrap();
            if !r.status.is_active() {
                break r;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the run did not end"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        stop.cancel();
        worker.await.unwrap().unwrap();
        assert_ne!(run.status, RunStatus::Failed, "{:?}", run.error);
        let clusters = db.clusters(h.account, h.site.id, None, 100).await.unwrap();
        let new: Vec<_> = clusters
            .iter()
            .filter(|c| c.status == ClusterStatus::New)
            .collect();
        let mapped = clusters.len() - new.len();
        assert_eq!(
            new.len(),
            1,
            "exactly the cluster with bad answers has no ideas"
        );
        assert!(mapped >= 1, "the other clusters got their ideas");
        let events = db.run_events(h.account, run.id, None, 1000).await.unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.message.contains("ideas[0].target_words")),
            "the failure names the field: {events:#?}"
        );
    }
);
