//! Offline providers: deterministic, schema-valid, readable; title cards at the asked size.

use pressroom_domain::ai::{
    ArticleOutput, ClusterInput, ClusterOutput, ContentInput, IdeasInput, IdeasOutput,
    ImagePromptsInput, ImagePromptsOutput, ImageSubject,
};
use pressroom_domain::template::bullet_list;
use pressroom_domain::{AiFunction, ContentStructure, ImageType, PromptTemplate, UsdMicros};
use pressroom_providers::offline::{OfflineImages, OfflineText, text};
use pressroom_providers::{
    ImageData, ImageProvider, ImageRequest, LimitConfig, Limits, ModelRegistry, TextProvider,
    TextRequest,
};
use std::collections::BTreeSet;

fn keywords() -> Vec<String> {
    [
        "running shoes",
        "best running shoes",
        "trail running shoes",
        "running shoes for flat feet",
        "waterproof trail shoes",
        "coffee grinder",
        "burr coffee grinder",
        "how to grind coffee beans",
        "manual coffee grinder",
        "espresso machine",
        "espresso machine under 200",
        "best espresso machine for beginners",
        "yoga mat",
        "Café crème recipe",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn content_input(target: u32) -> ContentInput {
    ContentInput {
        title: "The Complete Guide to Trail Running Shoes for Beginners and Weekend Racers".into(),
        brief: "Help new trail runners pick their first pair".into(),
        outline: vec![
            "What Is Trail Running?".into(),
            "Why Grip Matters".into(),
            "Step 1: Measure Your Feet".into(),
            "Cushioning and Drop".into(),
            "Waterproof or Breathable?".into(),
            "Common Mistakes to Avoid".into(),
            "Frequently Asked Questions".into(),
        ],
        primary_keyword: "trail running shoes".into(),
        secondary_keywords: vec!["running shoes".into(), "waterproof trail shoes".into()],
        content_structure: ContentStructure::Guide,
        target_words: target,
        related_keywords: vec![
            "trail running socks".into(),
            "gaiters for trail running".into(),
        ],
        voice: Default::default(),
    }
}

fn generate_json(function: AiFunction, input: &impl serde::Serialize) -> String {
    text::generate(function, &serde_json::to_value(input).unwrap(), "").unwrap()
}

/// The pipeline groups keywords itself and sends one group, best-naming phrase first: offline
/// the group stays whole, copied exactly, named after that phrase.
#[test]
fn a_cluster_group_is_kept_whole_and_named_after_its_first_phrase() {
    let input = ClusterInput {
        keywords: keywords(),
    };
    let json = generate_json(AiFunction::AutoCluster, &input);
    assert_eq!(
        json,
        generate_json(AiFunction::AutoCluster, &input),
        "deterministic"
    );
    let out: ClusterOutput = serde_json::from_str(&json).unwrap();
    assert_eq!(out.clusters.len(), 1);
    assert_eq!(
        out.clusters[0].keywords,
        keywords(),
        "copied exactly, in order"
    );
    assert_eq!(
        out.clusters[0].name,
        pressroom_domain::text::title_case(&keywords()[0])
    );
    assert!(!out.clusters[0].description.is_empty());
}

#[test]
fn ideas_have_outlines_and_input_keywords() {
    let input = IdeasInput {
        cluster_name: "Running Shoes".into(),
        cluster_description: "Shoes".into(),
        keywords: keywords()[..5].to_vec(),
        min_ideas: 1,
        max_ideas: 2,
    };
    let json = generate_json(AiFunction::GenerateIdeas, &input);
    assert_eq!(json, generate_json(AiFunction::GenerateIdeas, &input));
    let out: IdeasOutput = serde_json::from_str(&json).unwrap();
    // One idea per primary offered first (the pipeline offers one per search intent).
    assert_eq!(out.ideas.len(), 2);
    assert_eq!(out.ideas[0].primary_keyword, input.keywords[0]);
    assert_eq!(out.ideas[1].primary_keyword, input.keywords[1]);
    let titles: BTreeSet<&str> = out.ideas.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles.len(), out.ideas.len(), "distinct titles");
    for i in &out.ideas {
        assert!((6..=8).contains(&i.outline.len()), "{:?}", i.outline);
        assert!(input.keywords.contains(&i.primary_keyword));
        assert!(!i.secondary_keywords.is_empty());
        for s in &i.secondary_keywords {
            assert!(input.keywords.contains(s) && *s != i.primary_keyword);
        }
        assert!(i.target_words >= 1000);
    }
    // min/max are respected.
    let few = IdeasInput {
        keywords: vec!["yoga mat".into()],
        min_ideas: 4,
        max_ideas: 4,
        ..input
    };
    let out: IdeasOutput =
        serde_json::from_str(&generate_json(AiFunction::GenerateIdeas, &few)).unwrap();
    assert_eq!(out.ideas.len(), 1, "never two ideas on one keyword");
}

#[test]
fn articles_follow_the_outline_and_length() {
    for target in [800u32, 1500, 2500] {
        let input = content_input(target);
        let json = generate_json(AiFunction::GenerateContent, &input);
        assert_eq!(json, generate_json(AiFunction::GenerateContent, &input));
        let a: ArticleOutput = serde_json::from_str(&json).unwrap();
        assert_eq!(a.title, input.title);
        assert!(a.meta_title.chars().count() <= 60, "{}", a.meta_title);
        let d = a.meta_description.chars().count();
        assert!((120..=160).contains(&d), "{d}: {}", a.meta_description);
        assert!(!a.excerpt.is_empty());
        let headings: Vec<&str> = a
            .body_markdown
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .collect();
        assert_eq!(
            headings,
            input.outline.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert!(
            !a.body_markdown.lines().any(|l| l.starts_with("# ")),
            "no H1 in the body"
        );
        let words = a.body_markdown.split_whitespace().count() as f64;
        let t = target as f64;
        assert!(
            words > t * 0.8 && words < t * 1.4,
            "target {target}, got {words}"
        );
        assert!(a.body_markdown.contains("trail running shoes"));
    }
}

#[test]
fn image_prompts_one_featured_and_n_in_article() {
    let input = ImagePromptsInput {
        title: "Trail Running Shoes".into(),
        excerpt: "x".into(),
        primary_keyword: "trail running shoes".into(),
        headings: vec!["Why Grip Matters".into(), "Step 2: Fit".into()],
        in_article_count: 3,
    };
    let out: ImagePromptsOutput =
        serde_json::from_str(&generate_json(AiFunction::GenerateImagePrompts, &input)).unwrap();
    assert!(out.featured_prompt.contains("Trail Running Shoes"));
    assert!(
        out.featured_alt.contains("trail running shoes"),
        "{}",
        out.featured_alt
    );
    assert_eq!(out.in_article_images.len(), 3);
    let [a, b, c] = &out.in_article_images[..] else {
        unreachable!()
    };
    assert!(a.prompt.contains("Why Grip Matters"));
    assert!(a.alt.contains("why grip matters") && a.alt.contains("trail running shoes"));
    assert!(b.alt.ends_with("illustrating fit"), "{}", b.alt);
    assert!(c.prompt.contains("Why Grip Matters"), "headings cycle");
    assert_ne!(
        a.prompt, c.prompt,
        "a repeated section gets another picture"
    );
    assert_ne!(a.alt, c.alt);
}

/// With no structured input, the generator reads the rendered default prompt and gives the
/// same answer.
#[test]
fn prompt_bullets_give_the_same_output_as_structured_input() {
    let kws = keywords();
    let prompt = PromptTemplate::default_for(AiFunction::AutoCluster).render(&[
        ("keywords", bullet_list(&kws)),
        ("site_name", "example.com".into()),
        ("language", "en".into()),
    ]);
    let from_prompt =
        text::generate(AiFunction::AutoCluster, &serde_json::Value::Null, &prompt).unwrap();
    assert_eq!(
        from_prompt,
        generate_json(AiFunction::AutoCluster, &ClusterInput { keywords: kws })
    );

    let c = content_input(1200);
    let prompt = PromptTemplate::default_for(AiFunction::GenerateContent).render(&[
        ("title", c.title.clone()),
        ("brief", c.brief.clone()),
        ("outline", bullet_list(&c.outline)),
        ("primary_keyword", c.primary_keyword.clone()),
        ("secondary_keywords", c.secondary_keywords.join(", ")),
        ("content_structure", c.content_structure.as_str().into()),
        ("target_words", c.target_words.to_string()),
        ("related_keywords", c.related_keywords.join(", ")),
        ("site_name", "example.com".into()),
        ("language", "en".into()),
    ]);
    let from_prompt = text::generate(
        AiFunction::GenerateContent,
        &serde_json::Value::Null,
        &prompt,
    )
    .unwrap();
    assert_eq!(from_prompt, generate_json(AiFunction::GenerateContent, &c));
}

#[tokio::test]
async fn offline_text_provider_records_usage_and_names_itself() {
    let p = OfflineText::new(ModelRegistry::seeded().shared());
    let input = ClusterInput {
        keywords: keywords(),
    };
    let req = TextRequest::for_function(
        AiFunction::AutoCluster,
        "whatever",
        "system",
        "user",
        serde_json::to_value(&input).unwrap(),
    );
    let a = p.complete(&req).await;
    let b = p.complete(&req).await;
    let ra = a.result.unwrap();
    assert_eq!(ra.content, b.result.unwrap().content);
    assert_eq!(ra.provider, "offline");
    assert_eq!(ra.model, "offline-text");
    assert!(a.usage.success && a.usage.tokens_out > 0);
    assert_eq!(a.usage.cost, UsdMicros(0));
    let _: ClusterOutput = ra.parse(AiFunction::AutoCluster).unwrap();
    // Image generation is not a text function.
    let mut bad = req.clone();
    bad.function = AiFunction::GenerateImage;
    let out = p.complete(&bad).await;
    assert!(out.result.is_err() && !out.usage.success);
}

#[tokio::test]
async fn offline_title_cards_at_requested_size() {
    let limits = Limits::new();
    limits.set("offline", 0, LimitConfig::new(None, 2));
    let p = OfflineImages::new(
        ModelRegistry::seeded().shared(),
        limits.limiter("offline", 0),
    );
    let req = ImageRequest {
        model: "offline-cards".into(),
        prompt: "ignored".into(),
        negative_prompt: None,
        width: 1200,
        height: 632,
        quality: None,
        subject: ImageSubject {
            image_type: ImageType::Featured,
            post_title: "The Complete Guide to Trail Running Shoes".into(),
            caption: "The Complete Guide to Trail Running Shoes".into(),
            position: 0,
            site_name: "example.com".into(),
            colour_seed: 9,
        },
    };
    let out = p.generate(&req).await;
    let resp = out.result.unwrap();
    assert_eq!(resp.provider, "offline");
    assert_eq!(out.usage.images, 1);
    let ImageData::Bytes(png) = resp.data else {
        panic!("bytes expected")
    };
    let img = pressroom_providers::download::verify_image(png.clone()).unwrap();
    assert_eq!((img.width, img.height), (1200, 632));
    let again = p.generate(&req).await.result.unwrap();
    assert_eq!(again.data, ImageData::Bytes(png), "deterministic");
}

#[test]
#[ignore = "prints a sample article for eyeballing"]
fn print_sample_article() {
    let a: ArticleOutput = serde_json::from_str(&generate_json(
        AiFunction::GenerateContent,
        &content_input(900),
    ))
    .unwrap();
    println!(
        "{}\n{}\n{}\n{}\n\n{}",
        a.title, a.meta_title, a.meta_description, a.excerpt, a.body_markdown
    );
}

/// Offline answers pass the same bound checks as a real model's, at the edges of their input.
#[test]
fn offline_answers_are_within_the_schema_bounds() {
    use pressroom_domain::ai::check_answer;
    let mut many: Vec<String> = (0..500).map(|i| format!("keyword number {i}")).collect();
    many.extend(keywords());
    for input in [keywords(), many, vec!["x".repeat(200)]] {
        let out = generate_json(AiFunction::AutoCluster, &ClusterInput { keywords: input });
        check_answer::<ClusterOutput>(AiFunction::AutoCluster, &out).unwrap();
    }
    for (kw, max) in [(keywords(), 7), (vec!["solo".into()], 3), (keywords(), 1)] {
        let input = IdeasInput {
            cluster_name: "Running Shoes".into(),
            cluster_description: "d".into(),
            keywords: kw,
            min_ideas: 1,
            max_ideas: max,
        };
        let out = generate_json(AiFunction::GenerateIdeas, &input);
        check_answer::<IdeasOutput>(AiFunction::GenerateIdeas, &out).unwrap();
    }
    for target in [300, 1200, 5000] {
        let out = generate_json(AiFunction::GenerateContent, &content_input(target));
        check_answer::<ArticleOutput>(AiFunction::GenerateContent, &out).unwrap();
    }
    for n in [0, 2, 8] {
        let input = ImagePromptsInput {
            title: "t".repeat(200),
            excerpt: "e".into(),
            primary_keyword: "k".repeat(200),
            headings: vec!["One".into(); 8],
            in_article_count: n,
        };
        let out = generate_json(AiFunction::GenerateImagePrompts, &input);
        check_answer::<ImagePromptsOutput>(AiFunction::GenerateImagePrompts, &out).unwrap();
    }
}
