//! Rough numbers for the report and docs: `cargo test -p pressroom-mock-ai --test it measure --
//! --ignored --nocapture`. Asserts nothing about timing.

use crate::support::*;
use pressroom_domain::ImageType;
use pressroom_domain::ai::ImageSubject;
use pressroom_mock_ai::MockConfig;
use pressroom_providers::offline::{card, text};
use pressroom_providers::openai::{OpenAiImages, ResponseFormat};
use pressroom_providers::{ImageProvider, ImageRequest, LimitConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, prints numbers"]
async fn measure() {
    let subject = ImageSubject {
        image_type: ImageType::Featured,
        post_title: "The Complete Guide to Trail Running Shoes".into(),
        caption: "The Complete Guide to Trail Running Shoes".into(),
        position: 0,
        site_name: "example.com".into(),
        colour_seed: 3,
    };
    let t = Instant::now();
    for _ in 0..5 {
        card::render_title_card(&subject, 1024, 1024).unwrap();
    }
    println!("title card 1024x1024: {:?} each", t.elapsed() / 5);

    let input = serde_json::to_value(content_input()).unwrap();
    let t = Instant::now();
    for _ in 0..20 {
        text::generate(pressroom_domain::AiFunction::GenerateContent, &input, "").unwrap();
    }
    println!("offline 1200-word article: {:?} each", t.elapsed() / 20);

    for (latency, inflight, n) in [(100u64, 10usize, 100usize), (0, 8, 400)] {
        let m = mock(MockConfig {
            latency: Duration::from_millis(latency),
            ..MockConfig::default()
        })
        .await;
        let d = deps();
        d.limits
            .set("openai-images", 1, LimitConfig::new(None, inflight));
        let p = Arc::new(OpenAiImages::new(openai_config(&m), d, ResponseFormat::Url));
        let t = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let p = p.clone();
                tokio::spawn(async move {
                    let req = ImageRequest {
                        model: "dall-e-2".into(),
                        prompt: "a lighthouse".into(),
                        negative_prompt: None,
                        width: 256,
                        height: 256,
                        quality: None,
                        subject: ImageSubject {
                            image_type: ImageType::Featured,
                            post_title: "x".into(),
                            caption: "x".into(),
                            position: 0,
                            site_name: "y".into(),
                            colour_seed: 1,
                        },
                    };
                    p.generate(&req).await.result.is_ok()
                })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap());
        }
        let took = t.elapsed();
        let bound = Duration::from_millis(latency) * (n / inflight) as u32;
        println!(
            "{n} image calls, latency {latency} ms, {inflight} in flight: {took:?} (latency bound {bound:?}, peak in flight {})",
            m.stats()["images_generations"].max_in_flight
        );
    }

    let m = mock(MockConfig::default()).await;
    let d = downloader(true);
    let t = Instant::now();
    let _ = d
        .download(&format!("{}/__huge?mb=50&chunked=1", m.base_url()))
        .await;
    println!("50 MB chunked body cut off after {:?}", t.elapsed());
    let t = Instant::now();
    for _ in 0..20 {
        d.download(&format!("{}/images/a-1024x1024.png", m.base_url()))
            .await
            .unwrap();
    }
    println!(
        "download + verify 1024x1024 PNG: {:?} each",
        t.elapsed() / 20
    );
}
