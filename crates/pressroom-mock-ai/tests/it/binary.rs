//! The `pressroom-mock-ai` binary: prints its address, enforces --rate-limit-rpm with
//! retry-after headers, counts requests at /__stats.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_address_and_rate_limits() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_pressroom-mock-ai"))
            .args(["--addr", "127.0.0.1:0", "--rate-limit-rpm", "2"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("binary starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let client = reqwest::Client::new();
    let body = serde_json::json!({"model": "dall-e-2", "prompt": "a cat", "size": "256x256"});
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let r = client
            .post(format!("{base}/v1/images/generations"))
            .bearer_auth("k")
            .json(&body)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        last = Some(r);
    }
    // Two tokens of burst at 2 rpm, then 429 telling us to wait about 30 s.
    assert_eq!(statuses, [200, 200, 429]);
    let r = last.unwrap();
    let ms: u64 = r.headers()["retry-after-ms"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let secs: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ms > 20_000 && ms <= 30_001, "{ms}");
    assert_eq!(secs, ms.div_ceil(1000));
    let stats: serde_json::Value = client
        .get(format!("{base}/__stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["images_generations"]["requests"], 3);
    assert_eq!(stats["images_generations"]["statuses"]["429"], 1);
}
