//! `pressroom run` against the mock provider server: the OpenAI protocol end to end, and a run
//! killed with SIGKILL in the middle of Stage 6 that, run again, charges each image once.

use crate::support::example;
use pressroom_mock_ai::{ImageMode, MockConfig};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

fn command(data_dir: &Path, v1: &str, args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_pressroom"));
    // OpenAI's default image limit is 50 a minute, as on a new real account; the mock has none.
    c.env("PRESSROOM_LIMIT_OPENAI_IMAGES", "0:16");
    c.env("PRESSROOM_LIMIT_OPENAI_CHAT", "0:16");
    c.arg("--data-dir").arg(data_dir).args(args);
    c.env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_BASE_URL", v1)
        .env("PRESSROOM_ALLOW_LOOPBACK_DOWNLOADS", "1");
    for var in [
        "DATABASE_URL",
        "PRESSROOM_CONFIG",
        "RUNWARE_API_KEY",
        "RUNWARE_BASE_URL",
        "PRESSROOM_TEXT_MODEL",
        "PRESSROOM_IMAGE_MODEL",
        "RUST_LOG",
        "PRESSROOM_LOG",
        "PRESSROOM_LOG_FORMAT",
    ] {
        c.env_remove(var);
    }
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_uses_the_openai_protocol_end_to_end() {
    let (_, mock) = pressroom_mock_ai::spawn(MockConfig {
        image_mode: ImageMode::Url,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &mock.v1(), &["run", &example(), "--json"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["providers"]["text"], "openai");
    assert_eq!(v["providers"]["image"], "openai");
    assert_eq!(v["status"], "awaiting_review");
    let images = v["counts"]["images_generated"].as_i64().unwrap();
    assert!(images > 0);
    assert_eq!(mock.requests("images_generations") as i64, images);
    assert_eq!(
        mock.requests("images_get") as i64,
        images,
        "every URL downloaded through the guarded client"
    );
    assert!(mock.requests("chat_completions") > 0);
    let used = v["credits_used"].as_i64().unwrap();
    assert!(used > 0);
    let total: i64 = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["credits"].as_i64().unwrap())
        .sum();
    assert_eq!(total, used);
    let credits = command(
        dir.path(),
        &mock.v1(),
        &["credits", "--json", "--limit", "1000"],
    )
    .output()
    .await
    .unwrap();
    let credits: serde_json::Value = serde_json::from_slice(&credits.stdout).unwrap();
    assert_eq!(
        credits["balance"].as_i64().unwrap(),
        10_000 - used,
        "the ledger matches the run's credits"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_stage6_and_run_again_charges_each_image_once() {
    let (_, mock) = pressroom_mock_ai::spawn(MockConfig {
        image_mode: ImageMode::B64,
        latency: Duration::from_millis(40),
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path(), &mock.v1(), &["run", &example()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // SIGKILL once some images are generated.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while mock.requests("images_generations") < 20 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stage 6 never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().await.unwrap();
    let out = command(dir.path(), &mock.v1(), &["run", &example(), "--json"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "awaiting_review");
    assert_eq!(v["run_id"], 1, "the killed run was resumed, not replaced");
    let generated = v["counts"]["images_generated"].as_i64().unwrap();
    assert_eq!(v["counts"]["images_failed"], 0);
    let credits = command(
        dir.path(),
        &mock.v1(),
        &["credits", "--json", "--limit", "1000"],
    )
    .output()
    .await
    .unwrap();
    let credits: serde_json::Value = serde_json::from_slice(&credits.stdout).unwrap();
    let image_charges: Vec<&serde_json::Value> = credits["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["idempotency_key"].as_str().unwrap().starts_with("image:"))
        .collect();
    assert_eq!(
        image_charges.len() as i64,
        generated,
        "one charge per image"
    );
    let mut keys: Vec<&str> = image_charges
        .iter()
        .map(|e| e["idempotency_key"].as_str().unwrap())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len() as i64, generated);
    assert!(mock.requests("images_generations") as i64 >= generated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_items_fail_exits_3_with_one_document() {
    let (_, mock) = pressroom_mock_ai::spawn(MockConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The model refuses the first clustering call: that batch fails, the run goes on to the end.
    mock.script([pressroom_mock_ai::Step::Named("refusal".into())]);
    let out = command(dir.path(), &mock.v1(), &["run", &example(), "--json"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(docs.len(), 1, "one document");
    let v = &docs[0];
    assert_eq!(v["status"], "awaiting_review");
    let failed: i64 = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["failed"].as_i64().unwrap())
        .sum();
    assert_eq!(failed, 20, "the refused batch's keywords: {v}");
    assert_eq!(v["error"]["code"], "finished_with_failures");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{failed} items failed")),
        "{}",
        v["error"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_provider_refuses_fails_the_run_and_exits_1() {
    let (_, mock) = pressroom_mock_ai::spawn(MockConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The mock answers 401 to this key: no item can succeed, so the stage stops at once and
    // the run fails naming the key, rather than calling on for every item.
    let out = command(dir.path(), &mock.v1(), &["run", &example(), "--json"])
        .env("OPENAI_API_KEY", "invalid")
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error"]["code"], "run_failed");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("API key"),
        "{v}"
    );
    assert_eq!(
        mock.requests("chat_completions"),
        1,
        "one call, not one per item"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_a_site_another_process_drives_watches_it_read_only() {
    let (_, mock) = pressroom_mock_ai::spawn(MockConfig {
        image_mode: ImageMode::B64,
        latency: Duration::from_millis(150),
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = command(dir.path(), &mock.v1(), &["run", &example(), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Join once the first process is past stage 1 (seven clustering calls for 131 keywords).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while mock.requests("chat_completions") < 12 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first run never got going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let second = command(dir.path(), &mock.v1(), &["run", &example()])
        .output()
        .await
        .unwrap();
    let first = first.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("is being worked by another process"),
        "the second process says so: {stderr}"
    );
    assert!(
        !stderr.contains("stage 1 started") && !stderr.contains("run queued"),
        "the log from before it joined is not replayed: {stderr}"
    );
    assert!(
        stderr.contains("[stage 6]"),
        "it followed the run to the end: {stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(v["run_id"], 1);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("Run 1 on site"),
        "both report the one run, not a second"
    );
}
