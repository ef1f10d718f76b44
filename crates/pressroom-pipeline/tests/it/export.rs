//! Static export on both engines: front matter read back with a YAML parser equals the
//! article; links and image sources are relative and resolve to exported files; re-export
//! overwrites its own files, keeps a person's edits and files, removes its stale files, zips
//! exactly its own files; a bad
//! output directory is a clear error; hundreds of articles export page by page.

use crate::support::*;
use pressroom_domain::export::{ExportFormat, MANIFEST_FILE};
use pressroom_domain::*;
use pressroom_mock_ai::MockConfig;
use pressroom_pipeline::content::{ContentEdit, ContentEditInput, edit_content, review_many};
use pressroom_pipeline::export::{ExportError, ExportReport, export_site, zip_export};
use pressroom_store::{Db, engine_test};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A run's articles, all approved (offline samples, confirmed).
async fn approved_articles(h: &Harness) -> Vec<Content> {
    let run = run_to_end(h).await;
    assert_eq!(run.status, RunStatus::AwaitingReview, "{:?}", run.error);
    let ids: Vec<ContentId> =
        h.p.db()
            .content_after(h.account, h.site.id, None, 0, 5000)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
    let done = review_many(&h.p, h.account, &ids, ContentStatus::Approved, true)
        .await
        .unwrap();
    assert!(done.iter().all(|o| o.result.is_ok()), "{done:?}");
    h.p.db()
        .content_after(h.account, h.site.id, None, 0, 5000)
        .await
        .unwrap()
}

async fn export(h: &Harness, format: ExportFormat, out: &Path) -> ExportReport {
    export_site(&h.p, h.account, h.site.id, format, out)
        .await
        .unwrap()
}

/// Every file under `dir`, relative, `/`-separated.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The front matter and body of an exported Markdown page.
fn split_page(text: &str) -> (serde_yaml::Value, String) {
    let rest = text.strip_prefix("---\n").expect("front matter first");
    let end = rest.find("\n---\n").expect("front matter closed");
    let fm = serde_yaml::from_str(&rest[..end]).expect("front matter is YAML");
    (fm, rest[end + 5..].to_string())
}

/// Relative link targets and image sources in Markdown (`](x)`) and HTML (`href="x"`,
/// `src="x"`).
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("](", ')'), ("href=\"", '"'), ("src=\"", '"')] {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            if let Some(j) = rest.find(close) {
                out.push(rest[..j].to_string());
            }
        }
    }
    out
}

/// `href` joined to the directory of `page`, with `..` applied; a directory link names its
/// `index.md`/`index.html`.
fn resolve(out: &Path, page: &str, href: &str) -> PathBuf {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop().expect("stays inside the export");
            }
            "" | "." => {}
            s => parts.push(s),
        }
    }
    let p = out.join(parts.join("/"));
    if p.is_dir() {
        ["index.md", "index.html"]
            .iter()
            .map(|i| p.join(i))
            .find(|f| f.is_file())
            .unwrap_or(p)
    } else {
        p
    }
}

fn assert_references_resolve(out: &Path, page: &str) -> usize {
    let text = std::fs::read_to_string(out.join(page)).unwrap();
    let refs = references(&text);
    for r in &refs {
        assert!(
            !r.starts_with('/') && !r.contains("://"),
            "{page}: {r} is not relative"
        );
        assert!(
            resolve(out, page, r).is_file(),
            "{page}: {r} resolves to no exported file"
        );
    }
    refs.len()
}

engine_test!(
    each_format_writes_front_matter_links_and_images_that_resolve,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        import_generated(&h, 120).await;
        let mut articles = approved_articles(&h).await;
        assert!(articles.len() >= 10, "{} articles", articles.len());
        // A title YAML would misread unquoted.
        let awkward = "Cold brew: the \"real\" guide #1 - 50% off?";
        let edited = edit_content(
            &h.p,
            h.account,
            articles[0].id,
            ContentEdit::parse(ContentEditInput {
                title: Some(awkward),
                ..Default::default()
            })
            .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(edited.title, awkward);
        articles[0] = edited;
        let dir = tempfile::tempdir().unwrap();

        // Markdown: front matter equals the article.
        let out = dir.path().join("md");
        let r = export(&h, ExportFormat::Markdown, &out).await;
        assert_eq!(r.articles, articles.len(), "{r:?}");
        assert!(
            r.conflicts.is_empty() && r.missing_images.is_empty(),
            "{r:?}"
        );
        let mut links = 0;
        for c in &articles {
            let page = format!("{}.md", c.slug);
            let text = std::fs::read_to_string(out.join(&page)).unwrap();
            let (fm, body) = split_page(&text);
            assert_eq!(fm["title"].as_str(), Some(c.title.as_str()));
            assert_eq!(fm["slug"].as_str(), Some(c.slug.as_str()));
            assert_eq!(
                fm["description"].as_str(),
                Some(c.meta_description.as_str())
            );
            assert_eq!(fm["draft"].as_bool(), Some(false));
            let date = fm["date"].as_str().unwrap();
            assert_eq!(
                date.parse::<jiff::Timestamp>().unwrap().as_millisecond() / 1000,
                c.created_at / 1000
            );
            let tags: Vec<&str> = fm["tags"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert_eq!(tags[0], c.primary_keyword);
            for k in &c.secondary_keywords {
                assert!(tags.contains(&k.as_str()), "{k} in {tags:?}");
            }
            let cluster = h.p.db().cluster_of_content(h.account, c.id).await.unwrap();
            let name = h.p.db().cluster(h.account, cluster).await.unwrap().name;
            assert_eq!(fm["categories"][0].as_str(), Some(name.as_str()));
            let images = h.p.db().images_of_content(h.account, c.id).await.unwrap();
            let listed = fm["images"].as_sequence().unwrap();
            assert_eq!(
                listed.len(),
                images.iter().filter(|i| i.file_path.is_some()).count()
            );
            for (i, l) in images.iter().zip(listed) {
                assert_eq!(l["alt"].as_str(), Some(i.alt_text.as_str()));
                assert_eq!(
                    l["featured"].as_bool(),
                    Some(i.image_type == ImageType::Featured)
                );
                let file = out.join(l["src"].as_str().unwrap());
                let stored = h.p.media().root().join(i.file_path.as_ref().unwrap());
                assert_eq!(std::fs::read(file).unwrap(), std::fs::read(stored).unwrap());
            }
            assert!(!body.contains("/media/"), "image sources are relative");
            links += body.matches(".md)").count();
            assert_references_resolve(&out, &page);
        }
        assert!(links > 0, "some articles link to others");

        // Hugo page bundles: the alt text rides on the resources.
        let out = dir.path().join("hugo");
        let r = export(&h, ExportFormat::Hugo, &out).await;
        assert_eq!(r.articles, articles.len());
        for c in &articles {
            let page = format!("content/posts/{}/index.md", c.slug);
            let text = std::fs::read_to_string(out.join(&page)).unwrap();
            let (fm, _) = split_page(&text);
            assert_eq!(fm["title"].as_str(), Some(c.title.as_str()));
            let resources = fm["resources"].as_sequence().unwrap();
            assert!(!resources.is_empty());
            for res in resources {
                assert!(res["params"]["alt"].as_str().is_some_and(|a| !a.is_empty()));
                let src = res["src"].as_str().unwrap();
                assert!(
                    out.join(format!("content/posts/{}/{src}", c.slug))
                        .is_file()
                );
            }
            assert_references_resolve(&out, &page);
        }

        // HTML: a page each and an index linking them all.
        let out = dir.path().join("html");
        let r = export(&h, ExportFormat::Html, &out).await;
        assert_eq!(r.articles, articles.len());
        for c in &articles {
            let page = format!("{}/index.html", c.slug);
            let text = std::fs::read_to_string(out.join(&page)).unwrap();
            assert!(
                text.contains("<title>Cold brew: the &quot;real&quot;") || c.id != articles[0].id
            );
            assert!(assert_references_resolve(&out, &page) > 0);
        }
        assert_eq!(
            assert_references_resolve(&out, "index.html"),
            articles.len()
        );
    }
);

engine_test!(
    re_export_keeps_foreign_and_edited_files_and_removes_its_stale_ones,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        let articles = approved_articles(&h).await;
        assert!(articles.len() >= 3, "{} articles", articles.len());
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let first = export(&h, ExportFormat::Markdown, out).await;
        assert!(first.files_written > articles.len(), "{first:?}");
        let ours = files_under(out);

        // Again, unchanged: nothing written.
        let again = export(&h, ExportFormat::Markdown, out).await;
        assert_eq!(again.files_written, 0, "{again:?}");
        assert_eq!(again.files_unchanged, first.files_written);

        // A person's files, one beside ours and one where ours would go; an edit of ours.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        std::fs::write(out.join("images/mine.png"), "mine").unwrap();
        let edited_page = format!("{}.md", articles[0].slug);
        std::fs::write(out.join(&edited_page), "edited by hand").unwrap();
        // Two articles leave the export (back to review): one whose page was edited, one not.
        let gone = &articles[1];
        for c in [&articles[0], gone] {
            // The move the status rules allow (a new version sent back to review makes it).
            let mut tx = h.p.db().begin().await.unwrap();
            tx.move_status(h.account, c.id, ContentStatus::Review)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        // An article whose page a person wrote before the export ever did.
        let third = &articles[2];
        let edit = ContentEdit::parse(ContentEditInput {
            slug: Some("taken-by-a-person"),
            ..Default::default()
        })
        .unwrap();
        edit_content(&h.p, h.account, third.id, edit).await.unwrap();
        std::fs::write(out.join("taken-by-a-person.md"), "someone's page").unwrap();

        let r = export(&h, ExportFormat::Markdown, out).await;
        assert_eq!(r.articles, articles.len() - 2, "{r:?}");
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("images/mine.png")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(&edited_page)).unwrap(),
            "edited by hand",
            "a person's edit is kept"
        );
        assert!(r.kept_edited.contains(&edited_page), "{r:?}");
        assert_eq!(r.conflicts, vec!["taken-by-a-person.md".to_string()]);
        assert_eq!(
            std::fs::read_to_string(out.join("taken-by-a-person.md")).unwrap(),
            "someone's page"
        );
        // The untouched article's page and images are gone; the old name of the renamed one
        // too; nothing else of ours is.
        assert!(!out.join(format!("{}.md", gone.slug)).exists());
        assert!(
            r.removed.contains(&format!("{}.md", gone.slug)),
            "{:?}",
            r.removed
        );
        assert!(
            r.removed
                .iter()
                .any(|p| p.starts_with(&format!("images/{}-", gone.slug))),
            "{:?}",
            r.removed
        );
        assert!(!out.join(format!("{}.md", third.slug)).exists());
        let now = files_under(out);
        for f in &ours {
            let still = now.contains(f);
            let should = !r.removed.contains(f);
            assert_eq!(still, should, "{f}");
        }
        // The manifest lists what this export wrote, not the person's files.
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(MANIFEST_FILE)).unwrap()).unwrap();
        let listed: HashMap<String, serde_json::Value> =
            serde_json::from_value(manifest["files"].clone()).unwrap();
        for f in ["notes.txt", "images/mine.png", "taken-by-a-person.md"] {
            assert!(!listed.contains_key(f), "{f}");
        }
        assert!(!listed.contains_key(&edited_page));

        // The zip holds exactly the export's own files, byte for byte.
        let zip_path = out.join("site.zip");
        assert_eq!(zip_export(out, &zip_path).await.unwrap(), listed.len());
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        let mut expected: Vec<String> = listed.keys().cloned().collect();
        expected.sort();
        assert_eq!(names, expected);
        for name in &names {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
            assert_eq!(bytes, std::fs::read(out.join(name)).unwrap(), "{name}");
        }
    }
);

engine_test!(
    bad_output_directories_are_refused_clearly,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        for (out, says) in [
            (file.clone(), "is a file, not a directory"),
            (file.join("below"), "cannot create it"),
        ] {
            let e = export_site(&h.p, h.account, h.site.id, ExportFormat::Html, &out)
                .await
                .unwrap_err();
            assert!(matches!(e, ExportError::OutDir { .. }), "{e:?}");
            let msg = e.to_string();
            assert!(msg.contains(says) && msg.contains("a-file"), "{msg}");
        }
        // A manifest that is not one: refused, nothing written.
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join(MANIFEST_FILE), "not json").unwrap();
        let e = export_site(&h.p, h.account, h.site.id, ExportFormat::Html, &out)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("manifest"), "{e}");
        assert_eq!(files_under(&out), vec![MANIFEST_FILE.to_string()]);
    }
);

engine_test!(
    hundreds_of_articles_export_page_by_page,
    |db: Db| async move {
        let mut h = harness(db, MockConfig::default(), "offline", "offline").await;
        h.edit_settings(|s| s.in_article_images = 0).await;
        import_generated(&h, 700).await;
        let articles = approved_articles(&h).await;
        assert!(articles.len() > 250, "{} articles", articles.len());
        let dir = tempfile::tempdir().unwrap();
        let r = export(&h, ExportFormat::Html, dir.path()).await;
        assert_eq!(r.articles, articles.len());
        // A page and a featured image each, and the index.
        assert_eq!(files_under(dir.path()).len(), 2 * articles.len() + 2);
        assert_eq!(
            assert_references_resolve(dir.path(), "index.html"),
            articles.len()
        );
    }
);
