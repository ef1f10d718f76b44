//! Keyword phrases and their metrics, validated before they reach storage.

use crate::{DomainError, UsdMicros};
use serde::{Deserialize, Serialize};

/// Longest phrase accepted; search tools do not produce longer queries.
pub const MAX_PHRASE_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Informational,
    Commercial,
    Transactional,
    Navigational,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Informational => "informational",
            Intent::Commercial => "commercial",
            Intent::Transactional => "transactional",
            Intent::Navigational => "navigational",
        }
    }

    /// Accepts full names and the one-letter codes some tools export (I, C, T, N); when a
    /// tool lists several intents ("Informational, Commercial") the first one wins.
    pub fn parse(s: &str) -> Result<Intent, DomainError> {
        let first = s
            .split([',', '/', ';', '|'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match first.as_str() {
            "informational" | "info" | "i" => Ok(Intent::Informational),
            "commercial" | "c" => Ok(Intent::Commercial),
            "transactional" | "t" => Ok(Intent::Transactional),
            "navigational" | "n" => Ok(Intent::Navigational),
            _ => Err(DomainError::InvalidValue {
                field: "intent",
                value: s.to_string(),
            }),
        }
    }
}

/// The uniqueness key of a phrase within a site: lower-cased, inner whitespace folded to one
/// space, trimmed. "Best  Running Shoes " and "best running shoes" are the same keyword.
pub fn normalise_phrase(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    for word in phrase.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// A keyword as it enters the system, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeywordDraft {
    /// The phrase as the user wrote it, whitespace folded.
    pub phrase: String,
    pub normalised: String,
    pub volume: Option<i64>,
    pub difficulty: Option<i16>,
    pub cpc: Option<UsdMicros>,
    pub intent: Option<Intent>,
    pub country: Option<String>,
}

impl KeywordDraft {
    pub fn new(phrase: &str) -> Result<KeywordDraft, DomainError> {
        let folded = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
        if folded.is_empty() {
            return Err(DomainError::InvalidValue {
                field: "keyword",
                value: phrase.to_string(),
            });
        }
        if folded.chars().count() > MAX_PHRASE_CHARS {
            return Err(DomainError::TooLong {
                field: "keyword",
                max: MAX_PHRASE_CHARS,
            });
        }
        if folded.chars().any(char::is_control) {
            return Err(DomainError::InvalidValue {
                field: "keyword",
                value: phrase.to_string(),
            });
        }
        Ok(KeywordDraft {
            normalised: normalise_phrase(&folded),
            phrase: folded,
            volume: None,
            difficulty: None,
            cpc: None,
            intent: None,
            country: None,
        })
    }

    /// Search volume: a non-negative whole number; `1,200` and `1 200` are accepted.
    pub fn parse_volume(s: &str) -> Result<i64, DomainError> {
        let cleaned: String = s
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}'))
            .collect();
        cleaned
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| DomainError::InvalidNumber {
                field: "volume",
                value: s.to_string(),
            })
    }

    /// Difficulty 0-100; tools that export decimals ("34.0") are accepted when whole.
    pub fn parse_difficulty(s: &str) -> Result<i16, DomainError> {
        let t = s.trim();
        let t = t.strip_suffix(".0").unwrap_or(t);
        t.parse::<i16>()
            .ok()
            .filter(|v| (0..=100).contains(v))
            .ok_or_else(|| DomainError::InvalidNumber {
                field: "difficulty",
                value: s.to_string(),
            })
    }

    /// Country as an ISO-3166 alpha-2 code, upper-cased.
    pub fn parse_country(s: &str) -> Result<String, DomainError> {
        let t = s.trim();
        if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(t.to_ascii_uppercase())
        } else {
            Err(DomainError::InvalidValue {
                field: "country",
                value: s.to_string(),
            })
        }
    }

    /// Merges a later duplicate into this one with the rule storage also applies to a re-import:
    /// the first spelling of the phrase stays, and a later non-empty metric replaces an earlier
    /// one (an empty cell never erases a value).
    pub fn merge(&mut self, later: KeywordDraft) {
        self.volume = later.volume.or(self.volume);
        self.difficulty = later.difficulty.or(self.difficulty);
        self.cpc = later.cpc.or(self.cpc);
        self.intent = later.intent.or(self.intent);
        self.country = later.country.or(self.country.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_case_and_whitespace() {
        assert_eq!(
            normalise_phrase("  Best   Running\tShoes "),
            "best running shoes"
        );
        assert_eq!(normalise_phrase("ÉCOLE Été"), "école été");
        let d = KeywordDraft::new("  Best   Running Shoes ").unwrap();
        assert_eq!(d.phrase, "Best Running Shoes");
        assert_eq!(d.normalised, "best running shoes");
    }

    #[test]
    fn bad_phrases_are_refused() {
        assert!(KeywordDraft::new("   ").is_err());
        assert!(KeywordDraft::new(&"a".repeat(201)).is_err());
        assert!(KeywordDraft::new("bad\u{7}bell").is_err());
    }

    #[test]
    fn metrics_parse_like_exports() {
        assert_eq!(KeywordDraft::parse_volume("1,200").unwrap(), 1200);
        assert!(KeywordDraft::parse_volume("-5").is_err());
        assert!(KeywordDraft::parse_volume("lots").is_err());
        assert_eq!(KeywordDraft::parse_difficulty("34").unwrap(), 34);
        assert_eq!(KeywordDraft::parse_difficulty("34.0").unwrap(), 34);
        assert!(KeywordDraft::parse_difficulty("101").is_err());
        assert_eq!(
            Intent::parse("Commercial, Informational").unwrap(),
            Intent::Commercial
        );
        assert_eq!(Intent::parse("T").unwrap(), Intent::Transactional);
        assert!(Intent::parse("curious").is_err());
        assert_eq!(KeywordDraft::parse_country("us").unwrap(), "US");
        assert!(KeywordDraft::parse_country("USA").is_err());
    }

    #[test]
    fn merge_keeps_first_phrase_and_later_values() {
        let mut a = KeywordDraft::new("Running Shoes").unwrap();
        a.volume = Some(900);
        a.cpc = Some(UsdMicros(5));
        let mut b = KeywordDraft::new("running shoes").unwrap();
        b.volume = Some(100);
        b.difficulty = Some(40);
        a.merge(b);
        assert_eq!(a.phrase, "Running Shoes");
        assert_eq!(a.volume, Some(100));
        assert_eq!(a.difficulty, Some(40));
        assert_eq!(a.cpc, Some(UsdMicros(5)));
    }
}
