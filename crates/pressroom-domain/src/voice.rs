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

/// Longest tone or audience text.
pub const TEXT_MAX: usize = 200;
/// Most phrases in `always_say` or `never_say`, and the longest one.
pub const LIST_MAX: usize = 20;
pub const PHRASE_MAX: usize = 120;
/// About the shortest and longest bodies the offline writer can make.
pub const OFFLINE_WORDS_FLOOR: u32 = 400;
pub const OFFLINE_WORDS_CEILING: u32 = 2000;

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
        for (field, text) in [
            ("voice.tone", &self.tone),
            ("voice.audience", &self.audience),
        ] {
            if let Some(t) = text {
                check_text(field, t, TEXT_MAX)?;
            }
        }
        for (field, list) in [
            ("voice.always_say", &self.always_say),
            ("voice.never_say", &self.never_say),
        ] {
            if list.len() > LIST_MAX {
                return Err(DomainError::TooMany {
                    field,
                    max: LIST_MAX,
                });
            }
            for phrase in list {
                check_text(field, phrase, PHRASE_MAX)?;
                if phrase.trim().is_empty() {
                    return Err(DomainError::InvalidValue {
                        field,
                        value: phrase.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The voice as template variables (`{tone}` ...), each rendered as prompt text; unset
    /// fields render empty. `language` is the site's language code.
    pub fn prompt_values(&self, language: &str) -> Vec<(&'static str, String)> {
        vec![
            ("language", language_label(language)),
            ("tone", self.tone.clone().unwrap_or_default()),
            ("audience", self.audience.clone().unwrap_or_default()),
            (
                "point_of_view",
                self.point_of_view
                    .map(|p| p.describe().to_string())
                    .unwrap_or_default(),
            ),
            ("words_min", self.words_min.to_string()),
            ("words_max", self.words_max.to_string()),
            ("always_say", quoted_list(&self.always_say)),
            ("never_say", quoted_list(&self.never_say)),
            ("brand_voice", self.prompt_block(language)),
        ]
    }

    /// The ready-made instructions every default template ends with: the language always,
    /// then each voice field that is set. No `- ` lines: the offline provider reads the last
    /// bullet block of a prompt as its list input.
    pub fn prompt_block(&self, language: &str) -> String {
        let mut lines = vec![
            "Brand voice:".to_string(),
            format!("Language: write in {}.", language_label(language)),
        ];
        if let Some(t) = self.tone.as_deref().filter(|t| !t.trim().is_empty()) {
            lines.push(format!("Tone: {}.", t.trim().trim_end_matches('.')));
        }
        if let Some(a) = self.audience.as_deref().filter(|a| !a.trim().is_empty()) {
            lines.push(format!("Audience: {}.", a.trim().trim_end_matches('.')));
        }
        if let Some(p) = self.point_of_view {
            lines.push(format!("Point of view: {}.", p.describe()));
        }
        if !self.always_say.is_empty() {
            lines.push(format!(
                "Always say (each at least once where it fits): {}.",
                quoted_list(&self.always_say)
            ));
        }
        if !self.never_say.is_empty() {
            lines.push(format!(
                "Never say or mention: {}.",
                quoted_list(&self.never_say)
            ));
        }
        lines.join("\n")
    }

    /// What the offline writer cannot honour of this voice for a site in `language`: it
    /// writes English from stock sentences, so tone, audience, point of view and any other
    /// language are ignored (word range, always/never say are honoured).
    pub fn offline_ignores(&self, language: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !is_english(language) {
            out.push(format!(
                "language: writes English, not {}",
                language_label(language)
            ));
        }
        if self.tone.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            out.push("tone".to_string());
        }
        if self
            .audience
            .as_deref()
            .is_some_and(|a| !a.trim().is_empty())
        {
            out.push("audience".to_string());
        }
        if self.point_of_view.is_some() {
            out.push("point_of_view".to_string());
        }
        // Its sentence stock and fixed parts (introduction, one opener per section, FAQ) bound
        // what it can write; measured on a six-section outline with an FAQ.
        if self.words_max < OFFLINE_WORDS_FLOOR {
            out.push(format!(
                "words_max: offline articles are at least about {OFFLINE_WORDS_FLOOR} words"
            ));
        }
        if self.words_min > OFFLINE_WORDS_CEILING {
            out.push(format!(
                "words_min: offline articles reach about {OFFLINE_WORDS_CEILING} words at most"
            ));
        }
        out
    }
}

impl PointOfView {
    /// The instruction a prompt gets.
    pub fn describe(self) -> &'static str {
        match self {
            PointOfView::First => "first person plural (the brand speaks as \"we\")",
            PointOfView::Second => "second person (address the reader as \"you\")",
            PointOfView::Third => "third person (neutral, no \"we\" or \"you\")",
        }
    }
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    if text.chars().any(char::is_control) {
        return Err(DomainError::InvalidValue {
            field,
            value: text.to_string(),
        });
    }
    Ok(())
}

/// `"a"; "b"` (empty for no phrases): quotes keep a phrase with a comma in one piece.
fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.trim()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn is_english(code: &str) -> bool {
    base_code(code) == "en"
}

fn base_code(code: &str) -> String {
    code.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A language code as the name a prompt uses: `de` -> `German`, `pt-BR` -> `Portuguese
/// (BR)`; a code not in the table is given as it is.
pub fn language_label(code: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("ar", "Arabic"),
        ("bg", "Bulgarian"),
        ("ca", "Catalan"),
        ("cs", "Czech"),
        ("da", "Danish"),
        ("de", "German"),
        ("el", "Greek"),
        ("en", "English"),
        ("es", "Spanish"),
        ("et", "Estonian"),
        ("fi", "Finnish"),
        ("fr", "French"),
        ("he", "Hebrew"),
        ("hi", "Hindi"),
        ("hr", "Croatian"),
        ("hu", "Hungarian"),
        ("id", "Indonesian"),
        ("it", "Italian"),
        ("ja", "Japanese"),
        ("ko", "Korean"),
        ("lt", "Lithuanian"),
        ("lv", "Latvian"),
        ("nb", "Norwegian"),
        ("nl", "Dutch"),
        ("no", "Norwegian"),
        ("pl", "Polish"),
        ("pt", "Portuguese"),
        ("ro", "Romanian"),
        ("ru", "Russian"),
        ("sk", "Slovak"),
        ("sl", "Slovenian"),
        ("sr", "Serbian"),
        ("sv", "Swedish"),
        ("th", "Thai"),
        ("tr", "Turkish"),
        ("uk", "Ukrainian"),
        ("vi", "Vietnamese"),
        ("zh", "Chinese"),
    ];
    let code = code.trim();
    let base = base_code(code);
    match NAMES.iter().find(|(c, _)| *c == base) {
        Some((_, name)) => match code.split_once(['-', '_']) {
            Some((_, region)) if !region.is_empty() => format!("{name} ({region})"),
            _ => name.to_string(),
        },
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: &BrandVoice) -> String {
        v.validate().unwrap_err().to_string()
    }

    #[test]
    fn lengths_counts_and_control_characters_name_the_field() {
        BrandVoice::default().validate().unwrap();
        let long = "x".repeat(TEXT_MAX + 1);
        let v = BrandVoice {
            tone: Some(long.clone()),
            ..Default::default()
        };
        assert_eq!(err(&v), "voice.tone is longer than 200 characters");
        let v = BrandVoice {
            audience: Some("runners\u{7}".into()),
            ..Default::default()
        };
        assert!(err(&v).starts_with("invalid voice.audience"), "{}", err(&v));
        let v = BrandVoice {
            always_say: vec!["ok".into(); LIST_MAX + 1],
            ..Default::default()
        };
        assert_eq!(err(&v), "voice.always_say has more than 20 items");
        let v = BrandVoice {
            never_say: vec!["y".repeat(PHRASE_MAX + 1)],
            ..Default::default()
        };
        assert_eq!(err(&v), "voice.never_say is longer than 120 characters");
        let v = BrandVoice {
            never_say: vec!["a\nb".into()],
            ..Default::default()
        };
        assert!(err(&v).starts_with("invalid voice.never_say"));
        let v = BrandVoice {
            never_say: vec!["  ".into()],
            ..Default::default()
        };
        assert!(err(&v).starts_with("invalid voice.never_say"));
        // At the limits is fine.
        BrandVoice {
            tone: Some("t".repeat(TEXT_MAX)),
            always_say: vec!["p".repeat(PHRASE_MAX); LIST_MAX],
            ..Default::default()
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn labels_and_the_prompt_block() {
        assert_eq!(language_label("de"), "German");
        assert_eq!(language_label("pt-BR"), "Portuguese (BR)");
        assert_eq!(language_label("xx"), "xx");
        let v = BrandVoice {
            tone: Some("warm".into()),
            point_of_view: Some(PointOfView::Second),
            never_say: vec!["cheap".into()],
            ..Default::default()
        };
        let block = v.prompt_block("de");
        assert!(block.contains("write in German"), "{block}");
        assert!(block.contains("Tone: warm."), "{block}");
        assert!(block.contains("\"you\""), "{block}");
        assert!(
            block.contains("Never say or mention: \"cheap\"."),
            "{block}"
        );
        assert!(
            !block.contains("Audience"),
            "unset fields say nothing: {block}"
        );
        assert!(!block.lines().any(|l| l.starts_with("- ")));
        assert_eq!(
            v.offline_ignores("de"),
            vec![
                "language: writes English, not German".to_string(),
                "tone".into(),
                "point_of_view".into()
            ]
        );
        assert!(BrandVoice::default().offline_ignores("en-GB").is_empty());
        let short = BrandVoice {
            words_min: 100,
            words_max: 200,
            ..Default::default()
        };
        assert_eq!(
            short.offline_ignores("en"),
            vec!["words_max: offline articles are at least about 400 words".to_string()]
        );
    }
}
