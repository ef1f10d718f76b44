//! Per-site settings with the defaults of SPEC section 2. Stored as JSON on the site; every
//! field has a default so older rows keep loading as settings grow.

use crate::schedule::{Schedule, check_timezone};
use crate::voice::BrandVoice;
use crate::{AiFunction, AutoPublish, ClusterMethod, DomainError, PromptTemplate, ReviewMode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod keys;
pub mod patch;

pub use keys::{Group, KEYS, KeyInfo, Kind};
pub use patch::{
    Applied, Change, SettingsError, apply_patch, groups_touched, parse_assignments,
    settings_document,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// `None`: chosen from the environment (a configured key), else offline.
    pub text_provider: Option<String>,
    pub text_model: Option<String>,
    pub image_provider: Option<String>,
    pub image_model: Option<String>,
    pub featured_image_size: String,
    pub in_article_image_size: String,
    pub in_article_images: u32,
    pub batch_sizes: BatchSizes,
    pub review_mode: ReviewMode,
    /// Queue approved articles at the site's destinations without being asked (off by default).
    pub auto_publish: AutoPublish,
    pub caps: RunCaps,
    /// Overrides by AI function name (`generate-image` ...).
    pub prompt_templates: BTreeMap<String, String>,
    pub min_keywords_to_cluster: u32,
    pub clustering: ClusteringSettings,
    /// Most internal links one article gets to other articles of its cluster.
    pub internal_links_per_article: u32,
    /// How the site's articles sound; fed to every text prompt.
    pub voice: BrandVoice,
    /// When automation runs by itself.
    pub schedule: Schedule,
    /// IANA time zone of the schedule and of the budget's month (`Europe/Berlin`).
    pub timezone: String,
    /// Most credits the site may spend in a calendar month (in `timezone`); `None`: no budget.
    pub monthly_budget: Option<i64>,
    /// The account's provider keys (by name) the site's text and image calls use; `None`:
    /// the process environment's key.
    pub text_key: Option<String>,
    pub image_key: Option<String>,
}

/// How Stage 1 groups the site's keywords (docs/BENCHMARKS.md has each method's quality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusteringSettings {
    /// `lexical` (no spend), `embedding` or `serp`.
    pub method: ClusterMethod,
    /// Lexical and embedding: the cosine similarity in percent a keyword needs with a
    /// cluster to join it; `None` is the method's measured default.
    pub similarity_percent: Option<u32>,
    /// SERP: how many of their top-10 result URLs two keywords must share to join.
    pub serp_shared_urls: u32,
    /// Embedding: the provider and model (`None`: the text provider's default embedding
    /// model).
    pub embedding_provider: Option<String>,
    pub embedding_model: Option<String>,
}

impl Default for ClusteringSettings {
    fn default() -> Self {
        ClusteringSettings {
            method: ClusterMethod::Lexical,
            similarity_percent: None,
            serp_shared_urls: 4,
            embedding_provider: None,
            embedding_model: None,
        }
    }
}

impl ClusteringSettings {
    fn validate(&self) -> Result<(), DomainError> {
        if !matches!(
            self.method,
            ClusterMethod::Lexical | ClusterMethod::Embedding | ClusterMethod::Serp
        ) {
            return Err(DomainError::InvalidValue {
                field: "clustering.method",
                value: self.method.as_str().to_string(),
            });
        }
        if let Some(p) = self.similarity_percent
            && !(1..=99).contains(&p)
        {
            return Err(DomainError::OutOfRange {
                field: "clustering.similarity_percent",
                min: 1,
                max: 99,
            });
        }
        if !(1..=10).contains(&self.serp_shared_urls) {
            return Err(DomainError::OutOfRange {
                field: "clustering.serp_shared_urls",
                min: 1,
                max: 10,
            });
        }
        Ok(())
    }
}

/// How many of a stage's input items are worked on together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchSizes {
    /// No longer used: Stage 1 clusters the whole list at once (`clustering`). Kept so
    /// stored settings that set it still load.
    pub keywords: u32,
    /// Stage 2: clusters whose ideas are being written at once.
    pub clusters: u32,
    /// Stage 3: ideas made into tasks per transaction.
    pub ideas: u32,
    /// Stage 4: tasks whose articles are being written at once.
    pub tasks: u32,
    /// Stage 5: articles whose image prompts are being written at once.
    pub content: u32,
    /// Not used by a stage: Stage 6 hands every pending image to the image queue, whose
    /// workers and the provider's limiter set how many are generated at once.
    pub images: u32,
}

/// Per-run ceilings; `None` means no cap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunCaps {
    pub keywords: Option<u32>,
    pub content: Option<u32>,
    pub images: Option<u32>,
    pub credits: Option<i64>,
}

impl Default for BatchSizes {
    fn default() -> Self {
        BatchSizes {
            keywords: 20,
            clusters: 8,
            ideas: 20,
            tasks: 8,
            content: 8,
            images: 50,
        }
    }
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            text_provider: None,
            text_model: None,
            image_provider: None,
            image_model: None,
            featured_image_size: "1024x1024".into(),
            in_article_image_size: "1024x1024".into(),
            in_article_images: 2,
            batch_sizes: BatchSizes::default(),
            review_mode: ReviewMode::Manual,
            caps: RunCaps::default(),
            prompt_templates: BTreeMap::new(),
            min_keywords_to_cluster: 5,
            clustering: ClusteringSettings::default(),
            internal_links_per_article: 3,
            voice: BrandVoice::default(),
            schedule: Schedule::default(),
            timezone: "UTC".into(),
            monthly_budget: None,
            auto_publish: AutoPublish::Off,
            text_key: None,
            image_key: None,
        }
    }
}

pub use crate::ai::bounds::MAX_IN_ARTICLE_IMAGES;
pub const MAX_INTERNAL_LINKS: u32 = 20;

impl SiteSettings {
    /// Checks ranges and templates; the message names the field at fault.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.in_article_images > MAX_IN_ARTICLE_IMAGES {
            return Err(DomainError::OutOfRange {
                field: "in_article_images",
                min: 0,
                max: MAX_IN_ARTICLE_IMAGES as i64,
            });
        }
        if self.internal_links_per_article > MAX_INTERNAL_LINKS {
            return Err(DomainError::OutOfRange {
                field: "internal_links_per_article",
                min: 0,
                max: MAX_INTERNAL_LINKS as i64,
            });
        }
        let b = &self.batch_sizes;
        for (field, v) in [
            ("batch_sizes.keywords", b.keywords),
            ("batch_sizes.clusters", b.clusters),
            ("batch_sizes.ideas", b.ideas),
            ("batch_sizes.tasks", b.tasks),
            ("batch_sizes.content", b.content),
            ("batch_sizes.images", b.images),
        ] {
            if !(1..=500).contains(&v) {
                return Err(DomainError::OutOfRange {
                    field,
                    min: 1,
                    max: 500,
                });
            }
        }
        if self.min_keywords_to_cluster == 0 {
            return Err(DomainError::OutOfRange {
                field: "min_keywords_to_cluster",
                min: 1,
                max: i64::from(u32::MAX),
            });
        }
        self.clustering.validate()?;
        self.voice.validate()?;
        self.schedule.validate()?;
        check_timezone(&self.timezone)?;
        if let Some(b) = self.monthly_budget
            && b < 0
        {
            return Err(DomainError::OutOfRange {
                field: "monthly_budget",
                min: 0,
                max: i64::MAX,
            });
        }
        for size in [&self.featured_image_size, &self.in_article_image_size] {
            parse_size(size)?;
        }
        for (name, text) in &self.prompt_templates {
            PromptTemplate::new(AiFunction::parse(name)?, text)?;
        }
        Ok(())
    }

    /// The template for `function`: the site's override or the default. An override is
    /// checked when settings are saved ([`SiteSettings::validate`]), so one that no longer
    /// parses is refused here rather than silently replaced by the default.
    pub fn template(&self, function: AiFunction) -> Result<PromptTemplate, DomainError> {
        match self.prompt_templates.get(function.as_str()) {
            Some(t) => PromptTemplate::new(function, t),
            None => Ok(PromptTemplate::default_for(function)),
        }
    }
}

/// `1024x768` -> (1024, 768).
pub fn parse_size(s: &str) -> Result<(u32, u32), DomainError> {
    let bad = || DomainError::InvalidValue {
        field: "image size",
        value: s.to_string(),
    };
    let (w, h) = s.split_once('x').ok_or_else(bad)?;
    let w: u32 = w.parse().map_err(|_| bad())?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    if !(64..=4096).contains(&w) || !(64..=4096).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_partial_json_loads() {
        SiteSettings::default().validate().unwrap();
        let s: SiteSettings = serde_json::from_str(r#"{"in_article_images": 4}"#).unwrap();
        assert_eq!(s.in_article_images, 4);
        assert_eq!(s.min_keywords_to_cluster, 5);
        assert!(serde_json::from_str::<SiteSettings>(r#"{"typo_field": 1}"#).is_err());
    }

    #[test]
    fn bad_settings_name_the_field() {
        let s = SiteSettings {
            in_article_images: 9,
            ..Default::default()
        };
        assert!(
            s.validate()
                .unwrap_err()
                .to_string()
                .contains("in_article_images")
        );
        let mut s = SiteSettings::default();
        s.prompt_templates
            .insert("generate-image".into(), "{bogus}".into());
        assert!(s.validate().unwrap_err().to_string().contains("bogus"));
        // A stored override that no longer parses is refused, not swapped for the default.
        assert!(
            s.template(AiFunction::GenerateImage)
                .unwrap_err()
                .to_string()
                .contains("bogus")
        );
        assert!(
            s.template(AiFunction::GenerateIdeas).is_ok(),
            "no override: the default"
        );
        assert_eq!(parse_size("1792x1024").unwrap(), (1792, 1024));
        assert!(parse_size("big").is_err());
    }
}
