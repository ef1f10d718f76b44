//! The `pressroom` binary as a user runs it: exit codes, output, and what lands in the data
//! directory. Tests that take an [`Env`] run once on SQLite and once on a PostgreSQL schema of
//! their own (when `PRESSROOM_TEST_POSTGRES_URL` is set).

use crate::support::example;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn command(data_dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pressroom"));
    c.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("PRESSROOM_CONFIG")
        // A developer's log settings must not change what the tests read on stderr.
        .env_remove("RUST_LOG")
        .env_remove("PRESSROOM_LOG")
        .env_remove("PRESSROOM_LOG_FORMAT");
    c
}

fn pressroom(data_dir: &Path, args: &[&str]) -> Output {
    command(data_dir, args).output().expect("run pressroom")
}

/// A data directory, and the database the commands use: SQLite in the directory, or a fresh
/// PostgreSQL schema.
pub(crate) struct Env {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) database_url: Option<String>,
    pub(crate) engine: &'static str,
}

impl Env {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = command(self.dir.path(), args);
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        c
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run pressroom")
    }

    /// Runs `args` and checks the exit code, printing stderr when it differs.
    pub(crate) fn expect(&self, args: &[&str], code: i32) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{} {args:?}: {}",
            self.engine,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

/// SQLite always; PostgreSQL when configured (the store's harness makes the schema).
pub(crate) fn engines() -> Vec<Env> {
    let mut envs = vec![Env {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
        engine: "sqlite",
    }];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pg = runtime.block_on(async {
        pressroom_store::testing::TestDb::postgres()
            .await
            .map(|t| t.url.clone())
    });
    if let Some(url) = pg {
        envs.push(Env {
            dir: tempfile::tempdir().unwrap(),
            database_url: Some(url),
            engine: "postgres",
        });
    }
    envs
}

/// Stdout holds exactly one JSON document; returns it.
pub(crate) fn one_document(out: &Output) -> serde_json::Value {
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
    assert_eq!(
        docs.len(),
        1,
        "exactly one document: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    docs.into_iter().next().unwrap()
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
    for env in engines() {
        run_and_review(&env);
    }
}

fn run_and_review(env: &Env) {
    let dir = &env.dir;
    let first = one_document(&env.expect(&["run", &example(), "--json"], 0));
    assert!(first["error"].is_null(), "{}", first["error"]);
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

    let second = one_document(&env.expect(&["run", &example(), "--json"], 0));
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

    let listed = json(&env.run(&["keywords", "list", "--search", "sourdough", "--json"]));
    assert_eq!(listed["keywords"].as_array().unwrap().len(), 18);
    let credits = json(&env.run(&["credits", "--json"]));
    assert_eq!(credits["balance"], 10_000);
    let review = json(&env.run(&["review", "list", "--json"]));
    let first_id = review["content"][0]["id"].as_i64().unwrap().to_string();
    let second_id = review["content"][1]["id"].as_i64().unwrap().to_string();
    // An offline sample is approved only when the editor confirms it is one.
    let unconfirmed = env.expect(&["review", "approve", &first_id], 3);
    assert!(
        String::from_utf8_lossy(&unconfirmed.stdout).contains("offline sample"),
        "{}",
        String::from_utf8_lossy(&unconfirmed.stdout)
    );
    env.expect(&["review", "approve", &first_id, "--confirm-offline"], 0);
    let again = env.expect(&["review", "approve", &first_id, "--confirm-offline"], 3);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("could not be moved"),
        "approved content cannot be approved again, and the batch says so"
    );
    // One document for a batch with an unknown id: per-id results, exit 4.
    let batch = format!("{second_id},9999");
    let mixed = one_document(&env.expect(
        &["review", "approve", &batch, "--confirm-offline", "--json"],
        4,
    ));
    let results = mixed["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["outcome"], "approved");
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[1]["id"], 9999);
    assert_eq!(results[1]["outcome"], "not_found");
    assert_eq!(mixed["error"]["code"], "not_found");
    // Refused and unknown in one batch: the unknown id decides the exit code.
    let both = format!("{first_id},9999");
    let refused = one_document(&env.expect(&["review", "reject", &both, "--json"], 4));
    assert_eq!(refused["results"][0]["outcome"], "failed");
    let done = one_document(&env.expect(
        &[
            "review",
            "approve",
            &second_id,
            "--confirm-offline",
            "--json",
        ],
        3,
    ));
    assert_eq!(done["error"]["code"], "finished_with_failures");

    // Reject is not a one-way door: reopen sends a rejected article back to review, and
    // refuses an approved one.
    let third_id = review["content"][2]["id"].as_i64().unwrap().to_string();
    env.expect(&["review", "reject", &third_id], 0);
    let reopened = one_document(&env.expect(&["review", "reopen", &third_id, "--json"], 0));
    assert_eq!(reopened["results"][0]["outcome"], "review");
    let refused = one_document(&env.expect(&["review", "reopen", &first_id, "--json"], 3));
    assert!(
        refused["results"][0]["error"]
            .as_str()
            .unwrap()
            .contains("only rejected content can be reopened"),
        "{refused}"
    );

    // Images are listed by status, a page at a time; with none failed, a retry has nothing to do.
    let all = one_document(&env.expect(&["images", "list", "--json", "--limit", "1000"], 0));
    assert_eq!(all["images"].as_array().unwrap().len() as i64, articles * 3);
    let page = one_document(&env.expect(&["images", "list", "--json", "--limit", "5"], 0));
    let after = page["next_after"].as_i64().unwrap().to_string();
    let next = one_document(&env.expect(
        &[
            "images", "list", "--json", "--limit", "5", "--after", &after,
        ],
        0,
    ));
    assert!(next["images"][0]["id"].as_i64().unwrap() > page["next_after"].as_i64().unwrap());
    let failed = one_document(&env.expect(&["images", "list", "--status", "failed", "--json"], 0));
    assert_eq!(failed["images"].as_array().unwrap().len(), 0);
    env.expect(&["images", "list", "--status", "broken"], 2);
    let retried = one_document(&env.expect(&["images", "retry", "--failed", "--json"], 0));
    assert_eq!(retried["retried"], 0);

    // The run records the providers and models its driver used.
    let status = one_document(&env.expect(&["runs", "status", "--json"], 0));
    assert_eq!(status["providers"]["text"], "offline");
    assert_ne!(status["providers"]["text_model"], "not started");
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
fn malformed_rows_are_reported_with_line_numbers_and_exit_3() {
    for env in engines() {
        let file = env.dir.path().join("bad.csv");
        std::fs::write(&file, "Keyword,Volume\ngood one,10\nbad one,many\n,5\n").unwrap();
        let out = env.expect(&["keywords", "import", file.to_str().unwrap()], 3);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "line 3: invalid number for volume: \"many\"; the keyword is kept with its volume empty"
            ),
            "{stderr}"
        );
        assert!(stderr.contains("line 4: invalid keyword"), "{stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("2 new keywords"), "{stdout}");
        assert!(
            stdout.contains("1 kept with a metric left empty"),
            "{stdout}"
        );
        let again =
            one_document(&env.expect(&["keywords", "import", file.to_str().unwrap(), "--json"], 3));
        assert_eq!(again["error"]["code"], "finished_with_failures");
        assert_eq!(again["import"]["skipped"], 1);
        assert_eq!(again["import"]["incomplete"], 1);
        let clean = env.dir.path().join("clean.csv");
        std::fs::write(&clean, "Keyword;Volume\nthird one;1.200\n").unwrap();
        let ok = one_document(&env.expect(
            &["keywords", "import", clean.to_str().unwrap(), "--json"],
            0,
        ));
        assert!(ok["error"].is_null());
        assert_eq!(ok["import"]["numbers"], "1.234,5");
    }
}

#[test]
fn a_run_whose_import_skipped_rows_exits_3_with_one_document() {
    for env in engines() {
        run_with_a_skipped_row(&env);
    }
}

fn run_with_a_skipped_row(env: &Env) {
    let file = env.dir.path().join("few.csv");
    std::fs::write(
        &file,
        "Keyword,Volume\nsourdough starter,900\nsourdough bread recipe,700\n,5\n",
    )
    .unwrap();
    let v = one_document(&env.expect(&["run", file.to_str().unwrap(), "--json"], 3));
    assert_eq!(
        v["status"], "completed",
        "two keywords make no article to review"
    );
    assert_eq!(v["import"]["skipped"], 1);
    assert_eq!(v["error"]["code"], "finished_with_failures");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 rows skipped"),
        "{}",
        v["error"]
    );
}

#[test]
fn every_exit_code_and_one_json_document_each() {
    for env in engines() {
        let ok = one_document(&env.expect(&["sites", "list", "--json"], 0));
        assert!(ok["sites"].is_array(), "{ok}");
        // 1: bad input.
        let bad =
            one_document(&env.expect(&["keywords", "list", "--status", "weird", "--json"], 1));
        assert_eq!(bad["error"]["code"], "invalid_value");
        assert!(
            bad["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown keyword status \"weird\"")
        );
        assert!(bad.as_object().unwrap().len() == 1, "{bad}");
        // 2: usage, with and without --json.
        let usage = one_document(&env.expect(&["frobnicate", "--json"], 2));
        assert_eq!(usage["error"]["code"], "usage");
        assert!(
            usage["error"]["message"]
                .as_str()
                .unwrap()
                .contains("frobnicate"),
            "{usage}"
        );
        let usage = env.expect(&["--json", "credits", "--limit", "many"], 2);
        assert_eq!(one_document(&usage)["error"]["code"], "usage");
        let human = env.expect(&["frobnicate"], 2);
        assert!(human.stdout.is_empty());
        assert!(String::from_utf8_lossy(&human.stderr).contains("frobnicate"));
        assert_eq!(
            one_document(&env.expect(&["users", "--json"], 2))["error"]["code"],
            "usage"
        );
        let help = one_document(&env.expect(&["--help", "--json"], 0));
        assert!(help["help"].as_str().unwrap().contains("Usage"));
        // 4: not found, single and batch.
        for args in [
            &["runs", "status", "9999", "--json"][..],
            &["runs", "status", "--json"],
            &["runs", "pause", "9999", "--json"],
            &["sites", "show", "Nope", "--json"],
            &["keywords", "list", "--site", "Nope", "--json"],
            &["review", "approve", "9999", "--json"],
        ] {
            let v = one_document(&env.expect(args, 4));
            assert_eq!(v["error"]["code"], "not_found", "{args:?}: {v}");
        }
        let images =
            one_document(&env.expect(&["images", "generate", "--ids", "5,99999", "--json"], 4));
        assert_eq!(images["requests"][0]["outcome"], "not_found");
        assert_eq!(images["requests"][1]["image"], 99999);
        assert_eq!(images["error"]["code"], "not_found");
        let human = env.expect(&["review", "approve", "9999"], 4);
        assert!(String::from_utf8_lossy(&human.stdout).contains("content 9999"));
        // 1 again: an error without --json is a line on stderr and nothing on stdout.
        let dup = env.expect(&["sites", "create", "A"], 0);
        assert!(dup.stderr.is_empty());
        let dup = env.expect(&["sites", "create", "A"], 1);
        assert!(dup.stdout.is_empty());
        assert!(String::from_utf8_lossy(&dup.stderr).starts_with("error: "));
        let dup = one_document(&env.expect(&["sites", "create", "A", "--json"], 1));
        assert_eq!(dup["error"]["code"], "already_exists");
    }
}

/// Spawns the command with stdout (and optionally stderr) closed before it writes.
fn with_closed_output(env: &Env, args: &[&str], close_stderr: bool) -> (Option<i32>, String) {
    let mut child = env
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    if close_stderr {
        drop(child.stderr.take());
    } else {
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
    }
    let status = child.wait().unwrap();
    (status.code(), stderr)
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    for env in engines() {
        for (args, code) in [
            (&["review", "list"][..], 0),
            (&["keywords", "list", "--json"], 0),
            (&["review", "approve", "9999"], 4),
            (&["keywords", "list", "--status", "weird", "--json"], 1),
        ] {
            let (status, stderr) = with_closed_output(&env, args, false);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert_eq!(status, Some(code), "{args:?}: {stderr}");
        }
        // Both streams gone: still the command's own code (a panic would be 101).
        let (status, _) =
            with_closed_output(&env, &["keywords", "list", "--status", "weird"], true);
        assert_eq!(status, Some(1));
        let (status, _) = with_closed_output(&env, &["frobnicate"], true);
        assert_eq!(status, Some(2));
    }
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
    let unknown = pressroom(
        dir.path(),
        &["images", "generate", "--ids", "41,42", "--json"],
    );
    assert_eq!(unknown.status.code(), Some(4));
    let unknown = json(&unknown);
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
    assert_eq!(missing.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no site named \"Nope\""));
    let sites = json(&pressroom(dir.path(), &["sites", "list", "--json"]));
    assert_eq!(
        sites["sites"].as_array().unwrap().len(),
        2,
        "default site plus the new one"
    );
}

#[test]
fn keyword_list_total_counts_what_the_search_matches() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kw.csv");
    std::fs::write(
        &file,
        "Keyword,Volume\ntrail shoes,10\ncold brew coffee,20\ncoffee grinder,30\n",
    )
    .unwrap();
    let out = pressroom(dir.path(), &["keywords", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let listed = json(&pressroom(
        dir.path(),
        &[
            "keywords", "list", "--search", "coffee", "--limit", "1", "--json",
        ],
    ));
    assert_eq!(listed["total"], 2, "{listed}");
    let all = json(&pressroom(dir.path(), &["keywords", "list", "--json"]));
    assert_eq!(all["total"], 3, "{all}");
}

/// One run followed end to end in JSON logs: the driver's lines, an AI function's and an image
/// job's all carry the run's id, in spans of their own. SQLite only: the spans do not depend
/// on the engine.
#[test]
fn a_run_can_be_followed_in_json_logs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("few.csv");
    std::fs::write(
        &file,
        "Keyword,Volume\nsourdough starter,900\nsourdough bread recipe,700\nsourdough starter recipe,400\nsourdough discard,300\nsourdough bread,800\n",
    )
    .unwrap();
    let out = command(dir.path(), &["run", file.to_str().unwrap(), "--json"])
        .args(["--log-format", "json"])
        // PRESSROOM_LOG wins over RUST_LOG: with RUST_LOG's filter there would be no lines.
        .env("PRESSROOM_LOG", "pressroom_pipeline=debug")
        .env("RUST_LOG", "off")
        .output()
        .expect("run pressroom");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Stdout is still the one document; the log lines are all on stderr.
    let run_id = one_document(&out)["run_id"].clone();
    assert!(run_id.is_i64(), "{run_id}");
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // The span named `span` inside which the line was logged, if any.
    let in_span = |line: &serde_json::Value, span: &str| -> Option<serde_json::Value> {
        line["spans"]
            .as_array()?
            .iter()
            .find(|s| s["name"] == span)
            .cloned()
    };
    for span in ["run", "generate_ideas", "image_job"] {
        let mine: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| in_span(l, span).is_some())
            .collect();
        assert!(!mine.is_empty(), "no line inside a {span} span: {stderr}");
        for line in mine {
            let s = in_span(line, span).unwrap();
            assert_eq!(s["run"], run_id, "{span}: {line}");
            assert_eq!(s["account"], 1, "{span}: {line}");
            assert!(s["site"].is_i64(), "{span}: {line}");
        }
    }
    let stage_numbers: std::collections::BTreeSet<i64> = lines
        .iter()
        .filter_map(|l| in_span(l, "stage")?["stage"].as_i64())
        .collect();
    assert!(stage_numbers.contains(&2), "{stage_numbers:?}");
    let ideas: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| in_span(l, "generate_ideas").is_some())
        .collect();
    assert!(
        ideas
            .iter()
            .all(|l| in_span(l, "generate_ideas").unwrap()["cluster"].is_i64()),
        "an AI function's span names its item"
    );
    // Stage 2's items run as tasks of their own: they keep the driver's and the stage's spans.
    assert!(
        ideas
            .iter()
            .all(|l| in_span(l, "run").is_some() && in_span(l, "stage").is_some()),
        "{ideas:?}"
    );
}
