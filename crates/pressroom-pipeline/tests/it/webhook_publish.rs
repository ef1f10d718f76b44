//! The webhook destination over real HTTP on both engines: the article's payload (HTML,
//! Markdown, inline images, meta, keywords, category) signed with the destination's secret;
//! the receiver's live URL returned; 500 retryable, 410 permanent, 429 with its wait, a
//! timeout after sending ambiguous.

use crate::support::*;
use base64::Engine;
use pressroom_domain::publish::{DestinationOptions, ImagesInWebhook, PublishSchedule};
use pressroom_domain::*;
use pressroom_mock_ai::{Answer, MockConfig, Received, spawn_receiver};
use pressroom_pipeline::article::load_article;
use pressroom_pipeline::notify::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use pressroom_pipeline::publish::webhook::{
    EVENT_HEADER, IDEMPOTENCY_HEADER, load_payload, send, send_within, urls,
};
use pressroom_store::{Db, NewDestination, engine_test};
use serde_json::{Value, json};
use sha2::Digest;
use std::time::Duration;

const SECRET: &str = "whsec-test-0123456789";

async fn destination(h: &Harness, url: &str, images: ImagesInWebhook) -> Destination {
    h.p.db()
        .create_destination(
            h.account,
            &NewDestination {
                site: h.site.id,
                name: format!("receiver {url}"),
                kind: DestinationKind::Webhook,
                url: url.into(),
                username: None,
                // Sealing is the destination manager's; `send` is handed the opened secret.
                sealed_secret: "sealed".into(),
                options: DestinationOptions {
                    images,
                    ..Default::default()
                },
                schedule: PublishSchedule::default(),
            },
        )
        .await
        .unwrap()
}

/// The first article, its publication at `dest` and the serialised payload.
async fn article_payload(h: &Harness, dest: &Destination) -> (Content, Publication, String) {
    let content =
        h.p.db()
            .content_after(h.account, h.site.id, None, 0, 1)
            .await
            .unwrap()
            .remove(0);
    let mut tx = h.p.db().begin().await.unwrap();
    let publication = tx
        .queue_publication(h.account, content.id, dest.id, Some(0), true)
        .await
        .unwrap()
        .publication;
    tx.commit().await.unwrap();
    let view = load_article(&h.p, h.account, content.id, &urls())
        .await
        .unwrap();
    let body = load_payload(&h.p, h.account, &view, &publication, &dest.options)
        .await
        .unwrap();
    (content, publication, body.to_string())
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

engine_test!(
    an_article_is_sent_signed_with_html_markdown_and_inline_images,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        run_to_end(&h).await;
        let receiver = spawn_receiver().await.unwrap();
        receiver.script_answers([Answer::json(
            201,
            json!({"url": "https://blog.example/cold-brew/"}),
        )]);
        let dest = destination(&h, receiver.url(), ImagesInWebhook::Inline).await;
        let (content, publication, body) = article_payload(&h, &dest).await;
        let answer = send(&h.p, &dest, SECRET, body.clone()).await.unwrap();
        assert_eq!(answer.status, 201);
        assert_eq!(
            answer.url.as_deref(),
            Some("https://blog.example/cold-brew/")
        );

        let got = receiver.received();
        assert_eq!(got.len(), 1);
        let r = &got[0];
        assert_eq!(r.body, body, "the bytes signed are the bytes sent");
        let ts: i64 = header(r, TIMESTAMP_HEADER).parse().unwrap();
        assert_eq!(
            notify::sign(SECRET, ts, &r.body),
            header(r, SIGNATURE_HEADER)
        );
        assert_ne!(
            notify::sign("wrong", ts, &r.body),
            header(r, SIGNATURE_HEADER)
        );
        assert_eq!(header(r, EVENT_HEADER), "article.published");
        let key = format!("publication:{}:{}", publication.id, content.updated_at);
        assert_eq!(header(r, IDEMPOTENCY_HEADER), key);

        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["event"], "article.published");
        assert_eq!(v["idempotency_key"], key);
        let a = &v["article"];
        assert_eq!(a["id"], json!(content.id));
        assert_eq!(a["title"], content.title);
        assert_eq!(a["slug"], content.slug);
        assert_eq!(a["meta_description"], content.meta_description);
        assert_eq!(a["primary_keyword"], content.primary_keyword);
        let cluster =
            h.p.db()
                .cluster_of_content(h.account, content.id)
                .await
                .unwrap();
        let name = h.p.db().cluster(h.account, cluster).await.unwrap().name;
        assert_eq!(a["categories"], json!([name]));
        let html = a["html"].as_str().unwrap();
        let markdown = a["markdown"].as_str().unwrap();
        assert!(html.contains("<h2"), "{html}");
        let images =
            h.p.db()
                .images_of_content(h.account, content.id)
                .await
                .unwrap();
        let sent = a["images"].as_array().unwrap();
        assert_eq!(sent.len(), images.len());
        assert!(images.len() >= 2, "a featured and in-article images");
        for (i, s) in images.iter().zip(sent) {
            assert_eq!(s["id"], json!(i.id));
            assert_eq!(s["alt"], i.alt_text);
            assert_eq!(s["featured"], i.image_type == ImageType::Featured);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s["data_base64"].as_str().unwrap())
                .unwrap();
            let stored = h.p.media().root().join(i.file_path.as_ref().unwrap());
            assert_eq!(bytes, std::fs::read(stored).unwrap());
            assert_eq!(s["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
            assert!(s["width"].as_u64().unwrap() > 0 && s["height"].as_u64().unwrap() > 0);
            assert!(s["mime"].as_str().unwrap().starts_with("image/"));
            if i.image_type == ImageType::InArticle {
                let src = s["src"].as_str().unwrap();
                assert!(html.contains(&format!("src=\"{src}\"")), "{src} in {html}");
                assert!(markdown.contains(&format!("]({src})")), "{src}");
            }
        }

        // Without inline pictures: everything but the bytes.
        let receiver = spawn_receiver().await.unwrap();
        let dest = destination(&h, receiver.url(), ImagesInWebhook::None).await;
        let (_, _, body) = article_payload(&h, &dest).await;
        send(&h.p, &dest, SECRET, body).await.unwrap();
        let v: Value = serde_json::from_str(&receiver.received()[0].body).unwrap();
        for s in v["article"]["images"].as_array().unwrap() {
            assert!(s["data_base64"].is_null() && s["sha256"].is_string());
        }
    }
);

engine_test!(
    answers_are_told_apart_retry_permanent_rate_limited_ambiguous,
    |db: Db| async move {
        let h = harness(db, MockConfig::default(), "offline", "offline").await;
        run_to_end(&h).await;
        let receiver = spawn_receiver().await.unwrap();
        let dest = destination(&h, receiver.url(), ImagesInWebhook::None).await;
        let (_, _, body) = article_payload(&h, &dest).await;
        receiver.script_answers([
            Answer::status(500),
            Answer::status(410),
            Answer::status(429).header("retry-after", "7"),
            Answer::status(408),
            Answer::json(200, json!({"url": "javascript:alert(1)"})),
            Answer::status(200).delayed(Duration::from_secs(3)),
        ]);
        let e = send(&h.p, &dest, SECRET, body.clone()).await.unwrap_err();
        assert!(
            !e.is_permanent() && !e.is_ambiguous() && e.retry_after().is_none(),
            "{e}"
        );
        assert!(e.to_string().contains("500"), "{e}");
        let e = send(&h.p, &dest, SECRET, body.clone()).await.unwrap_err();
        assert!(e.is_permanent(), "{e}");
        assert!(e.to_string().contains("410"), "{e}");
        let e = send(&h.p, &dest, SECRET, body.clone()).await.unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)), "{e}");
        assert!(!e.is_permanent());
        let e = send(&h.p, &dest, SECRET, body.clone()).await.unwrap_err();
        assert!(!e.is_permanent() && e.retry_after().is_none(), "{e}");
        let ok = send(&h.p, &dest, SECRET, body.clone()).await.unwrap();
        assert!(ok.url.is_none() && ok.url_refused.is_some(), "{ok:?}");
        let e = send_within(
            &h.p,
            &dest,
            SECRET,
            body.clone(),
            Duration::from_millis(500),
        )
        .await
        .unwrap_err();
        assert!(e.is_ambiguous(), "{e}");
        // Every send carried one key: the receiver can drop the repeats.
        let got = receiver.received();
        assert_eq!(got.len(), 6);
        assert!(
            got.iter()
                .all(|r| header(r, IDEMPOTENCY_HEADER) == header(&got[0], IDEMPOTENCY_HEADER))
        );

        // Nothing listening: never sent, so not ambiguous, and worth retrying.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let closed = destination(
            &h,
            &format!("http://127.0.0.1:{port}/hook"),
            ImagesInWebhook::None,
        )
        .await;
        let e = send(&h.p, &closed, SECRET, body.clone()).await.unwrap_err();
        assert!(!e.is_ambiguous() && !e.is_permanent(), "{e}");
    }
);
