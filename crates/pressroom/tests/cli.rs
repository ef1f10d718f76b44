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
fn run_twice_keeps_the_same_keyword_count() {
    let dir = tempfile::tempdir().unwrap();
    let first = pressroom(dir.path(), &["run", &example(), "--json"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first = json(&first);
    let n = first["counts"]["keywords"].as_i64().unwrap();
    assert_eq!(n, 131);
    assert_eq!(first["import"]["inserted"], 131);
    let second = json(&pressroom(dir.path(), &["run", &example(), "--json"]));
    assert_eq!(second["counts"]["keywords"].as_i64().unwrap(), n);
    assert_eq!(second["import"]["inserted"], 0);
    assert!(dir.path().join("pressroom.db").exists());

    let listed = json(&pressroom(
        dir.path(),
        &["keywords", "list", "--search", "sourdough", "--json"],
    ));
    assert_eq!(listed["keywords"].as_array().unwrap().len(), 18);
    let credits = json(&pressroom(dir.path(), &["credits", "--json"]));
    assert_eq!(credits["balance"], 10_000);
    assert_eq!(credits["entries"][0]["reason"], "starting credits");
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
fn unbuilt_commands_say_so_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["serve"][..],
        &["worker"],
        &["images", "generate", "--ids", "1"],
        &["runs", "start"],
        &["review", "list"],
    ] {
        let out = pressroom(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not built yet"),
            "{args:?}"
        );
    }
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
