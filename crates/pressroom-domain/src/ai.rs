//! The five AI functions: what each takes and what the model must give back. These types are
//! the contract between the pipeline, the providers (real, offline and mock) and the parser
//! that checks model output strictly before anything is stored.

use crate::{ContentStructure, DomainError, ImageType};
use serde::{Deserialize, Serialize};

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
}

/// generate-image-prompts: one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImagePromptsInput {
    pub title: String,
    pub excerpt: String,
    /// The article's H2 headings, one in-article image is placed per section in order.
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
    pub in_article_prompts: Vec<String>,
}

/// The JSON schema (strict mode) the model is asked to follow for `function`.
pub fn output_schema(function: AiFunction) -> Option<serde_json::Value> {
    use serde_json::json;
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let schema = match function {
        AiFunction::AutoCluster => json!({
            "type": "object", "additionalProperties": false, "required": ["clusters"],
            "properties": {"clusters": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["name", "description", "keywords"],
                "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "keywords": strings}
            }}}
        }),
        AiFunction::GenerateIdeas => json!({
            "type": "object", "additionalProperties": false, "required": ["ideas"],
            "properties": {"ideas": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["title", "description", "content_structure", "outline", "primary_keyword", "secondary_keywords", "target_words"],
                "properties": {
                    "title": {"type": "string"}, "description": {"type": "string"},
                    "content_structure": {"type": "string", "enum": ContentStructure::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
                    "outline": strings, "primary_keyword": {"type": "string"}, "secondary_keywords": strings,
                    "target_words": {"type": "integer"}
                }
            }}}
        }),
        AiFunction::GenerateContent => json!({
            "type": "object", "additionalProperties": false,
            "required": ["title", "meta_title", "meta_description", "excerpt", "body_markdown"],
            "properties": {
                "title": {"type": "string"}, "meta_title": {"type": "string"},
                "meta_description": {"type": "string"}, "excerpt": {"type": "string"},
                "body_markdown": {"type": "string"}
            }
        }),
        AiFunction::GenerateImagePrompts => json!({
            "type": "object", "additionalProperties": false,
            "required": ["featured_prompt", "in_article_prompts"],
            "properties": {"featured_prompt": {"type": "string"}, "in_article_prompts": strings}
        }),
        AiFunction::GenerateImage => return None,
    };
    Some(schema)
}

/// What an image request is for; carried to providers so offline title cards can show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSubject {
    pub image_type: ImageType,
    pub post_title: String,
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
}
