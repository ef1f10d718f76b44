//! `pressroom sites set|settings|changes` on both engines: pairs become one patch, every kind
//! of bad input exits 1 naming the key with nothing changed, the log records who, old and new,
//! and a run after `sites set default in_article_images=1` makes two images per article.

use crate::cli::{engines, one_document};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn settings_are_set_read_and_logged_from_the_command_line() {
    for env in engines() {
        let shown = one_document(&env.expect(&["sites", "settings", "default", "--json"], 0));
        assert_eq!(shown["settings"]["in_article_images"], 2);
        assert_eq!(shown["settings"]["language"], "en");
        let keys = shown["keys"].as_array().unwrap();
        assert!(
            keys.iter()
                .any(|k| k["key"] == "voice.tone" && k["group"] == "writing")
        );
        assert!(
            keys.iter()
                .any(|k| k["key"] == "monthly_budget" && k["group"] == "limits")
        );

        let set = env.expect(
            &[
                "sites",
                "set",
                "default",
                "in_article_images=1",
                "voice.tone=friendly, plain",
                "voice.never_say=cheap,knock-off",
                "batch_sizes.tasks=4",
            ],
            0,
        );
        let text = String::from_utf8_lossy(&set.stdout);
        assert!(text.contains("in_article_images: 2 -> 1"), "{text}");
        assert!(
            text.contains("voice.tone: (unset) -> friendly, plain"),
            "{text}"
        );
        assert!(text.contains("batch_sizes.tasks: 8 -> 4"), "{text}");
        let after = one_document(&env.expect(&["sites", "settings", "default", "--json"], 0));
        assert_eq!(
            after["settings"]["voice"]["never_say"],
            serde_json::json!(["cheap", "knock-off"])
        );

        let bad: &[(&[&str], &str)] = &[
            (&["in_article_imagez=1"], "in_article_imagez"),
            (&["in_article_images=99"], "in_article_images"),
            (&["in_article_images=two"], "in_article_images"),
            (&["text_provider=acme"], "text_provider"),
            (&["text_model=dall-e-3"], "text_model"),
            (
                &[
                    "image_provider=openai",
                    "image_model=dall-e-3",
                    "featured_image_size=512x512",
                ],
                "featured_image_size",
            ),
            (
                &["prompt_templates.generate-ideas={nope}"],
                "prompt_templates.generate-ideas",
            ),
            (&["review_mode=auto", "schedule.time=noon"], "schedule.time"),
            (&["in_article_images"], "in_article_images"),
        ];
        for (pairs, key) in bad {
            let mut args = vec!["sites", "set", "default"];
            args.extend_from_slice(pairs);
            let out = env.expect(&args, 1);
            assert!(stderr(&out).contains(key), "{pairs:?}: {}", stderr(&out));
        }
        let unchanged = one_document(&env.expect(&["sites", "settings", "default", "--json"], 0));
        assert_eq!(unchanged["settings"], after["settings"], "{}", env.engine);

        // An empty value unsets; the log lists every change, newest first, by the CLI.
        env.expect(&["sites", "set", "default", "voice.tone="], 0);
        let log = one_document(&env.expect(&["sites", "changes", "default", "--json"], 0));
        let rows = log["changes"].as_array().unwrap();
        assert_eq!(rows.len(), 5, "{log}");
        assert_eq!(rows[0]["key"], "voice.tone");
        assert_eq!(rows[0]["old_value"], "friendly, plain");
        assert_eq!(rows[0]["new_value"], serde_json::Value::Null);
        assert!(rows.iter().all(|r| r["actor"] == "cli"));
        let human = env.expect(&["sites", "changes", "default"], 0);
        assert!(String::from_utf8_lossy(&human.stdout).contains("cli  in_article_images: 2 -> 1"));

        // --json errors are one document naming the key.
        let out = env.expect(
            &["sites", "set", "default", "in_article_images=99", "--json"],
            1,
        );
        let doc = one_document(&out);
        assert_eq!(doc["error"]["code"], "invalid_value", "{doc}");
        assert!(
            doc["error"]["message"]
                .as_str()
                .unwrap()
                .contains("in_article_images")
        );
    }
}

#[test]
fn a_run_after_one_in_article_image_makes_two_images_per_article() {
    for env in engines() {
        let csv = env.dir.path().join("keywords.csv");
        std::fs::write(
            &csv,
            "Keyword,Volume\ntrail running shoes,900\nbest trail running shoes,700\n\
             trail running shoes for women,300\ncold brew coffee,800\ncold brew coffee ratio,400\n\
             how to make cold brew coffee,600\n",
        )
        .unwrap();
        env.expect(&["sites", "set", "default", "in_article_images=1"], 0);
        env.expect(&["run", csv.to_str().unwrap(), "--json"], 0);
        let list = one_document(&env.expect(&["content", "list", "--json"], 0));
        let rows = list["content"].as_array().unwrap();
        assert!(!rows.is_empty(), "{list}");
        for r in rows {
            let id = r["id"].as_i64().unwrap().to_string();
            let article = one_document(&env.expect(&["content", "show", &id, "--json"], 0));
            let images = article["images"].as_array().unwrap();
            assert_eq!(images.len(), 2, "{}: article {id}: {images:?}", env.engine);
            let kinds: Vec<&str> = images
                .iter()
                .filter_map(|i| i["image_type"].as_str())
                .collect();
            assert!(
                kinds.contains(&"featured") && kinds.contains(&"in-article"),
                "{images:?}"
            );
        }
    }
}
