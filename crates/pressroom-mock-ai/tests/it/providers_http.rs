//! The real provider clients against the mock, over real HTTP on 127.0.0.1.

use crate::support::*;
use pressroom_domain::ai::{
    ArticleOutput, ClusterOutput, IdeasOutput, ImagePromptsOutput, ImageSubject,
};
use pressroom_domain::{AiFunction, ImageType, UsdMicros};
use pressroom_mock_ai::{ImageMode, MockConfig, Step};
use pressroom_providers::openai::{OpenAiImages, ResponseFormat};
use pressroom_providers::runware::{Runware, RunwareConfig};
use pressroom_providers::{
    ImageData, ImageProvider, ImageRequest, LimitConfig, ProviderError, TextProvider,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn image_request(model: &str, w: u32, h: u32) -> ImageRequest {
    ImageRequest {
        model: model.into(),
        prompt: "A trail runner crossing a muddy forest path at dawn. Mist in the trees.".into(),
        negative_prompt: Some("blurry, text".into()),
        width: w,
        height: h,
        quality: None,
        subject: ImageSubject {
            image_type: ImageType::Featured,
            post_title: "Trail Running Shoes".into(),
            caption: "Trail Running Shoes".into(),
            position: 0,
            site_name: "example.com".into(),
            colour_seed: 42,
        },
    }
}

#[tokio::test]
async fn chat_success_for_every_function_parses_strictly() {
    let m = mock(MockConfig::default()).await;
    let p = chat(&m);
    for f in [
        AiFunction::AutoCluster,
        AiFunction::GenerateIdeas,
        AiFunction::GenerateContent,
        AiFunction::GenerateImagePrompts,
    ] {
        let out = p.complete(&request(f, "gpt-4o-mini")).await;
        let resp = out.result.unwrap_or_else(|e| panic!("{f:?}: {e}"));
        assert_eq!(resp.provider, "openai");
        assert!(resp.tokens_in > 0 && resp.tokens_out > 0);
        assert!(out.usage.success);
        assert_eq!(out.usage.attempts, 1);
        assert_eq!(out.usage.tokens_in, resp.tokens_in);
        assert!(out.usage.cost > UsdMicros(0), "gpt-4o-mini is priced");
        match f {
            AiFunction::AutoCluster => {
                let c: ClusterOutput = resp.parse(f).unwrap();
                let all: Vec<String> = c.clusters.iter().flat_map(|c| c.keywords.clone()).collect();
                assert_eq!(all.len(), keywords().len());
                for k in keywords() {
                    assert!(all.contains(&k), "{k} clustered");
                }
            }
            AiFunction::GenerateIdeas => {
                let i: IdeasOutput = resp.parse(f).unwrap();
                assert!((3..=6).contains(&i.ideas.len()));
            }
            AiFunction::GenerateContent => {
                let a: ArticleOutput = resp.parse(f).unwrap();
                assert_eq!(a.title, content_input().title);
                assert_eq!(a.body_markdown.matches("\n## ").count(), 6);
                // The mock read the input back out of the rendered prompt, related keywords too.
                assert!(a.body_markdown.contains("running shoes for flat feet"));
                assert_eq!(
                    a,
                    pressroom_providers::offline::text::article(&content_input())
                );
            }
            AiFunction::GenerateImagePrompts => {
                let i: ImagePromptsOutput = resp.parse(f).unwrap();
                assert_eq!(i.in_article_images.len(), 3);
                assert!(i.in_article_images[0].alt.contains("what is trail running"));
                assert_eq!(
                    i,
                    pressroom_providers::offline::text::image_prompts(&image_prompts_input())
                );
            }
            AiFunction::GenerateImage => unreachable!(),
        }
    }
    assert_eq!(m.requests("chat_completions"), 4);
}

#[tokio::test]
async fn rate_limited_then_success_honours_retry_after() {
    let m = mock(MockConfig::default()).await;
    m.script([Step::Detailed {
        status: 429,
        retry_after_ms: Some(300),
    }]);
    let start = Instant::now();
    let out = chat(&m)
        .complete(&request(AiFunction::AutoCluster, "gpt-4o-mini"))
        .await;
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "waited at least retry-after-ms"
    );
    assert_eq!(out.usage.attempts, 2);
    assert_eq!(m.requests("chat_completions"), 2);
    assert_eq!(m.stats()["chat_completions"].statuses["429"], 1);
}

#[tokio::test]
async fn server_error_then_success() {
    let m = mock(MockConfig::default()).await;
    m.script([Step::Status(500)]);
    let out = chat(&m)
        .complete(&request(AiFunction::GenerateIdeas, "gpt-4o-mini"))
        .await;
    assert!(out.result.is_ok());
    assert_eq!(m.requests("chat_completions"), 2);
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let m = mock(MockConfig::default()).await;
    m.script([500, 502, 503, 500, 500].map(Step::Status));
    let out = chat(&m)
        .complete(&request(AiFunction::GenerateIdeas, "gpt-4o-mini"))
        .await;
    let err = out.result.unwrap_err();
    assert!(matches!(err, ProviderError::Server { .. }), "{err}");
    assert!(err.is_transient());
    assert_eq!(m.requests("chat_completions"), 4);
    assert!(!out.usage.success);
    assert_eq!(out.usage.attempts, 4);
    assert!(
        out.usage
            .error
            .as_deref()
            .unwrap()
            .starts_with("server_error")
    );
}

#[tokio::test]
async fn bad_request_is_not_retried() {
    let m = mock(MockConfig::default()).await;
    m.script([Step::Status(400)]);
    let out = chat(&m)
        .complete(&request(AiFunction::AutoCluster, "gpt-4o-mini"))
        .await;
    assert!(matches!(
        out.result,
        Err(ProviderError::Rejected { status: 400, .. })
    ));
    assert_eq!(m.requests("chat_completions"), 1);
    assert_eq!(out.usage.attempts, 1);
    assert!(!out.usage.success);
}

#[tokio::test]
async fn insufficient_quota_is_not_retried_even_as_429() {
    let m = mock(MockConfig::default()).await;
    m.script([Step::Named("insufficient-quota".into())]);
    let out = chat(&m)
        .complete(&request(AiFunction::AutoCluster, "gpt-4o-mini"))
        .await;
    let err = out.result.unwrap_err();
    assert!(matches!(err, ProviderError::QuotaExhausted { .. }), "{err}");
    assert!(!err.is_transient());
    assert_eq!(m.requests("chat_completions"), 1);
}

#[tokio::test]
async fn bad_key_is_not_retried_and_not_leaked() {
    let m = mock(MockConfig::default()).await;
    let mut cfg = openai_config(&m);
    cfg.api_key = "invalid".into();
    let p = pressroom_providers::openai::OpenAiChat::new(cfg, deps());
    let out = p
        .complete(&request(AiFunction::AutoCluster, "gpt-4o-mini"))
        .await;
    let err = out.result.unwrap_err();
    assert!(matches!(
        err,
        ProviderError::Unauthorized { status: 401, .. }
    ));
    assert_eq!(m.requests("chat_completions"), 1);
    // The configured key never shows up in errors or debug output.
    let m2 = mock(MockConfig::default()).await;
    m2.script([Step::Status(400)]);
    let out = chat(&m2)
        .complete(&request(AiFunction::AutoCluster, "gpt-4o-mini"))
        .await;
    let text = format!(
        "{} {:?} {:?}",
        out.result.as_ref().unwrap_err(),
        out.usage,
        openai_config(&m2)
    );
    assert!(!text.contains("sk-test-secret-key"));
}

#[tokio::test]
async fn malformed_model_json_is_a_clear_error_with_usage() {
    let m = mock(MockConfig::default()).await;
    m.script([Step::Named("malformed-json".into())]);
    let out = chat(&m)
        .complete(&request(AiFunction::GenerateIdeas, "gpt-4o-mini"))
        .await;
    let err = out.result.unwrap_err();
    assert!(
        matches!(err, ProviderError::MalformedContent { .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("pressroom_ideas") && msg.contains("not JSON"),
        "{msg}"
    );
    // The model still produced (and billed) tokens: usage records them.
    assert!(out.usage.tokens_out > 0);
    assert!(!out.usage.success);
    assert_eq!(
        m.requests("chat_completions"),
        1,
        "not retried inside the provider"
    );
}

#[tokio::test]
async fn refusal_and_truncation_are_typed() {
    let m = mock(MockConfig::default()).await;
    m.script([
        Step::Named("refusal".into()),
        Step::Named("truncated".into()),
    ]);
    let p = chat(&m);
    let r = p
        .complete(&request(AiFunction::GenerateContent, "gpt-4o-mini"))
        .await;
    assert!(matches!(r.result, Err(ProviderError::Refused { .. })));
    let r = p
        .complete(&request(AiFunction::GenerateContent, "gpt-4o-mini"))
        .await;
    let e = r.result.unwrap_err();
    assert!(e.to_string().contains("finish_reason=length"), "{e}");
}

#[tokio::test]
async fn falls_back_to_json_object_when_json_schema_is_unsupported() {
    let m = mock(MockConfig {
        json_schema_supported: false,
        ..MockConfig::default()
    })
    .await;
    let p = chat(&m);
    let out = p
        .complete(&request(AiFunction::AutoCluster, "local-llama"))
        .await;
    let resp = out.result.expect("fallback succeeds");
    let c: ClusterOutput = resp.parse(AiFunction::AutoCluster).unwrap();
    assert!(!c.clusters.is_empty());
    assert_eq!(
        m.requests("chat_completions"),
        2,
        "one 400, one json_object call"
    );
    assert_eq!(m.stats()["chat_completions"].statuses["400"], 1);
    // The provider remembers: the next call goes straight to json_object.
    let out = p
        .complete(&request(AiFunction::GenerateIdeas, "local-llama"))
        .await;
    let ideas: IdeasOutput = out
        .result
        .unwrap()
        .parse(AiFunction::GenerateIdeas)
        .unwrap();
    assert!(!ideas.ideas.is_empty());
    assert_eq!(m.requests("chat_completions"), 3);
    // Unknown model: no price, but usage is still recorded.
    assert_eq!(out.usage.cost, UsdMicros(0));
    assert!(out.usage.tokens_in > 0);
}

#[tokio::test]
async fn openai_images_url_mode_downloads_the_picture() {
    let m = mock(MockConfig::default()).await;
    let p = OpenAiImages::new(openai_config(&m), deps(), ResponseFormat::Url);
    // 1600x900 is not a dall-e-3 size: the closest landscape one is requested.
    let out = p.generate(&image_request("dall-e-3", 1600, 900)).await;
    let resp = out.result.unwrap();
    assert_eq!((resp.width, resp.height), (1792, 1024));
    assert!(resp.revised_prompt.is_some());
    let ImageData::Url(url) = resp.data else {
        panic!("expected a URL");
    };
    let got = downloader(true).download(&url).await.unwrap();
    assert_eq!((got.image.width, got.image.height), (1792, 1024));
    assert_eq!(got.image.sha256.len(), 64);
    assert_eq!(out.usage.images, 1);
    assert_eq!(out.usage.cost, UsdMicros(40_000));
    assert_eq!(m.requests("images_get"), 1);
}

#[tokio::test]
async fn openai_images_b64_modes() {
    let m = mock(MockConfig::default()).await;
    let p = OpenAiImages::new(openai_config(&m), deps(), ResponseFormat::B64Json);
    let resp = p
        .generate(&image_request("dall-e-2", 500, 500))
        .await
        .result
        .unwrap();
    let ImageData::Bytes(bytes) = resp.data else {
        panic!("expected bytes");
    };
    let img = pressroom_providers::download::verify_image(bytes).unwrap();
    assert_eq!((img.width, img.height), (512, 512));
    // gpt-image-1 must not be sent response_format (the mock, like the API, answers 400).
    let url_pref = OpenAiImages::new(openai_config(&m), deps(), ResponseFormat::Url);
    let out = url_pref
        .generate(&image_request("gpt-image-1", 1024, 1024))
        .await;
    assert!(matches!(out.result.unwrap().data, ImageData::Bytes(_)));
    // The server-forced mode is read too.
    let forced = mock(MockConfig {
        image_mode: ImageMode::B64,
        ..MockConfig::default()
    })
    .await;
    let p = OpenAiImages::new(openai_config(&forced), deps(), ResponseFormat::Url);
    let resp = p
        .generate(&image_request("dall-e-3", 1024, 1024))
        .await
        .result
        .unwrap();
    assert!(matches!(resp.data, ImageData::Bytes(_)));
}

#[tokio::test]
async fn long_prompts_are_shortened_to_the_model_limit() {
    let m = mock(MockConfig::default()).await;
    let p = OpenAiImages::new(openai_config(&m), deps(), ResponseFormat::Url);
    let mut req = image_request("dall-e-2", 1024, 1024);
    req.prompt = "A calm lake at dawn with mist over the water. ".repeat(60);
    let out = p.generate(&req).await;
    // The mock answers 400 past 1000 characters, as the API does.
    let resp = out.result.unwrap();
    assert!(resp.prompt_sent.chars().count() <= 1000);
    assert!(resp.prompt_sent.ends_with('.'));
}

#[tokio::test]
async fn runware_url_and_base64_with_reported_cost() {
    let m = mock(MockConfig::default()).await;
    let cfg = |base64| RunwareConfig {
        base_url: m.v1(),
        api_key: "rw-key".into(),
        account: 1,
        base64,
    };
    let p = Runware::new(cfg(false), deps());
    let out = p.generate(&image_request("runware:101@1", 1000, 700)).await;
    let resp = out.result.unwrap();
    assert_eq!((resp.width, resp.height), (1024, 704));
    assert_eq!(resp.reported_cost, Some(UsdMicros(3800)));
    assert_eq!(
        out.usage.cost,
        UsdMicros(3800),
        "provider-reported cost wins"
    );
    assert!(resp.provider_image_id.is_some());
    let ImageData::Url(url) = resp.data else {
        panic!("expected a URL")
    };
    let got = downloader(true).download(&url).await.unwrap();
    assert_eq!((got.image.width, got.image.height), (1024, 704));

    let p = Runware::new(cfg(true), deps());
    let resp = p
        .generate(&image_request("runware:100@1", 512, 512))
        .await
        .result
        .unwrap();
    assert!(matches!(resp.data, ImageData::Bytes(_)));
    assert_eq!(resp.reported_cost, Some(UsdMicros(1300)));

    // Runware errors are typed and not retried when they are client errors.
    m.script([Step::Status(400)]);
    let out = p.generate(&image_request("runware:100@1", 512, 512)).await;
    assert!(matches!(out.result, Err(ProviderError::Rejected { .. })));
    assert_eq!(m.requests("runware"), 3);
    m.script([Step::Status(503)]);
    assert!(
        p.generate(&image_request("runware:100@1", 512, 512))
            .await
            .result
            .is_ok()
    );
    assert_eq!(m.requests("runware"), 5);
}

#[tokio::test]
async fn in_flight_limit_holds_over_http() {
    let m = mock(MockConfig {
        latency: Duration::from_millis(150),
        ..MockConfig::default()
    })
    .await;
    let run = |max_in_flight: usize, account: i64| {
        let d = deps();
        d.limits.set(
            "openai-images",
            account,
            LimitConfig::new(None, max_in_flight),
        );
        let mut cfg = openai_config(&m);
        cfg.account = account;
        let p = Arc::new(OpenAiImages::new(cfg, d, ResponseFormat::Url));
        async move {
            let tasks: Vec<_> = (0..8)
                .map(|_| {
                    let p = p.clone();
                    tokio::spawn(async move {
                        p.generate(&image_request("dall-e-2", 256, 256))
                            .await
                            .result
                            .is_ok()
                    })
                })
                .collect();
            for t in tasks {
                assert!(t.await.unwrap());
            }
        }
    };
    run(2, 1).await;
    let peak = m.stats()["images_generations"].max_in_flight;
    assert!(peak <= 2, "peak {peak} exceeds the limit of 2");
    assert_eq!(m.requests("images_generations"), 8);
}

#[tokio::test]
async fn request_bodies_follow_each_model_rules() {
    let m = mock(MockConfig::default()).await;
    // Chat: strict json_schema with the domain schema, both messages, max_tokens.
    chat(&m)
        .complete(&request(AiFunction::GenerateIdeas, "gpt-4o-mini"))
        .await
        .result
        .unwrap();
    let body = m.last_request("chat_completions").unwrap();
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(
        body["response_format"]["json_schema"]["name"],
        "pressroom_ideas"
    );
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    assert!(body["max_tokens"].is_u64());

    // Images: dall-e-3 gets its default quality; gpt-image-1 no response_format.
    let p = OpenAiImages::new(openai_config(&m), deps(), ResponseFormat::Url);
    p.generate(&image_request("dall-e-3", 1024, 1024))
        .await
        .result
        .unwrap();
    let body = m.last_request("images_generations").unwrap();
    assert_eq!(body["quality"], "standard");
    assert_eq!(body["response_format"], "url");
    assert_eq!(body["size"], "1024x1024");
    p.generate(&image_request("gpt-image-1", 1500, 1000))
        .await
        .result
        .unwrap();
    let body = m.last_request("images_generations").unwrap();
    assert!(body.get("response_format").is_none());
    assert_eq!(body["size"], "1536x1024");

    // Runware: negativePrompt only where the model supports it; one task per request.
    let rw = Runware::new(
        RunwareConfig {
            base_url: m.v1(),
            api_key: "rw".into(),
            account: 1,
            base64: false,
        },
        deps(),
    );
    rw.generate(&image_request("runware:100@1", 512, 512))
        .await
        .result
        .unwrap();
    let body = m.last_request("runware").unwrap();
    let task = &body[0];
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert!(task.get("negativePrompt").is_none());
    assert_eq!(task["includeCost"], true);
    assert_eq!(task["outputType"], "URL");
    assert_eq!(task["numberResults"], 1);
    rw.generate(&image_request("runware:101@1", 512, 512))
        .await
        .result
        .unwrap();
    let body = m.last_request("runware").unwrap();
    assert_eq!(body[0]["negativePrompt"], "blurry, text");
}
