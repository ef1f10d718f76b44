//! `pressroom serp import` as a user runs it (SQLite; the import itself is tested on both
//! engines in pressroom-pipeline).

use std::process::{Command, Output};

fn pressroom(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pressroom"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("PRESSROOM_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("PRESSROOM_LOG")
        .output()
        .expect("run pressroom")
}

#[test]
fn serp_import_stores_results_and_refuses_a_bad_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("serp.tsv");
    std::fs::write(
        &file,
        "\u{feff}Keyword\tRank\tURL\ntrail shoes\t1\thttps://a.example/\ntrail shoes\t2\thttps://b.example/\n",
    )
    .unwrap();
    let out = pressroom(
        dir.path(),
        &["serp", "import", file.to_str().unwrap(), "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["import"]["keywords"], 1);
    assert_eq!(v["import"]["results"], 2);
    assert_eq!(v["import"]["delimiter"], "tab");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "query,position,link\nshoes,1,https://a.example/\nshoes,x,https://b.example/\n",
    )
    .unwrap();
    let out = pressroom(dir.path(), &["serp", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3: position \"x\""), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    let unknown = pressroom(
        dir.path(),
        &["serp", "import", file.to_str().unwrap(), "--site", "nope"],
    );
    assert_eq!(
        unknown.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}
