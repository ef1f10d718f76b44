//! Signed webhooks over real HTTP on both engines: a finished run is announced to each
//! webhook that asked for its event, signed with the webhook's secret over the timestamp and
//! body; a failing receiver is retried with the same body and the attempts are logged; secrets
//! are stored sealed; internal addresses are refused.

use crate::support::*;
use pressroom_domain::*;
use pressroom_mock_ai::{MockConfig, Received, spawn_receiver};
use pressroom_pipeline::notify::{self, DELIVER_JOB, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use pressroom_pipeline::{Pipeline, PipelineError};
use pressroom_providers::DownloadConfig;
use pressroom_store::testing::{make_jobs_due, raw_text};
use pressroom_store::{Db, SecretBox, engine_test};

async fn harness_with_secrets(db: Db) -> Harness {
    let mut h = harness(db, MockConfig::default(), "offline", "offline").await;
    h.p =
        h.p.clone()
            .with_secrets(SecretBox::from_hex(&SecretBox::generate_hex()).unwrap());
    h
}

/// The signature a receiver computes from what it got, compared with the header.
fn signed_by(r: &Received, secret: &str) -> bool {
    let header = |n: &str| r.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ts: i64 = header(TIMESTAMP_HEADER).parse().unwrap();
    notify::sign(secret, ts, &r.body) == header(SIGNATURE_HEADER)
}

async fn delivery_settled(
    p: &Pipeline,
    account: AccountId,
    hook: WebhookId,
    attempts: i64,
) -> bool {
    let d = notify::deliveries(p, account, hook, 10).await.unwrap();
    !d.is_empty() && d.iter().all(|d| d.attempts >= attempts)
}

engine_test!(
    a_finished_run_is_announced_signed_to_the_webhooks_that_asked,
    |db: Db| async move {
        let h = harness_with_secrets(db.clone()).await;
        let receiver = spawn_receiver().await.unwrap();
        let wanted = notify::add_webhook(
            &h.p,
            h.account,
            receiver.url(),
            &[WebhookEvent::RunAwaitingReview, WebhookEvent::RunCompleted],
        )
        .await
        .unwrap();
        let other =
            notify::add_webhook(&h.p, h.account, receiver.url(), &[WebhookEvent::RunFailed])
                .await
                .unwrap();
        // The secret is never stored in clear.
        let sealed = raw_text(
            &db,
            "SELECT sealed_secret FROM webhooks WHERE id = $1",
            wanted.webhook.id.get(),
        )
        .await;
        assert!(
            !sealed.contains(&wanted.secret) && !sealed.contains("whsec_"),
            "{sealed}"
        );

        let run = run_to_end(&h).await;
        assert_eq!(run.status, RunStatus::AwaitingReview);
        work_until(&h.p, async || {
            delivery_settled(&h.p, h.account, wanted.webhook.id, 1).await
        })
        .await;

        let log = notify::deliveries(&h.p, h.account, wanted.webhook.id, 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].status, DeliveryStatus::Delivered);
        assert_eq!(
            (log[0].event, log[0].attempts, log[0].response_status),
            (WebhookEvent::RunAwaitingReview, 1, Some(200))
        );
        assert!(
            notify::deliveries(&h.p, h.account, other.webhook.id, 10)
                .await
                .unwrap()
                .is_empty()
        );

        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert!(
            signed_by(&got[0], &wanted.secret),
            "the signature verifies with the secret"
        );
        assert!(!signed_by(&got[0], &other.secret), "and not with another");
        let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["event"], "run-awaiting-review");
        assert_eq!(body["data"]["run"]["id"], run.id.get());
        assert_eq!(body["data"]["site"]["name"], h.site.name.as_str());
        assert_eq!(got[0].headers["x-pressroom-event"], "run-awaiting-review");
    }
);

engine_test!(
    a_failing_receiver_is_retried_with_the_same_body_and_logged,
    |db: Db| async move {
        let h = harness_with_secrets(db.clone()).await;
        let receiver = spawn_receiver().await.unwrap();
        receiver.script([500]);
        let hook = notify::add_webhook(&h.p, h.account, receiver.url(), &[WebhookEvent::RunFailed])
            .await
            .unwrap();
        let id = notify::ping_webhook(&h.p, h.account, hook.webhook.id)
            .await
            .unwrap();
        work_until(&h.p, async || {
            delivery_settled(&h.p, h.account, hook.webhook.id, 1).await
        })
        .await;
        let d = db.delivery(h.account, id).await.unwrap();
        assert_eq!(
            (d.status, d.attempts, d.response_status),
            (DeliveryStatus::Pending, 1, Some(500))
        );
        assert!(
            d.error.as_deref().unwrap_or("").contains("HTTP 500"),
            "{:?}",
            d.error
        );

        // The retry waits 30 s; bring it forward instead of sleeping.
        assert_eq!(make_jobs_due(&db, DELIVER_JOB).await, 1);
        work_until(&h.p, async || {
            delivery_settled(&h.p, h.account, hook.webhook.id, 2).await
        })
        .await;
        let d = db.delivery(h.account, id).await.unwrap();
        assert_eq!(
            (d.status, d.attempts, d.response_status),
            (DeliveryStatus::Delivered, 2, Some(200))
        );
        let got = receiver.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].body, got[1].body, "a retry sends the same event");
        assert!(got.iter().all(|r| signed_by(r, &hook.secret)));
    }
);

engine_test!(
    internal_addresses_and_bad_events_are_refused,
    |db: Db| async move {
        let h = harness_with_secrets(db.clone()).await;
        // This harness allows loopback (for the local receiver); a real process does not.
        let guarded = Pipeline::new(
            db.clone(),
            pressroom_providers::Providers::from_env(),
            std::env::temp_dir().as_path(),
            DownloadConfig::default(),
        )
        .with_secrets(SecretBox::from_hex(&SecretBox::generate_hex()).unwrap());
        for url in [
            "http://127.0.0.1:9/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:8080/",
            "http://printer.local/",
            "ftp://example.com/hook",
            "not a url",
        ] {
            let e = notify::add_webhook(&guarded, h.account, url, &[WebhookEvent::RunFailed])
                .await
                .unwrap_err();
            assert!(matches!(e, PipelineError::Invalid(_)), "{url}: {e}");
            assert!(e.to_string().starts_with("url: "), "{url}: {e}");
        }
        assert!(
            notify::list_webhooks(&h.p, h.account)
                .await
                .unwrap()
                .is_empty(),
            "nothing was stored"
        );
        // Without a secret key nothing can be sealed, so nothing is stored.
        let e = notify::add_webhook(
            &Pipeline::new(
                db.clone(),
                pressroom_providers::Providers::from_env(),
                std::env::temp_dir().as_path(),
                DownloadConfig::default(),
            ),
            h.account,
            "https://hooks.example.com/x",
            &[WebhookEvent::RunFailed],
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("PRESSROOM_SECRET_KEY"), "{e}");
        // Another account's webhook is not found.
        let hook = notify::add_webhook(
            &h.p,
            h.account,
            "https://hooks.example.com/x",
            &[WebhookEvent::RunFailed],
        )
        .await
        .unwrap();
        let other = db.create_account("other", Credits(10)).await.unwrap();
        assert!(
            notify::ping_webhook(&h.p, other.id, hook.webhook.id)
                .await
                .is_err()
        );
        assert!(
            notify::deliveries(&h.p, other.id, hook.webhook.id, 10)
                .await
                .is_err()
        );
    }
);

engine_test!(
    failed_images_are_announced_beside_the_runs_end,
    |db: Db| async move {
        let h = harness_with_secrets(db.clone()).await;
        let images = notify::add_webhook(
            &h.p,
            h.account,
            "https://hooks.example.com/i",
            &[WebhookEvent::ImagesFailed],
        )
        .await
        .unwrap();
        let runs_only = notify::add_webhook(
            &h.p,
            h.account,
            "https://hooks.example.com/r",
            &[WebhookEvent::RunCompleted],
        )
        .await
        .unwrap();
        let mut run = db
            .create_run(
                h.account,
                h.site.id,
                RunTrigger::Scheduled,
                &RunScope::default(),
            )
            .await
            .unwrap();
        run.stage_results[usize::from(Stage::ImagePromptsToImages.number() - 1)].failed = 2;
        let mut tx = db.begin().await.unwrap();
        notify::run_finished_in(&mut tx, &run, RunStatus::Completed, &h.site.name, h.p.now())
            .await
            .unwrap();
        // Rolled back: nothing is announced for what did not happen.
        tx.rollback().await.unwrap();
        assert!(
            notify::deliveries(&h.p, h.account, images.webhook.id, 10)
                .await
                .unwrap()
                .is_empty()
        );

        let mut tx = db.begin().await.unwrap();
        notify::run_finished_in(&mut tx, &run, RunStatus::Completed, &h.site.name, h.p.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let got = notify::deliveries(&h.p, h.account, images.webhook.id, 10)
            .await
            .unwrap();
        assert_eq!(got.len(), 1, "only the event it asked for: {got:?}");
        assert_eq!(got[0].event, WebhookEvent::ImagesFailed);
        let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["data"]["images_failed"], 2);
        assert_eq!(body["data"]["run"]["trigger"], "scheduled");
        let got = notify::deliveries(&h.p, h.account, runs_only.webhook.id, 10)
            .await
            .unwrap();
        assert_eq!(
            got.iter().map(|d| d.event).collect::<Vec<_>>(),
            vec![WebhookEvent::RunCompleted]
        );
    }
);

engine_test!(
    a_failed_delivery_is_sent_again_once_the_cause_is_fixed,
    |db: Db| async move {
        let h = harness_with_secrets(db.clone()).await;
        let receiver = spawn_receiver().await.unwrap();
        let hook = notify::add_webhook(&h.p, h.account, receiver.url(), &[WebhookEvent::RunFailed])
            .await
            .unwrap();
        // A worker started with another secret key cannot open the secret: no retry can fix that,
        // so the delivery fails at once and says why.
        let wrong_key =
            h.p.clone()
                .with_secrets(SecretBox::from_hex(&SecretBox::generate_hex()).unwrap());
        let id = notify::ping_webhook(&h.p, h.account, hook.webhook.id)
            .await
            .unwrap();
        work_until(&wrong_key, async || {
            delivery_settled(&h.p, h.account, hook.webhook.id, 1).await
        })
        .await;
        let d = db.delivery(h.account, id).await.unwrap();
        assert_eq!(d.status, DeliveryStatus::Failed);
        assert!(
            d.error.as_deref().unwrap().contains("another secret key"),
            "{:?}",
            d.error
        );
        assert!(receiver.received().is_empty(), "nothing unsigned was sent");

        let again = notify::resend_delivery(&h.p, h.account, id).await.unwrap();
        assert_eq!(again.status, DeliveryStatus::Pending);
        work_until(&h.p, async || {
            delivery_settled(&h.p, h.account, hook.webhook.id, 2).await
        })
        .await;
        let d = db.delivery(h.account, id).await.unwrap();
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Delivered, 2));
        assert_eq!(receiver.received().len(), 1);
        assert!(signed_by(&receiver.received()[0], &hook.secret));
        let e = notify::resend_delivery(&h.p, h.account, id)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("delivered already"), "{e}");
        let other = db.create_account("other", Credits(10)).await.unwrap();
        assert!(
            notify::resend_delivery(&h.p, other.id, id).await.is_err(),
            "another account's delivery is not found"
        );
    }
);

engine_test!(
    the_guard_refuses_a_private_address_at_send_time,
    |db: Db| async move {
        // A name that resolved publicly when added may point inside later (DNS rebinding): the
        // resolver that connects checks again on every send. `localhost` stands in for it here;
        // the harness allows loopback when adding, the sending process does not.
        let key = SecretBox::from_hex(&SecretBox::generate_hex()).unwrap();
        let mut h = harness(db.clone(), MockConfig::default(), "offline", "offline").await;
        h.p = h.p.clone().with_secrets(key.clone());
        let receiver = spawn_receiver().await.unwrap();
        let url = receiver.url().replace("127.0.0.1", "localhost");
        let hook = notify::add_webhook(&h.p, h.account, &url, &[WebhookEvent::RunFailed])
            .await
            .unwrap();
        let guarded = Pipeline::new(
            db.clone(),
            pressroom_providers::Providers::from_env(),
            std::env::temp_dir().as_path(),
            DownloadConfig::default(),
        )
        .with_secrets(key);
        let id = notify::ping_webhook(&h.p, h.account, hook.webhook.id)
            .await
            .unwrap();
        work_until(&guarded, async || {
            delivery_settled(&h.p, h.account, hook.webhook.id, 1).await
        })
        .await;
        let d = db.delivery(h.account, id).await.unwrap();
        assert_eq!(
            (d.status, d.attempts),
            (DeliveryStatus::Failed, 1),
            "no retry can fix it"
        );
        assert!(
            d.error.as_deref().unwrap().contains("internal address"),
            "{:?}",
            d.error
        );
        assert!(receiver.received().is_empty(), "nothing reached the inside");
    }
);
