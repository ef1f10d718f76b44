//! Runs at the scale users have: stage input paged past a thousand items in every stage.

use super::*;

/// `n` distinct keywords over a spread of topics, as a CSV export.
pub(crate) fn keyword_csv(n: usize) -> String {
    const NOUNS: [&str; 24] = [
        "kayak",
        "tent",
        "lantern",
        "hammock",
        "compass",
        "backpack",
        "stove",
        "sleeping bag",
        "water filter",
        "headlamp",
        "trekking pole",
        "rain jacket",
        "camp chair",
        "cooler",
        "fishing rod",
        "bike helmet",
        "climbing rope",
        "ski goggles",
        "snowshoe",
        "paddle",
        "dry bag",
        "multitool",
        "binoculars",
        "trail map",
    ];
    const MODIFIERS: [&str; 12] = [
        "best",
        "cheap",
        "lightweight",
        "waterproof",
        "for beginners",
        "for kids",
        "review",
        "vs",
        "how to choose",
        "repair",
        "rental",
        "used",
    ];
    let mut csv = String::from("Keyword,Volume\n");
    for i in 0..n {
        let noun = NOUNS[i % NOUNS.len()];
        let modifier = MODIFIERS[(i / NOUNS.len()) % MODIFIERS.len()];
        let round = i / (NOUNS.len() * MODIFIERS.len());
        csv.push_str(&format!("{modifier} {noun} {round},{}\n", 10 + i % 500));
    }
    csv
}

engine_test!(
    every_stage_pages_past_a_thousand_items,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| s.in_article_images = 0).await;
        pressroom_pipeline::import::import_keywords(
            &db,
            h.account,
            h.site.id,
            "test",
            Cursor::new(keyword_csv(1_600).into_bytes()),
        )
        .await
        .unwrap();
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let r = &run.stage_results;
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert_eq!(counts.keywords_new, 0, "every keyword clustered: {r:?}");
        assert_eq!(r[0].processed, 1_608, "stage 1 saw every keyword");
        assert_eq!(counts.clusters_new, 0, "every cluster got its ideas");
        assert_eq!(counts.ideas_new, 0, "every idea became a task");
        assert_eq!(counts.tasks_waiting, 0, "every task was written");
        assert!(
            r[3].created > 1_000,
            "stage 4 wrote past a thousand articles: {:?}",
            r[3]
        );
        assert_eq!(
            r[4].processed, r[3].created,
            "every article got image prompts"
        );
        assert_eq!(counts.images_pending, 0);
        assert_eq!(
            counts.images_generated, r[3].created,
            "one featured image each"
        );
        assert_eq!(counts.content_review, r[3].created);
        assert!(r.iter().all(|s| s.failed == 0), "{r:?}");
        eprintln!("stage results at 1,608 keywords: {r:?}");
    }
);
