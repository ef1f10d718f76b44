//! `pressroom export` on an example run's approved articles, on both engines: the files are
//! written and counted, a re-export writes nothing new, `--zip` zips them, an output path that is a file is
//! refused with a message saying so.

use crate::cli::{engines, one_document};
use crate::support::example;

#[test]
fn approved_articles_are_exported_from_the_command_line() {
    for env in engines() {
        let csv = example();
        env.expect(&["run", &csv, "--json"], 0);
        let list = one_document(&env.expect(&["review", "list", "--json"], 0));
        let ids: Vec<String> = list["content"].as_array().unwrap()[..3]
            .iter()
            .map(|r| r["id"].as_i64().unwrap().to_string())
            .collect();
        env.expect(
            &["review", "approve", &ids.join(","), "--confirm-offline"],
            0,
        );
        let out = env.dir.path().join("site");
        let out_arg = out.to_str().unwrap();
        let args = [
            "export", "default", "--format", "html", "--out", out_arg, "--json",
        ];
        let done = one_document(&env.expect(&args, 0));
        assert_eq!(done["export"]["articles"], 3, "{done}");
        assert!(out.join("index.html").is_file());
        assert!(out.join(".pressroom-export.json").is_file());
        let again = one_document(&env.expect(&args, 0));
        assert_eq!(again["export"]["files_written"], 0, "{again}");
        let zip = env.dir.path().join("site.zip");
        let mut with_zip = args.to_vec();
        with_zip.extend(["--zip", zip.to_str().unwrap()]);
        let zipped = one_document(&env.expect(&with_zip, 0));
        // Three pages, their pictures and the index.
        assert!(zipped["zipped"].as_u64().unwrap() > 4, "{zipped}");
        assert!(zip.is_file());

        let file = out.join("index.html");
        let bad = env.run(&[
            "export",
            "default",
            "--format",
            "markdown",
            "--out",
            file.to_str().unwrap(),
        ]);
        assert_eq!(bad.status.code(), Some(1), "{}", env.engine);
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(err.contains("is a file, not a directory"), "{err}");
    }
}
