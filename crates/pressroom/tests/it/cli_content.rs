//! `pressroom content`, `images alt|upload` and `review approve --all-passing` on an example
//! run's articles, on both engines: an article read whole, edited, regenerated and restored;
//! its links listed and one removed; an image's alt text and file replaced.

use crate::cli::{engines, one_document};
use crate::support::example;

#[test]
fn articles_are_read_edited_and_regenerated_from_the_command_line() {
    for env in engines() {
        let csv = example();
        env.expect(&["run", &csv, "--json"], 0);
        let list =
            one_document(&env.expect(&["content", "list", "--status", "review", "--json"], 0));
        let rows = list["content"].as_array().unwrap();
        assert!(rows.len() >= 20, "{list}");
        // An article with a link: every article of a cluster of two or more has one.
        let linked = rows
            .iter()
            .map(|r| r["id"].as_i64().unwrap().to_string())
            .map(|id| one_document(&env.expect(&["content", "show", &id, "--json"], 0)))
            .find(|a| !a["links"].as_array().unwrap().is_empty())
            .expect("some article links to a sibling");
        let id = linked["id"].as_i64().unwrap().to_string();
        assert_eq!(linked["offline"], true);
        assert!(linked["score"].as_u64().unwrap() <= 100);
        assert_eq!(linked["checks"].as_array().unwrap().len(), 11, "{linked}");
        assert!(linked["meta_title"].as_str().unwrap().chars().count() <= 60);
        let images = linked["images"].as_array().unwrap();
        assert_eq!(images.len(), 3);
        for i in images {
            assert!(!i["alt_text"].as_str().unwrap().is_empty(), "{i}");
            assert!(i["path"].as_str().unwrap().ends_with(".png"), "{i}");
        }
        let html = linked["html"].as_str().unwrap();
        assert!(html.contains("<img"), "in-article images are in the body");
        let anchor = linked["links"][0]["anchor"].as_str().unwrap();
        assert!(
            html.contains(&format!(">{anchor}</a>")),
            "{anchor} is linked in {html}"
        );

        // An edit recomputes the check: a meta title without the keyword fails it.
        let edited = one_document(&env.expect(
            &[
                "content",
                "edit",
                &id,
                "--meta-title",
                "Something else entirely",
                "--json",
            ],
            0,
        ));
        assert_eq!(edited["meta_title"], "Something else entirely");
        let meta = edited["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "meta_title")
            .unwrap();
        assert_eq!(meta["pass"], false, "{meta}");
        let bad = env.run(&["content", "edit", &id, "--slug", "Not A Slug"]);
        assert_eq!(bad.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("slug"));

        // Regenerate keeps the old text as a revision; restore puts it back as version 3.
        let again = one_document(&env.expect(&["content", "regenerate", &id, "--json"], 0));
        assert_eq!(again["version"], 2);
        let revisions = one_document(&env.expect(&["content", "revisions", &id, "--json"], 0));
        let rev = revisions["revisions"][0]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let restored = one_document(&env.expect(&["content", "restore", &id, &rev, "--json"], 0));
        assert_eq!(restored["version"], 3);
        assert_eq!(restored["meta_title"], "Something else entirely");

        // Links: listed both ways; one removed stays removed.
        let links = one_document(&env.expect(&["content", "links", &id, "--json"], 0));
        let link = links["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["status"] == "active" && l["source_id"].as_i64().unwrap().to_string() == id)
            .expect("an active link of this article")
            .clone();
        let link_id = link["id"].as_i64().unwrap().to_string();
        env.expect(&["content", "unlink", &link_id], 0);
        let after = one_document(&env.expect(&["content", "show", &id, "--json"], 0));
        assert!(
            after["links"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["id"] != link["id"])
        );

        // Images: alt text set; a file uploaded replaces the picture; a non-image is refused.
        let image = images[1]["id"].as_i64().unwrap().to_string();
        let alt = one_document(&env.expect(
            &[
                "images",
                "alt",
                &image,
                "A runner lacing trail shoes",
                "--json",
            ],
            0,
        ));
        assert_eq!(alt["image"]["alt_text"], "A runner lacing trail shoes");
        let png = env
            .dir
            .path()
            .join("media")
            .join(images[0]["path"].as_str().unwrap());
        let up = one_document(&env.expect(
            &["images", "upload", &image, png.to_str().unwrap(), "--json"],
            0,
        ));
        assert_eq!(up["image"]["provider"], "upload");
        let text = env.dir.path().join("not-an-image.txt");
        std::fs::write(&text, "hello").unwrap();
        let refused = env.run(&["images", "upload", &image, text.to_str().unwrap()]);
        assert_eq!(refused.status.code(), Some(1));

        // Offline samples are never approved by --all-passing.
        let passing =
            one_document(&env.expect(&["review", "approve", "--all-passing", "--json"], 0));
        assert_eq!(passing["results"], serde_json::json!([]));
    }
}
