//! `pressroom keys` and the team commands: the secret key file, keys never printed, a bad
//! secret key named, and the last owner kept.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

const KEY: &str = "sk-cli-secret-value-1234";

fn run(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pressroom"));
    c.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("PRESSROOM_CONFIG")
        .env_remove("PRESSROOM_SECRET_KEY")
        .env_remove("PRESSROOM_KEY_VALUE")
        .env_remove("RUST_LOG");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run pressroom")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn keys_are_added_listed_without_the_key_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[("PRESSROOM_KEY_VALUE", KEY)],
        &["keys", "add", "main", "--provider", "openai"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("created a secret key"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stdout).contains(KEY));
    let mode = std::fs::metadata(d.join("secret.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let out = run(d, &[], &["--json", "keys", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["keys"][0]["hint"], "1234");
    assert_eq!(v["keys"][0]["provider"], "openai");
    assert!(!text(&out.stdout).contains(KEY));
    // The database holds no trace of the key in clear.
    for f in ["pressroom.db", "pressroom.db-wal"] {
        let bytes = std::fs::read(d.join(f)).unwrap_or_default();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{f}"
        );
    }
    // A bad secret key is named, not replaced.
    let out = run(d, &[("PRESSROOM_SECRET_KEY", "not-hex")], &["keys", "list"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("PRESSROOM_SECRET_KEY"),
        "{}",
        text(&out.stderr)
    );
    // A well-formed key that is not this database's (a second host that made its own) is
    // refused before it seals or opens anything.
    let other = "ab".repeat(32);
    let out = run(
        d,
        &[("PRESSROOM_SECRET_KEY", other.as_str())],
        &["keys", "list"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not the one this database"),
        "{}",
        text(&out.stderr)
    );
    let out = run(d, &[], &["keys", "remove", "main"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(d, &[], &["keys", "remove", "main"]);
    assert!(!out.status.success());
}

#[test]
fn the_last_owner_is_kept_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pw = [("PRESSROOM_PASSWORD", "correct horse battery")];
    for (email, role) in [("o@x.example", "owner"), ("e@x.example", "editor")] {
        let out = run(
            d,
            &pw,
            &["users", "create", "--email", email, "--role", role],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = run(
        d,
        &[],
        &["users", "role", "--email", "o@x.example", "editor"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("last active owner"),
        "{}",
        text(&out.stderr)
    );
    let out = run(d, &[], &["users", "disable", "--email", "e@x.example"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(d, &[], &["--json", "users", "list"]);
    assert!(
        text(&out.stdout).contains("disabled"),
        "{}",
        text(&out.stdout)
    );
    let out = run(
        d,
        &[("PRESSROOM_PASSWORD", "another long password")],
        &["users", "reset-password", "--email", "e@x.example"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}
