//! `pressroom schedule list` and the estimate's dollars in `runs start`.

use std::path::Path;

fn pressroom(data_dir: &Path, args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pressroom"));
    c.arg("--data-dir").arg(data_dir).args(args);
    for var in [
        "DATABASE_URL",
        "PRESSROOM_CONFIG",
        "OPENAI_API_KEY",
        "RUNWARE_API_KEY",
        "RUST_LOG",
        "PRESSROOM_LOG",
    ] {
        c.env_remove(var);
    }
    c.output().unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_list_shows_schedules_slots_and_budgets() {
    let dir = tempfile::tempdir().unwrap();
    let out = pressroom(dir.path(), &["schedule", "list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sites"][0]["summary"], "off", "{v}");
    assert!(v["sites"][0]["next_slot_at"].is_null(), "{v}");

    // A daily schedule in Berlin with a budget, and a slot the scheduler ran.
    let db = pressroom_store::Db::open_sqlite(&dir.path().join("pressroom.db"))
        .await
        .unwrap();
    let (account, mut site) = db.local_default().await.unwrap();
    site.settings.schedule.frequency = pressroom_domain::Frequency::Daily;
    site.settings.schedule.time = "07:15".into();
    site.settings.timezone = "Europe/Berlin".into();
    site.settings.monthly_budget = Some(250);
    db.update_site_settings(account.id, site.id, &site.settings)
        .await
        .unwrap();
    let slot = site
        .settings
        .schedule
        .latest_slot_at_or_before("Europe/Berlin", pressroom_store::now_ms())
        .unwrap()
        .unwrap();
    db.set_next_slot(account.id, site.id, Some(slot + 86_400_000))
        .await
        .unwrap();
    let due = pressroom_store::DueSite {
        account: account.id,
        site: site.id,
        slot_at: slot + 86_400_000,
    };
    let id = db
        .claim_slot(due, slot, Some(slot + 2 * 86_400_000))
        .await
        .unwrap()
        .unwrap();
    db.finish_slot(
        account.id,
        id,
        pressroom_store::SlotOutcome::Skipped,
        None,
        Some("site busy with run 7 (running)"),
    )
    .await
    .unwrap();
    db.close().await;

    let out = pressroom(dir.path(), &["schedule", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("(Europe/Berlin): daily at 07:15"), "{t}");
    assert!(t.contains("next slot: 20"), "{t}");
    assert!(t.contains("UTC)"), "{t}");
    assert!(t.contains("budget: 0 of 250 credits spent in"), "{t}");
    assert!(t.contains("skipped: site busy with run 7 (running)"), "{t}");

    let out = pressroom(dir.path(), &["schedule", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sites"][0]["slots"][0]["outcome"], "skipped", "{v}");
    assert_eq!(v["sites"][0]["budget"]["left"], 250, "{v}");

    let out = pressroom(dir.path(), &["runs", "start", "--detach"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("at list prices"), "{t}");
    assert!(t.contains("$0.0000"), "offline is free: {t}");
    assert!(t.contains("250 credits left in this month's budget"), "{t}");
}
