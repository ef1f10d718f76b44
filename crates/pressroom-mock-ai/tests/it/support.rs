//! What the mock's tests share: a mock server on 127.0.0.1:0, provider deps with fast retries,
//! the guarded downloader, and the inputs and prompts the pipeline would send.

use pressroom_domain::ai::{ClusterInput, ContentInput, IdeasInput, ImagePromptsInput};
use pressroom_domain::template::bullet_list;
use pressroom_domain::{AiFunction, ContentStructure, PromptTemplate};
use pressroom_mock_ai::{MockConfig, MockHandle, spawn};
use pressroom_providers::{
    DownloadConfig, Limits, ModelRegistry, ProviderDeps, RetryPolicy, SafeDownloader, TextRequest,
    openai::{OpenAiChat, OpenAiConfig},
};
use std::time::Duration;

pub async fn mock(config: MockConfig) -> MockHandle {
    spawn(config).await.expect("mock binds").1
}

/// The guarded downloader; `allow_loopback` lets it reach the mock on 127.0.0.1.
pub fn downloader(allow_loopback: bool) -> SafeDownloader {
    SafeDownloader::new(DownloadConfig {
        allow_loopback,
        ..DownloadConfig::default()
    })
}

/// Fast retries so tests do not wait on production backoff.
pub fn deps() -> ProviderDeps {
    let mut d = ProviderDeps::new(ModelRegistry::seeded().shared(), Limits::new());
    d.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    };
    d.timeout = Duration::from_secs(20);
    d
}

pub fn openai_config(m: &MockHandle) -> OpenAiConfig {
    OpenAiConfig {
        base_url: m.v1(),
        api_key: "sk-test-secret-key".into(),
        account: 1,
    }
}

pub fn chat(m: &MockHandle) -> OpenAiChat {
    OpenAiChat::new(openai_config(m), deps())
}

pub fn keywords() -> Vec<String> {
    [
        "running shoes",
        "best running shoes",
        "trail running shoes",
        "running shoes for flat feet",
        "coffee grinder",
        "burr coffee grinder",
        "how to grind coffee beans",
        "espresso machine",
        "espresso machine under 200",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub fn cluster_input() -> ClusterInput {
    ClusterInput {
        keywords: keywords(),
    }
}

pub fn ideas_input() -> IdeasInput {
    IdeasInput {
        cluster_name: "Running Shoes".into(),
        cluster_description: "Shoes for runners".into(),
        keywords: keywords()[..4].to_vec(),
        min_ideas: 3,
        max_ideas: 6,
    }
}

pub fn content_input() -> ContentInput {
    ContentInput {
        title: "The Complete Guide to Trail Running Shoes".into(),
        brief: "Help new trail runners pick their first pair".into(),
        outline: vec![
            "What Is Trail Running?".into(),
            "Why Grip Matters".into(),
            "Step 1: Measure Your Feet".into(),
            "Cushioning and Drop".into(),
            "Waterproof or Breathable?".into(),
            "Common Mistakes to Avoid".into(),
        ],
        primary_keyword: "trail running shoes".into(),
        secondary_keywords: vec!["running shoes".into(), "best running shoes".into()],
        content_structure: ContentStructure::Guide,
        target_words: 1200,
        related_keywords: vec!["running shoes for flat feet".into()],
        voice: Default::default(),
    }
}

pub fn image_prompts_input() -> ImagePromptsInput {
    ImagePromptsInput {
        title: "The Complete Guide to Trail Running Shoes".into(),
        excerpt: "How to pick trail shoes".into(),
        primary_keyword: "trail running shoes".into(),
        headings: content_input().outline[..3].to_vec(),
        in_article_count: 3,
    }
}

/// The prompt the pipeline would send, rendered from the default template.
pub fn prompt(function: AiFunction) -> (String, serde_json::Value) {
    let t = PromptTemplate::default_for(function);
    let site = ("site_name", "example.com".to_string());
    let lang = ("language", "en".to_string());
    match function {
        AiFunction::AutoCluster => {
            let i = cluster_input();
            (
                t.render(&[("keywords", bullet_list(&i.keywords)), site, lang]),
                serde_json::to_value(i).unwrap(),
            )
        }
        AiFunction::GenerateIdeas => {
            let i = ideas_input();
            (
                t.render(&[
                    ("cluster_name", i.cluster_name.clone()),
                    ("cluster_description", i.cluster_description.clone()),
                    ("keywords", bullet_list(&i.keywords)),
                    ("min_ideas", i.min_ideas.to_string()),
                    ("max_ideas", i.max_ideas.to_string()),
                    site,
                    lang,
                ]),
                serde_json::to_value(i).unwrap(),
            )
        }
        AiFunction::GenerateContent => {
            let i = content_input();
            (
                t.render(&[
                    ("title", i.title.clone()),
                    ("brief", i.brief.clone()),
                    ("outline", bullet_list(&i.outline)),
                    ("primary_keyword", i.primary_keyword.clone()),
                    ("secondary_keywords", i.secondary_keywords.join(", ")),
                    (
                        "content_structure",
                        i.content_structure.as_str().to_string(),
                    ),
                    ("target_words", i.target_words.to_string()),
                    ("related_keywords", i.related_keywords.join(", ")),
                    site,
                    lang,
                ]),
                serde_json::to_value(i).unwrap(),
            )
        }
        AiFunction::GenerateImagePrompts => {
            let i = image_prompts_input();
            (
                t.render(&[
                    ("title", i.title.clone()),
                    ("excerpt", i.excerpt.clone()),
                    ("primary_keyword", i.primary_keyword.clone()),
                    ("headings", bullet_list(&i.headings)),
                    ("in_article_count", i.in_article_count.to_string()),
                    site,
                ]),
                serde_json::to_value(i).unwrap(),
            )
        }
        AiFunction::GenerateImage => unreachable!(),
    }
}

pub fn request(function: AiFunction, model: &str) -> TextRequest {
    let (user, input) = prompt(function);
    TextRequest::for_function(
        function,
        model,
        "You are a careful SEO editor.",
        user,
        input,
    )
}
