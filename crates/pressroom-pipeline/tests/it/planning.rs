//! Keyword planning: whole-list clustering and one article per search intent, on the example
//! list and on a list that grows between runs.

use crate::support::*;
use pressroom_domain::clustering::terms_key;
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_store::{Db, engine_test};
use std::collections::{HashMap, HashSet};
use std::io::Cursor;

const EXAMPLE: &str = include_str!("../../../../examples/keywords.csv");

async fn import(h: &Harness, csv: &str) {
    pressroom_pipeline::import::import_keywords(
        h.p.db(),
        h.account,
        h.site.id,
        "test",
        Cursor::new(csv.as_bytes().to_vec()),
    )
    .await
    .unwrap();
}

/// A cluster name with a trailing number dropped, reduced to its terms: two names with the
/// same key differ only by plural, case, word order or a number suffix.
fn name_key(name: &str) -> String {
    terms_key(name.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' '))
}

engine_test!(
    the_example_list_gets_one_article_per_search_intent,
    |db: Db| async move {
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| s.in_article_images = 0).await;
        import(&h, EXAMPLE).await;
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let r = &run.stage_results;

        let ideas = db.ideas(h.account, h.site.id, None, 10_000).await.unwrap();
        let mut primaries = HashSet::new();
        for idea in &ideas {
            assert!(
                primaries.insert(terms_key(&idea.primary_keyword)),
                "two ideas target {:?}",
                idea.primary_keyword
            );
        }
        let clusters = db
            .clusters(h.account, h.site.id, None, 10_000)
            .await
            .unwrap();
        let mut names: HashMap<String, &str> = HashMap::new();
        for c in &clusters {
            if let Some(twin) = names.insert(name_key(&c.name), &c.name) {
                panic!(
                    "clusters {twin:?} and {:?} differ only by plural or number",
                    c.name
                );
            }
            assert_eq!(c.method, ClusterMethod::Lexical);
            assert_eq!(c.threshold, Some(0.3));
        }
        // Secondary keywords are the cluster's own.
        for idea in &ideas {
            let own = db
                .cluster_members(h.account, idea.cluster_id)
                .await
                .unwrap();
            let own: HashSet<&str> = own.iter().map(|k| k.phrase.as_str()).collect();
            assert!(own.contains(idea.primary_keyword.as_str()), "{idea:?}");
            for s in &idea.secondary_keywords {
                assert!(
                    own.contains(s.as_str()),
                    "{s:?} is not in {idea:?}'s cluster"
                );
            }
        }
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert_eq!(counts.keywords_new, 0);
        assert!(r[1].intents > 0);
        assert_eq!(
            r[3].created, r[1].intents,
            "one article per intent found: {r:?}"
        );
        assert_eq!(counts.content as usize, ideas.len());
        assert!(
            (counts.content as usize) < 139,
            "{} articles for 139 keywords",
            counts.content
        );
        eprintln!(
            "example: {} clusters, {} intents, {} articles",
            clusters.len(),
            r[1].intents,
            counts.content
        );
    }
);

engine_test!(
    keywords_added_later_join_existing_clusters_and_repeat_no_article,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        let first = run_to_end(&h).await;
        assert_eq!(first.status, RunStatus::AwaitingReview, "{:?}", first.error);
        let before = db.clusters(h.account, h.site.id, None, 100).await.unwrap();
        let members_before: Vec<(ClusterId, Vec<String>)> = {
            let mut v = Vec::new();
            for c in &before {
                let k = db.cluster_members(h.account, c.id).await.unwrap();
                v.push((c.id, k.into_iter().map(|k| k.phrase).collect()));
            }
            v
        };
        let ideas_before = db
            .ideas(h.account, h.site.id, None, 100)
            .await
            .unwrap()
            .len();

        // A plural twin and a reordered variant of known searches, a known topic searched with
        // an intent it had no article for, and one new topic.
        import(
            &h,
            "Keyword,Volume,Intent\ntrail running shoe,50,\ncoffee cold brew,40,\nbuy trail running shoes online,30,transactional\nsourdough starter,500,\nsourdough starters,90,\nhow to feed a sourdough starter,80,\n",
        )
        .await;
        let second = run_to_end(&h).await;
        assert_eq!(
            second.status,
            RunStatus::AwaitingReview,
            "{:?}",
            second.error
        );

        let after = db.clusters(h.account, h.site.id, None, 100).await.unwrap();
        let new: Vec<&Cluster> = after
            .iter()
            .filter(|c| !before.iter().any(|b| b.id == c.id))
            .collect();
        assert_eq!(
            new.len(),
            1,
            "only the new topic made a cluster: {after:#?}"
        );
        assert_eq!(new[0].name, "Sourdough Starter");
        let kws = db
            .keywords(
                h.account,
                h.site.id,
                &Default::default(),
                pressroom_store::Page {
                    limit: 1000,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        let cluster_of = |p: &str| kws.iter().find(|k| k.phrase == p).unwrap().cluster_id;
        assert_eq!(
            cluster_of("trail running shoe"),
            cluster_of("trail running shoes")
        );
        assert_eq!(
            cluster_of("coffee cold brew"),
            cluster_of("cold brew coffee")
        );
        assert_eq!(cluster_of("sourdough starters"), Some(new[0].id));
        // Existing clusters kept every keyword they had: joined, never reshuffled.
        for (id, had) in &members_before {
            let now = db.cluster_members(h.account, *id).await.unwrap();
            let now: HashSet<String> = now.into_iter().map(|k| k.phrase).collect();
            for p in had {
                assert!(now.contains(p), "{p:?} left its cluster");
            }
        }
        // The variants are searches that already have articles; the new intent of a known topic
        // and the new topic get one each.
        assert_eq!(
            cluster_of("buy trail running shoes online"),
            cluster_of("trail running shoes")
        );
        let ideas = db.ideas(h.account, h.site.id, None, 100).await.unwrap();
        assert_eq!(ideas.len(), ideas_before + 2, "{ideas:#?}");
        let new: Vec<&str> = ideas[ideas_before..]
            .iter()
            .map(|i| i.primary_keyword.as_str())
            .collect();
        assert!(new.contains(&"buy trail running shoes online"), "{new:?}");
        assert!(new.contains(&"sourdough starter"), "{new:?}");
        for c in db.clusters(h.account, h.site.id, None, 100).await.unwrap() {
            assert_eq!(
                c.status,
                ClusterStatus::Mapped,
                "every cluster planned again: {c:?}"
            );
        }
    }
);

engine_test!(
    a_run_limited_to_chosen_clusters_and_n_articles_spends_on_nothing_else,
    |db: Db| async move {
        let h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        pressroom_pipeline::functions::cluster_keywords(&h.p, h.account, h.site.id, None)
            .await
            .unwrap();
        let clusters = db.clusters(h.account, h.site.id, None, 100).await.unwrap();
        assert_eq!(clusters.len(), 2, "{clusters:#?}");
        let (chosen, other) = (clusters[0].id, clusters[1].id);

        // Bad scopes start nothing: another account's or an unknown cluster, zero articles.
        let err = pressroom_pipeline::runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &RunScope {
                clusters: vec![ClusterId::new(999_999)],
                max_articles: None,
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
        let err = pressroom_pipeline::runs::start_run(
            &h.p,
            h.account,
            h.site.id,
            RunTrigger::Manual,
            &RunScope {
                clusters: vec![],
                max_articles: Some(0),
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("max_articles"), "{err}");
        assert!(db.runs(h.account, None, 10).await.unwrap().is_empty());

        // An article of the other cluster, left a draft without image prompts (as a stopped
        // run leaves it): a run limited to the chosen cluster must not pay for its prompts.
        let other_ideas =
            pressroom_pipeline::functions::generate_ideas(&h.p, h.account, other, None)
                .await
                .unwrap()
                .ideas;
        let tasks = pressroom_pipeline::functions::create_tasks(&h.p, h.account, &other_ideas[..1])
            .await
            .unwrap();
        let (left_draft, _) =
            pressroom_pipeline::functions::generate_content(&h.p, h.account, tasks[0], None)
                .await
                .unwrap();

        let scope = RunScope {
            clusters: vec![chosen],
            max_articles: Some(1),
        };
        let run = run_scoped_to_end(&h, &scope).await;
        let left_images = db.images_of_content(h.account, left_draft).await.unwrap();
        assert!(
            left_images.is_empty(),
            "stage 5 skipped the other cluster's draft"
        );
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        assert_eq!(run.scope, scope, "the run keeps its scope");
        let ideas = db.ideas(h.account, h.site.id, None, 100).await.unwrap();
        assert!(
            ideas.len() >= 2,
            "the chosen cluster has two intents: {ideas:#?}"
        );
        let chosen_ideas = ideas.iter().filter(|i| i.cluster_id == chosen).count();
        assert!(chosen_ideas >= 2, "{ideas:#?}");
        assert_eq!(
            ideas.len(),
            chosen_ideas + other_ideas.len(),
            "no new idea elsewhere"
        );
        let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
        assert_eq!(
            counts.content, 2,
            "one article in scope, plus the draft left before"
        );
        assert_eq!(run.stage_results[3].created, 1);
    }
);

engine_test!(stage_1_clusters_by_embedding, |db: Db| async move {
    // Embedding, on the offline vectors (free): every keyword placed, clusters say how.
    let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
    h.edit_settings(|s| {
        s.clustering.method = ClusterMethod::Embedding;
        s.in_article_images = 0;
    })
    .await;
    let run = run_to_end(&h).await;
    assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
    let counts = db.pipeline_counts(h.account, h.site.id).await.unwrap();
    assert_eq!(counts.keywords_new, 0);
    let clusters = db.clusters(h.account, h.site.id, None, 100).await.unwrap();
    assert!(!clusters.is_empty());
    for c in &clusters {
        assert_eq!(c.method, ClusterMethod::Embedding, "{c:?}");
        assert_eq!(c.threshold, Some(0.45));
    }
    assert_eq!(run.stage_results[3].created, run.stage_results[1].intents);
});

engine_test!(
    stage_1_clusters_by_shared_search_results,
    |db: Db| async move {
        // SERP: the coffee searches share four result URLs and cluster by them; the shoe
        // searches have no results imported and are clustered lexically.
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| {
            s.clustering.method = ClusterMethod::Serp;
            s.in_article_images = 0;
        })
        .await;
        let mut serp = String::from("keyword,position,url\n");
        for k in [
            "cold brew coffee",
            "cold brew coffee ratio",
            "how to make cold brew coffee",
        ] {
            for (i, u) in [
                "a.com/cold-brew",
                "b.com/brew",
                "c.com/ratio",
                "d.com/guide",
            ]
            .iter()
            .enumerate()
            {
                serp.push_str(&format!("{k},{},https://{u}\n", i + 1));
            }
        }
        pressroom_pipeline::serp::import_serp(&db, h.account, h.site.id, serp.into_bytes())
            .await
            .unwrap();
        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
        let clusters = db.clusters(h.account, h.site.id, None, 100).await.unwrap();
        let kws = db
            .keywords(
                h.account,
                h.site.id,
                &Default::default(),
                pressroom_store::Page {
                    limit: 100,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        let cluster_of = |p: &str| {
            let id = kws
                .iter()
                .find(|k| k.phrase == p)
                .unwrap()
                .cluster_id
                .unwrap();
            clusters.iter().find(|c| c.id == id).unwrap().clone()
        };
        let coffee = cluster_of("cold brew coffee");
        assert_eq!(coffee.method, ClusterMethod::Serp);
        assert_eq!(coffee.threshold, Some(4.0));
        assert_eq!(cluster_of("how to make cold brew coffee").id, coffee.id);
        // No results imported: placed lexically (not each alone), here into the SERP cluster
        // its words match, or into a lexical cluster.
        assert_eq!(cluster_of("cold brew coffee maker").id, coffee.id);
        let shoes = cluster_of("trail running shoes");
        assert_eq!(shoes.method, ClusterMethod::Lexical);
        assert_eq!(cluster_of("best trail running shoes").id, shoes.id);
    }
);
