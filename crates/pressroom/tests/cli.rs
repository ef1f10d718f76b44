//! The `pressroom` binary as a user runs it: exit codes, output, and what lands in the data
//! directory (SQLite here; the repository suite covers PostgreSQL).

use std::path::Path;
use std::process::{Command, Output};

fn pressroom(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pressroom"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("PRESSROOM_CONFIG")
        .output()
        .expect("run pressroom")
}

fn example() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/keywords.csv").to_string()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn run_produces_reviewable_articles_and_a_second_run_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = pressroom(dir.path(), &["run", &example(), "--json"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first = json(&first);
    assert_eq!(first["status"], "awaiting_review");
    assert_eq!(first["providers"]["text"], "offline");
    assert_eq!(first["providers"]["image"], "offline");
    let stages = first["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 7);
    for (i, s) in stages.iter().enumerate() {
        assert_eq!(s["stage"], i + 1);
        for key in [
            "name",
            "processed",
            "created",
            "failed",
            "skipped",
            "credits",
        ] {
            assert!(!s[key].is_null(), "stage {} lacks {key}", i + 1);
        }
    }
    let counts = &first["counts"];
    assert_eq!(counts["keywords"], 131);
    let articles = counts["content"].as_i64().unwrap();
    assert!(articles >= 20, "{counts}");
    assert_eq!(counts["images_generated"].as_i64().unwrap(), articles * 3);
    assert_eq!(counts["images_failed"], 0);
    assert_eq!(first["credits_used"], 0, "offline providers cost nothing");
    let pngs = walk(&dir.path().join("media"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .count();
    assert_eq!(pngs as i64, articles * 3);

    let second = json(&pressroom(dir.path(), &["run", &example(), "--json"]));
    assert_eq!(second["import"]["inserted"], 0);
    assert_eq!(second["counts"], first["counts"], "nothing new");
    assert_eq!(second["credits_used"], 0);
    assert!(
        second["stages"]
            .as_array()
            .unwrap()
            .iter()
            .take(6)
            .all(|s| s["created"] == 0)
    );

    let listed = json(&pressroom(
        dir.path(),
        &["keywords", "list", "--search", "sourdough", "--json"],
    ));
    assert_eq!(listed["keywords"].as_array().unwrap().len(), 18);
    let credits = json(&pressroom(dir.path(), &["credits", "--json"]));
    assert_eq!(credits["balance"], 10_000);
    let review = json(&pressroom(dir.path(), &["review", "list", "--json"]));
    let first_id = review["content"][0]["id"].as_i64().unwrap();
    let approved = pressroom(dir.path(), &["review", "approve", &first_id.to_string()]);
    assert_eq!(
        approved.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );
    let again = pressroom(dir.path(), &["review", "approve", &first_id.to_string()]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "approved content cannot be approved again"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("could not be moved"));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn malformed_rows_are_reported_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "Keyword,Volume\ngood one,10\nbad one,many\n,5\n").unwrap();
    let out = pressroom(dir.path(), &["keywords", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3: invalid number for volume: \"many\""),
        "{stderr}"
    );
    assert!(stderr.contains("line 4: invalid keyword"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 new keywords"));
}

#[test]
fn a_file_without_keyword_column_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nokw.csv");
    std::fs::write(&file, "Term,Volume\nshoes,10\n").unwrap();
    let out = pressroom(dir.path(), &["keywords", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no keyword column"));
    let listed = json(&pressroom(dir.path(), &["keywords", "list", "--json"]));
    assert_eq!(listed["total"], 0);
    let missing = pressroom(dir.path(), &["keywords", "import", "/nonexistent/file.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open /nonexistent/file.csv"));
}

#[test]
fn bad_input_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let bad_addr = pressroom(dir.path(), &["serve", "--addr", "256.0.0.1:1"]);
    assert_eq!(
        bad_addr.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&bad_addr.stderr)
    );
    let unknown = json(&pressroom(
        dir.path(),
        &["images", "generate", "--ids", "41,42", "--json"],
    ));
    assert_eq!(unknown["requests"][0]["outcome"], "not_found");
    assert_eq!(unknown["requests"][1]["image"], 42);
    let bad_ids = pressroom(dir.path(), &["images", "generate", "--ids", "1,x"]);
    assert_eq!(bad_ids.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_ids.stderr).contains("invalid image id"));
    assert_eq!(
        pressroom(dir.path(), &["frobnicate"]).status.code(),
        Some(2)
    );
    assert_eq!(
        pressroom(dir.path(), &["keywords", "import"]).status.code(),
        Some(2)
    );
    let bad_status = pressroom(dir.path(), &["keywords", "list", "--status", "weird"]);
    assert_eq!(bad_status.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad_status.stderr).contains("unknown keyword status \"weird\"")
    );
}

#[test]
fn sites_are_created_and_used_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = pressroom(
        dir.path(),
        &["sites", "create", "Trail Blog", "--domain", "trail.example"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dup = pressroom(dir.path(), &["sites", "create", "Trail Blog"]);
    assert_eq!(dup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let imported = json(&pressroom(
        dir.path(),
        &[
            "keywords",
            "import",
            &example(),
            "--site",
            "Trail Blog",
            "--json",
        ],
    ));
    assert_eq!(imported["import"]["inserted"], 131);
    let missing = pressroom(
        dir.path(),
        &["keywords", "import", &example(), "--site", "Nope"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no site named \"Nope\""));
    let sites = json(&pressroom(dir.path(), &["sites", "list", "--json"]));
    assert_eq!(
        sites["sites"].as_array().unwrap().len(),
        2,
        "default site plus the new one"
    );
}
