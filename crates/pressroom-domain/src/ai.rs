//! The five AI functions: what each takes and what the model must give back. These types are
//! the contract between the pipeline, the providers (real, offline and mock) and the parser
//! that checks model output strictly before anything is stored.

use crate::{ContentStructure, DomainError, ImageType};
use serde::{Deserialize, Serialize};

pub mod schema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AiFunction {
    AutoCluster,
    GenerateIdeas,
    GenerateContent,
    GenerateImagePrompts,
    GenerateImage,
}

impl AiFunction {
    pub const ALL: &'static [AiFunction] = &[
        AiFunction::AutoCluster,
        AiFunction::GenerateIdeas,
        AiFunction::GenerateContent,
        AiFunction::GenerateImagePrompts,
        AiFunction::GenerateImage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AiFunction::AutoCluster => "auto-cluster",
            AiFunction::GenerateIdeas => "generate-ideas",
            AiFunction::GenerateContent => "generate-content",
            AiFunction::GenerateImagePrompts => "generate-image-prompts",
            AiFunction::GenerateImage => "generate-image",
        }
    }

    pub fn parse(s: &str) -> Result<AiFunction, DomainError> {
        AiFunction::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "ai function",
                value: s.to_string(),
            })
    }

    /// The name of the JSON schema the model must answer with (`response_format.json_schema.name`);
    /// `None` for image generation, which returns pictures.
    pub fn schema_name(self) -> Option<&'static str> {
        match self {
            AiFunction::AutoCluster => Some("pressroom_clusters"),
            AiFunction::GenerateIdeas => Some("pressroom_ideas"),
            AiFunction::GenerateContent => Some("pressroom_article"),
            AiFunction::GenerateImagePrompts => Some("pressroom_image_prompts"),
            AiFunction::GenerateImage => None,
        }
    }

    pub fn from_schema_name(name: &str) -> Option<AiFunction> {
        AiFunction::ALL
            .iter()
            .copied()
            .find(|f| f.schema_name() == Some(name))
    }
}

// ---- inputs: the structured data each prompt is built from ----

/// auto-cluster: the phrases of one batch of keywords.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterInput {
    pub keywords: Vec<String>,
}

/// generate-ideas: one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeasInput {
    pub cluster_name: String,
    pub cluster_description: String,
    pub keywords: Vec<String>,
    pub min_ideas: u32,
    pub max_ideas: u32,
}

/// generate-content: one task, carrying its idea's outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentInput {
    pub title: String,
    pub brief: String,
    pub outline: Vec<String>,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub content_structure: ContentStructure,
    pub target_words: u32,
    /// The primary keywords of the other articles planned for the same cluster: the writer
    /// mentions them where they fit, so internal links find their anchor text in the body.
    #[serde(default)]
    pub related_keywords: Vec<String>,
    /// The parts of the site's brand voice a writer without a model can honour; real
    /// providers get the voice in the prompt instead.
    #[serde(default)]
    pub voice: WriterVoice,
}

/// What the offline writer is told of the brand voice (SPEC 9): the word range and the
/// phrases to say or avoid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriterVoice {
    /// Inclusive word range of the body; `None`: `target_words` alone.
    pub words: Option<(u32, u32)>,
    pub always_say: Vec<String>,
    pub never_say: Vec<String>,
}

/// generate-image-prompts: one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImagePromptsInput {
    pub title: String,
    pub excerpt: String,
    #[serde(default)]
    pub primary_keyword: String,
    /// The H2 section each in-article image illustrates, one entry per image, in order; the
    /// image is placed after that heading.
    pub headings: Vec<String>,
    pub in_article_count: u32,
}

// ---- outputs: what the model must return ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterOutput {
    pub clusters: Vec<ClusterItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterItem {
    pub name: String,
    pub description: String,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdeasOutput {
    pub ideas: Vec<IdeaItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdeaItem {
    pub title: String,
    pub description: String,
    pub content_structure: ContentStructure,
    /// H2 section headings.
    pub outline: Vec<String>,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub target_words: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleOutput {
    pub title: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    /// The article body in Markdown with `##` section headings; rendered and sanitised to HTML
    /// by the pipeline, never stored as the model wrote it.
    pub body_markdown: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagePromptsOutput {
    pub featured_prompt: String,
    /// Alt text for the featured image: what it shows, for readers who cannot see it.
    pub featured_alt: String,
    /// One per requested section, in the order of the input's `headings`.
    pub in_article_images: Vec<ImagePromptItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagePromptItem {
    pub prompt: String,
    pub alt: String,
}

/// The bounds of the model's answers. Each is written once: the schema sent to the model
/// carries it (so constrained decoding enforces it) and the answer is checked against that
/// same schema before anything is stored.
pub mod bounds {
    use crate::keyword::MAX_PHRASE_CHARS;

    /// Most in-article images a site may ask for (`in_article_images`).
    pub const MAX_IN_ARTICLE_IMAGES: u32 = 8;

    /// A clustering call gets at most `batch_sizes.keywords` (at most 500) keywords, so it
    /// cannot need more clusters, or more keywords in one cluster, than that.
    pub const CLUSTERS_MAX: u64 = 500;
    pub const CLUSTER_KEYWORDS_MAX: u64 = 500;
    pub const CLUSTER_NAME_MAX: u64 = 120;
    pub const CLUSTER_DESCRIPTION_MAX: u64 = 500;
    /// A keyword phrase as the model echoes it back.
    pub const KEYWORD_MAX: u64 = MAX_PHRASE_CHARS as u64;

    pub const IDEAS_MIN: u64 = 1;
    pub const IDEAS_MAX: u64 = 7;
    pub const IDEA_TITLE_MAX: u64 = 200;
    pub const IDEA_DESCRIPTION_MAX: u64 = 1000;
    pub const OUTLINE_MIN: u64 = 1;
    pub const OUTLINE_MAX: u64 = 12;
    pub const HEADING_MAX: u64 = 200;
    pub const SECONDARY_KEYWORDS_MAX: u64 = 5;
    pub const TARGET_WORDS_MIN: u64 = 300;
    pub const TARGET_WORDS_MAX: u64 = 5000;

    pub const ARTICLE_TITLE_MAX: u64 = 200;
    pub const META_TITLE_MAX: u64 = 70;
    pub const META_DESCRIPTION_MAX: u64 = 170;
    pub const EXCERPT_MAX: u64 = 400;
    /// Twice the characters of a 5000-word article: room for Markdown, never a runaway.
    pub const BODY_MAX: u64 = 80_000;

    pub const IMAGE_PROMPT_MAX: u64 = 4000;
    /// Screen readers read about this much; longer alt text belongs in a caption.
    pub const ALT_TEXT_MAX: u64 = 125;
    pub const IN_ARTICLE_PROMPTS_MAX: u64 = MAX_IN_ARTICLE_IMAGES as u64;

    /// No call asks for more output than this (what current chat models can give at most).
    pub const OUTPUT_TOKENS_CAP: u32 = 16_000;
}

/// The JSON schema (strict mode) the model is asked to follow for `function`, with the
/// bounds of [`bounds`].
pub fn output_schema(function: AiFunction) -> Option<serde_json::Value> {
    use bounds::*;
    use serde_json::json;
    let text = |max: u64| json!({"type": "string", "minLength": 1, "maxLength": max});
    let list = |item_max: u64, min: u64, max: u64| json!({"type": "array", "minItems": min, "maxItems": max, "items": {"type": "string", "maxLength": item_max}});
    let schema = match function {
        AiFunction::AutoCluster => json!({
            "type": "object", "additionalProperties": false, "required": ["clusters"],
            "properties": {"clusters": {"type": "array", "minItems": 1, "maxItems": CLUSTERS_MAX, "items": {
                "type": "object", "additionalProperties": false,
                "required": ["name", "description", "keywords"],
                "properties": {
                    "name": text(CLUSTER_NAME_MAX),
                    "description": {"type": "string", "maxLength": CLUSTER_DESCRIPTION_MAX},
                    "keywords": list(KEYWORD_MAX, 1, CLUSTER_KEYWORDS_MAX)
                }
            }}}
        }),
        AiFunction::GenerateIdeas => json!({
            "type": "object", "additionalProperties": false, "required": ["ideas"],
            "properties": {"ideas": {"type": "array", "minItems": IDEAS_MIN, "maxItems": IDEAS_MAX, "items": {
                "type": "object", "additionalProperties": false,
                "required": ["title", "description", "content_structure", "outline", "primary_keyword", "secondary_keywords", "target_words"],
                "properties": {
                    "title": text(IDEA_TITLE_MAX),
                    "description": {"type": "string", "maxLength": IDEA_DESCRIPTION_MAX},
                    "content_structure": {"type": "string", "enum": ContentStructure::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
                    "outline": list(HEADING_MAX, OUTLINE_MIN, OUTLINE_MAX),
                    "primary_keyword": text(KEYWORD_MAX),
                    "secondary_keywords": list(KEYWORD_MAX, 0, SECONDARY_KEYWORDS_MAX),
                    "target_words": {"type": "integer", "minimum": TARGET_WORDS_MIN, "maximum": TARGET_WORDS_MAX}
                }
            }}}
        }),
        AiFunction::GenerateContent => json!({
            "type": "object", "additionalProperties": false,
            "required": ["title", "meta_title", "meta_description", "excerpt", "body_markdown"],
            "properties": {
                "title": text(ARTICLE_TITLE_MAX), "meta_title": text(META_TITLE_MAX),
                "meta_description": text(META_DESCRIPTION_MAX), "excerpt": text(EXCERPT_MAX),
                "body_markdown": text(BODY_MAX)
            }
        }),
        AiFunction::GenerateImagePrompts => json!({
            "type": "object", "additionalProperties": false,
            "required": ["featured_prompt", "featured_alt", "in_article_images"],
            "properties": {
                "featured_prompt": text(IMAGE_PROMPT_MAX),
                "featured_alt": text(ALT_TEXT_MAX),
                "in_article_images": {"type": "array", "minItems": 0, "maxItems": IN_ARTICLE_PROMPTS_MAX, "items": {
                    "type": "object", "additionalProperties": false, "required": ["prompt", "alt"],
                    "properties": {"prompt": text(IMAGE_PROMPT_MAX), "alt": text(ALT_TEXT_MAX)}
                }}
            }
        }),
        AiFunction::GenerateImage => return None,
    };
    Some(schema)
}

/// A model answer that is not JSON, or breaks its function's schema: what was wrong, by field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the model's {schema} answer is invalid: {}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
pub struct InvalidAnswer {
    pub schema: String,
    pub problems: Vec<schema::Violation>,
}

impl InvalidAnswer {
    /// The first offending field's path (`ideas[0].target_words`).
    pub fn field(&self) -> Option<&str> {
        self.problems.first().map(|p| p.path.as_str())
    }
}

/// Parses `content` as `function`'s output: JSON, within every bound of its schema, then the
/// typed struct. Errors name each offending field and bound.
pub fn check_answer<T: serde::de::DeserializeOwned>(
    function: AiFunction,
    content: &str,
) -> Result<T, InvalidAnswer> {
    let schema_name = function.schema_name().unwrap_or("text").to_string();
    let fail = |path: &str, problem: String| InvalidAnswer {
        schema: schema_name.clone(),
        problems: vec![schema::Violation {
            path: path.to_string(),
            problem,
        }],
    };
    let value: serde_json::Value = serde_json::from_str(content)
        .map_err(|e| fail("(answer)", format!("is not JSON ({e})")))?;
    if let Some(schema) = output_schema(function) {
        let problems = schema::violations(&schema, &value);
        if !problems.is_empty() {
            return Err(InvalidAnswer {
                schema: schema_name,
                problems,
            });
        }
    }
    serde_json::from_value(value)
        .map_err(|e| fail("(answer)", format!("does not fit the output type ({e})")))
}

/// `max_tokens` for a call: about twice the output the call is expected to produce, so a model
/// that loops stops early and cheaply while a full answer always fits.
fn token_budget(fixed: u32, per_unit: u32, units: u32) -> u32 {
    fixed
        .saturating_add(per_unit.saturating_mul(units))
        .min(bounds::OUTPUT_TOKENS_CAP)
}

impl ClusterInput {
    /// Each keyword is echoed once (a few tokens) and shares a cluster's name and description.
    pub fn max_output_tokens(&self) -> u32 {
        token_budget(200, 60, self.keywords.len() as u32)
    }
}

impl IdeasInput {
    /// An idea (title, description, 7-8 headings, keywords) is about 250 tokens.
    pub fn max_output_tokens(&self) -> u32 {
        token_budget(200, 500, self.max_ideas.clamp(1, bounds::IDEAS_MAX as u32))
    }
}

impl ContentInput {
    /// English runs about 1.3 tokens a word; twice the target covers Markdown and overshoot.
    pub fn max_output_tokens(&self) -> u32 {
        token_budget(
            800,
            2,
            self.target_words.min(bounds::TARGET_WORDS_MAX as u32),
        )
    }
}

impl ImagePromptsInput {
    /// A prompt is one or two sentences (under 150 tokens); the featured one is added.
    pub fn max_output_tokens(&self) -> u32 {
        token_budget(150, 300, self.in_article_count.saturating_add(1))
    }
}

/// What an image request is for; carried to providers so offline title cards can show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSubject {
    pub image_type: ImageType,
    pub post_title: String,
    /// What this image shows: the section it illustrates (in-article) or the title (featured).
    /// Offline cards print it, so no two images of an article are the same picture.
    pub caption: String,
    /// 0 for the featured image, 1.. for in-article ones.
    pub position: i64,
    pub site_name: String,
    /// Seeds the offline card's colour so one cluster's images share a palette.
    pub colour_seed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_round_trip() {
        for f in AiFunction::ALL {
            assert_eq!(AiFunction::parse(f.as_str()).unwrap(), *f);
            if let Some(name) = f.schema_name() {
                assert_eq!(AiFunction::from_schema_name(name), Some(*f));
                assert!(output_schema(*f).is_some());
            }
        }
    }

    #[test]
    fn outputs_are_parsed_strictly() {
        let ok = r#"{"clusters":[{"name":"a","description":"b","keywords":["x"]}]}"#;
        assert!(serde_json::from_str::<ClusterOutput>(ok).is_ok());
        let extra = r#"{"clusters":[{"name":"a","description":"b","keywords":["x"],"evil":1}]}"#;
        assert!(serde_json::from_str::<ClusterOutput>(extra).is_err());
        let missing = r#"{"featured_prompt":"a"}"#;
        assert!(serde_json::from_str::<ImagePromptsOutput>(missing).is_err());
    }

    fn idea(target_words: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "title": "Trail shoes", "description": "d", "content_structure": "guide",
            "outline": ["One"], "primary_keyword": "trail shoes", "secondary_keywords": [],
            "target_words": target_words
        })
    }

    #[test]
    fn schemas_carry_the_bounds_and_answers_are_checked_against_them() {
        let schema = output_schema(AiFunction::GenerateIdeas).unwrap();
        let item = &schema["properties"]["ideas"]["items"]["properties"];
        assert_eq!(item["target_words"]["maximum"], bounds::TARGET_WORDS_MAX);
        assert_eq!(item["target_words"]["minimum"], bounds::TARGET_WORDS_MIN);
        assert_eq!(schema["properties"]["ideas"]["maxItems"], bounds::IDEAS_MAX);
        assert_eq!(item["title"]["maxLength"], bounds::IDEA_TITLE_MAX);

        let ok = serde_json::json!({"ideas": [idea(1200.into())]}).to_string();
        let out: IdeasOutput = check_answer(AiFunction::GenerateIdeas, &ok).unwrap();
        assert_eq!(out.ideas[0].target_words, 1200);

        // The answer a real small model gave: too big even for the u32 it is parsed into.
        let bad = serde_json::json!({"ideas": [idea(2000000000000000u64.into())]}).to_string();
        let err = check_answer::<IdeasOutput>(AiFunction::GenerateIdeas, &bad).unwrap_err();
        assert_eq!(err.field(), Some("ideas[0].target_words"));
        assert!(err.to_string().contains("above the maximum 5000"), "{err}");
        assert!(err.to_string().contains("pressroom_ideas"), "{err}");

        let err =
            check_answer::<IdeasOutput>(AiFunction::GenerateIdeas, "{\"ideas\": [").unwrap_err();
        assert!(err.to_string().contains("is not JSON"), "{err}");
    }

    #[test]
    fn every_schema_bound_is_consistent() {
        // minItems never above maxItems, minimum never above maximum, in every schema.
        fn walk(v: &serde_json::Value) {
            if let Some(o) = v.as_object() {
                for (lo, hi) in [
                    ("minItems", "maxItems"),
                    ("minimum", "maximum"),
                    ("minLength", "maxLength"),
                ] {
                    if let (Some(a), Some(b)) = (
                        o.get(lo).and_then(|x| x.as_u64()),
                        o.get(hi).and_then(|x| x.as_u64()),
                    ) {
                        assert!(a <= b, "{lo} {a} > {hi} {b}");
                    }
                }
                o.values().for_each(walk);
            } else if let Some(a) = v.as_array() {
                a.iter().for_each(walk);
            }
        }
        for f in AiFunction::ALL {
            if let Some(s) = output_schema(*f) {
                walk(&s);
            }
        }
    }

    #[test]
    fn token_budgets_follow_the_expected_output() {
        let content = |target_words| ContentInput {
            title: "t".into(),
            brief: "b".into(),
            outline: vec![],
            primary_keyword: "k".into(),
            secondary_keywords: vec![],
            content_structure: ContentStructure::Guide,
            target_words,
            related_keywords: vec![],
            voice: Default::default(),
        };
        assert_eq!(content(1000).max_output_tokens(), 2800);
        assert!(content(5000).max_output_tokens() > content(1000).max_output_tokens());
        assert_eq!(
            content(u32::MAX).max_output_tokens(),
            content(5000).max_output_tokens()
        );
        let prompts = |n| ImagePromptsInput {
            title: "t".into(),
            excerpt: "e".into(),
            primary_keyword: "k".into(),
            headings: vec![],
            in_article_count: n,
        };
        assert_eq!(prompts(2).max_output_tokens(), 150 + 3 * 300);
        let ideas = IdeasInput {
            cluster_name: "c".into(),
            cluster_description: "d".into(),
            keywords: vec![],
            min_ideas: 3,
            max_ideas: 7,
        };
        assert_eq!(ideas.max_output_tokens(), 200 + 7 * 500);
        let many = ClusterInput {
            keywords: vec!["k".into(); 10_000],
        };
        assert_eq!(many.max_output_tokens(), bounds::OUTPUT_TOKENS_CAP);
    }
}
