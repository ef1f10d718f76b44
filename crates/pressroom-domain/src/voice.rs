//! A site's brand voice: how its articles sound and what they must and must not say. Every
//! text prompt gets it (rendered by [`BrandVoice::prompt_block`]); the offline writer honours
//! what it can.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// The grammatical person the articles are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointOfView {
    /// "we", "our" (the brand speaks).
    First,
    /// "you" (the reader is addressed).
    Second,
    /// "they", "it" (neutral).
    Third,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrandVoice {
    /// "friendly and plain", "authoritative"...; `None`: no instruction.
    pub tone: Option<String>,
    /// Who reads the site: "first-time trail runners".
    pub audience: Option<String>,
    pub point_of_view: Option<PointOfView>,
    /// Words per article, inclusive range.
    pub words_min: u32,
    pub words_max: u32,
    /// Phrases, claims or facts every article should carry ("free returns within 30 days").
    pub always_say: Vec<String>,
    /// Words, claims or competitors no article may mention.
    pub never_say: Vec<String>,
}

impl Default for BrandVoice {
    fn default() -> Self {
        BrandVoice {
            tone: None,
            audience: None,
            point_of_view: None,
            words_min: 1200,
            words_max: 2000,
            always_say: Vec::new(),
            never_say: Vec::new(),
        }
    }
}

impl BrandVoice {
    /// Checks ranges and lengths; the message names the field at fault.
    pub fn validate(&self) -> Result<(), DomainError> {
        if !(100..=10_000).contains(&self.words_min) {
            return Err(DomainError::OutOfRange {
                field: "voice.words_min",
                min: 100,
                max: 10_000,
            });
        }
        if self.words_max < self.words_min || self.words_max > 10_000 {
            return Err(DomainError::OutOfRange {
                field: "voice.words_max",
                min: i64::from(self.words_min),
                max: 10_000,
            });
        }
        Ok(())
    }
}
