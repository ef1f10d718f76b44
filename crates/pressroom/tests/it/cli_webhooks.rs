//! `pressroom webhooks` on both engines: the secret printed once and never listed, a guarded
//! URL refused by name with nothing stored, a ping in the delivery log, removal keeping the log,
//! unknown ids as exit 4.

use crate::cli::{engines, one_document};

#[test]
fn webhooks_are_added_pinged_logged_and_removed_from_the_command_line() {
    for env in engines() {
        let added = one_document(&env.expect(
            &[
                "webhooks",
                "add",
                "https://hooks.example.com/p",
                "--events",
                "run-failed,run-completed",
                "--json",
            ],
            0,
        ));
        let secret = added["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"), "{added}");
        let id = added["webhook"]["id"].as_i64().unwrap().to_string();

        let out = env.expect(&["webhooks", "add", "http://10.0.0.8/x"], 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("url: ") && err.contains("10.0.0.8"), "{err}");
        let out = env.expect(
            &[
                "webhooks",
                "add",
                "https://a.example.com/",
                "--events",
                "run-exploded",
            ],
            1,
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("run-exploded"));

        let list = env.expect(&["webhooks", "list", "--json"], 0);
        let text = String::from_utf8_lossy(&list.stdout).to_string();
        assert!(
            !text.contains(&secret),
            "the secret is never shown again: {text}"
        );
        assert_eq!(one_document(&list)["webhooks"].as_array().unwrap().len(), 1);

        env.expect(&["webhooks", "ping", &id], 0);
        let log = one_document(&env.expect(&["webhooks", "deliveries", &id, "--json"], 0));
        assert_eq!(log["deliveries"][0]["event"], "ping", "{log}");
        assert_eq!(log["deliveries"][0]["status"], "pending");

        let removed = one_document(&env.expect(&["webhooks", "remove", &id, "--json"], 0));
        assert_eq!(removed["webhook"]["status"], "removed");
        env.expect(&["webhooks", "deliveries", &id], 0);
        env.expect(&["webhooks", "ping", &id], 1);
        env.expect(&["webhooks", "deliveries", "9999"], 4);
        env.expect(&["webhooks", "remove", "9999"], 4);
    }
}
