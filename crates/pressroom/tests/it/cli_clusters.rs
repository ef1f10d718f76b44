//! `pressroom clusters|keywords|ideas` edits as a user runs them, on each engine: the plan a
//! small run made is renamed, merged, split, moved, archived and restored; refusals exit 1
//! with their code, unknown ids 4, a command line that does not parse 2.

use crate::cli::{Env, engines, one_document};
use serde_json::Value;

const KEYWORDS: &str = "Keyword,Volume\n\
    trail running shoes,900\nbest trail running shoes,700\ntrail running shoes for women,300\nwaterproof trail running shoes,200\n\
    cold brew coffee,800\ncold brew coffee ratio,400\nhow to make cold brew coffee,600\ncold brew coffee maker,350\n";

fn doc(env: &Env, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    one_document(&env.expect(&all, code))
}

fn error_code(env: &Env, args: &[&str], code: i32) -> String {
    let d = doc(env, args, code);
    d["error"]["code"].as_str().unwrap_or("").to_string()
}

#[test]
fn clusters_are_edited_from_the_command_line() {
    for env in engines() {
        edit_the_plan(&env);
    }
}

fn edit_the_plan(env: &Env) {
    let file = env.dir.path().join("small.csv");
    std::fs::write(&file, KEYWORDS).unwrap();
    let file = file.to_str().unwrap();
    env.expect(&["run", file, "--json"], 0);

    let list = doc(env, &["clusters", "list"], 0);
    let clusters = list["clusters"].as_array().unwrap();
    assert!(clusters.len() >= 2, "{}: {list}", env.engine);
    let id = |c: &Value| c["id"].as_i64().unwrap().to_string();
    let (a, b) = (id(&clusters[0]), id(&clusters[1]));
    let b_name = clusters[1]["name"].as_str().unwrap().to_string();
    let count = |c: &Value| c["keyword_count"].as_i64().unwrap();
    let both = count(&clusters[0]) + count(&clusters[1]);

    // Refusals: a taken name, merging into itself, unknown ids, an empty name.
    assert_eq!(
        error_code(env, &["clusters", "rename", &a, &b_name], 1),
        "already_exists"
    );
    assert_eq!(
        error_code(env, &["clusters", "rename", &a, " \t "], 1),
        "invalid_value"
    );
    assert_eq!(
        error_code(env, &["clusters", "merge", &a, "--into", &a], 1),
        "invalid_value"
    );
    assert_eq!(
        error_code(env, &["clusters", "merge", &a, "--into", "999999"], 4),
        "not_found"
    );
    assert_eq!(
        error_code(env, &["clusters", "show", "999999"], 4),
        "not_found"
    );
    let usage = env.expect(&["clusters", "merge", &a], 2);
    assert!(
        String::from_utf8_lossy(&usage.stderr).contains("--into"),
        "{}",
        String::from_utf8_lossy(&usage.stderr)
    );

    // Rename, then split one keyword off and move it back.
    let renamed = doc(
        env,
        &[
            "clusters",
            "rename",
            &a,
            "  Trail shoes ",
            "--description",
            "Hills",
        ],
        0,
    );
    assert_eq!(renamed["cluster"]["name"], "Trail shoes");
    let shown = doc(env, &["clusters", "show", &a], 0);
    let keywords = shown["keywords"].as_array().unwrap();
    assert!(keywords.len() >= 2, "{shown}");
    assert!(!shown["ideas"].as_array().unwrap().is_empty());
    let k = keywords[1]["id"].as_i64().unwrap().to_string();
    let split = doc(
        env,
        &[
            "clusters",
            "split",
            &a,
            "--keywords",
            &k,
            "--name",
            "Split off",
        ],
        0,
    );
    assert_eq!(split["cluster"]["method"], "manual");
    assert_eq!(split["cluster"]["keyword_count"], 1);
    let made = split["cluster"]["id"].as_i64().unwrap().to_string();
    let moved = doc(env, &["clusters", "move", "--keywords", &k, "--to", &a], 0);
    assert_eq!(moved["moved"], 1);
    assert_eq!(
        moved["cluster"]["keyword_count"].as_i64(),
        Some(keywords.len() as i64)
    );

    // Archive a keyword (counts drop), restore it, delete it.
    let archived = doc(env, &["keywords", "archive", &k], 0);
    assert_eq!(archived["changed"], 1);
    let after = doc(env, &["clusters", "show", &a], 0);
    assert_eq!(
        after["cluster"]["keyword_count"].as_i64(),
        Some(keywords.len() as i64 - 1)
    );
    let restored = doc(env, &["keywords", "restore", &k], 0);
    assert_eq!(restored["keywords"][0]["status"], "mapped");
    assert_eq!(
        error_code(env, &["keywords", "delete", &format!("{k},999999")], 4),
        "not_found"
    );
    assert_eq!(doc(env, &["keywords", "delete", &k], 0)["changed"], 1);

    // Merge the (now empty) split cluster and cluster a into b: every keyword ends in b.
    doc(env, &["clusters", "merge", &made, "--into", &b], 0);
    let merged = doc(env, &["clusters", "merge", &a, "--into", &b], 0);
    assert_eq!(merged["cluster"]["keyword_count"].as_i64(), Some(both - 1));
    assert!(merged["moved"]["ideas"].as_u64().unwrap() > 0);
    let archived = doc(env, &["clusters", "list", "--status", "archived"], 0);
    assert_eq!(archived["clusters"].as_array().unwrap().len(), 2);
    assert_eq!(
        error_code(env, &["clusters", "merge", &a, "--into", &b], 1),
        "refused"
    );
    assert_eq!(
        doc(env, &["clusters", "restore", &a], 0)["cluster"]["status"],
        "new"
    );
    assert_eq!(
        doc(env, &["clusters", "archive", &a], 0)["cluster"]["status"],
        "archived"
    );

    // Ideas: the run made them into tasks, so none may be deleted; an unknown id exits 4.
    let ideas = doc(env, &["ideas", "list"], 0);
    let idea = ideas["ideas"][0]["id"].as_i64().unwrap().to_string();
    assert_eq!(error_code(env, &["ideas", "delete", &idea], 1), "refused");
    assert_eq!(
        error_code(env, &["ideas", "delete", "999999"], 4),
        "not_found"
    );
    // Human output names what happened.
    let out = env.expect(&["clusters", "show", &b], 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("cluster {b}")));
}
