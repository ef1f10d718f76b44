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

/// How a file writes numbers. Semicolon-separated files come from locales that write
/// `1.234,5` (the comma is taken by numbers, so it cannot separate fields); comma- and
/// tab-separated ones are read as `1,234.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberStyle {
    /// `1,234.5`: point for decimals, comma for thousands.
    #[default]
    DecimalPoint,
    /// `1.234,5`: comma for decimals, point for thousands.
    DecimalComma,
}

impl NumberStyle {
    /// The style of a file separated by `delimiter`.
    pub fn for_delimiter(delimiter: u8) -> NumberStyle {
        if delimiter == b';' {
            NumberStyle::DecimalComma
        } else {
            NumberStyle::DecimalPoint
        }
    }

    /// (decimal mark, thousands mark)
    fn marks(self) -> (char, char) {
        match self {
            NumberStyle::DecimalPoint => ('.', ','),
            NumberStyle::DecimalComma => (',', '.'),
        }
    }

    /// `1,234.5` or `1.234,5`, for reports.
    pub fn example(self) -> &'static str {
        match self {
            NumberStyle::DecimalPoint => "1,234.5",
            NumberStyle::DecimalComma => "1.234,5",
        }
    }
}

/// A non-negative whole number whose thousands may be grouped by one of `separators` (one kind
/// per number): the first group has one to three digits, every later group exactly three.
fn grouped_whole(s: &str, separators: &[char]) -> Option<i64> {
    let mut used = s.chars().filter(|c| separators.contains(c));
    let separator = used.next();
    if used.any(|c| Some(c) != separator) {
        return None;
    }
    let groups: Vec<&str> = match separator {
        Some(sep) => s.split(sep).collect(),
        None => vec![s],
    };
    let digits = |g: &str| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit());
    let first_ok = groups[0].len() <= 3 || groups.len() == 1;
    if !groups.iter().all(|g| digits(g)) || !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    groups.concat().parse().ok()
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

    /// Search volume: a non-negative whole number. Since a volume has no decimals, `.`, `,`,
    /// spaces, `'` and `_` can only group thousands, in any file: `1.200`, `1,200` and `1 200`
    /// are 1200. Groups after the first must have three digits, so `1.5` or `12,00` is refused
    /// rather than guessed.
    pub fn parse_volume(s: &str) -> Result<i64, DomainError> {
        grouped_whole(s.trim(), &[',', '.', ' ', '\u{a0}', '\u{202f}', '\'', '_']).ok_or_else(
            || DomainError::InvalidNumber {
                field: "volume",
                value: s.to_string(),
            },
        )
    }

    /// Difficulty 0-100; tools that export decimals (`34.0`, `34,0`) are accepted when whole.
    pub fn parse_difficulty(s: &str) -> Result<i16, DomainError> {
        let t = s.trim();
        let t = t
            .strip_suffix(".0")
            .or_else(|| t.strip_suffix(",0"))
            .unwrap_or(t);
        t.parse::<i16>()
            .ok()
            .filter(|v| (0..=100).contains(v))
            .ok_or_else(|| DomainError::InvalidNumber {
                field: "difficulty",
                value: s.to_string(),
            })
    }

    /// Cost per click in the file's [`NumberStyle`]. When a cell has both marks, the style's
    /// decimal mark must come last and the other one groups thousands (`1,234.50` or
    /// `1.234,50`). A cell with one single mark of either kind reads it as the decimal mark
    /// (`0,85` in a comma file, `1.5` in a semicolon file): exports that mix conventions exist,
    /// and a click that costs a thousand dollars does not. Several of one mark (`1.234.567`)
    /// group thousands.
    pub fn parse_cpc(s: &str, style: NumberStyle) -> Result<UsdMicros, DomainError> {
        let bad = || DomainError::InvalidNumber {
            field: "cpc",
            value: s.to_string(),
        };
        let t = s.trim();
        let t = t.strip_prefix('$').unwrap_or(t).trim();
        let (decimal, group) = style.marks();
        let canonical = match (t.matches(decimal).count(), t.matches(group).count()) {
            (0, 0) => t.to_string(),
            (_, 0) => t.replace(decimal, "."),
            (0, 1) => t.replace(group, "."),
            (0, _) => grouped_whole(t, &[group]).ok_or_else(bad)?.to_string(),
            (1, _) => {
                let (whole, frac) = t.split_once(decimal).ok_or_else(bad)?;
                let whole = grouped_whole(whole, &[group]).ok_or_else(bad)?;
                format!("{whole}.{frac}")
            }
            _ => return Err(bad()),
        };
        UsdMicros::parse_decimal(&canonical).map_err(|_| bad())
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
        assert_eq!(KeywordDraft::parse_volume("5").unwrap(), 5);
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
    fn volumes_group_thousands_with_any_mark_in_threes() {
        for (cell, want) in [
            ("1.200", 1200),
            ("1,200", 1200),
            ("1 200", 1200),
            ("1\u{a0}200", 1200),
            ("1'200", 1200),
            ("12.345.678", 12_345_678),
            ("0", 0),
            ("123456", 123_456),
        ] {
            assert_eq!(KeywordDraft::parse_volume(cell).unwrap(), want, "{cell}");
        }
        for cell in [
            "1.5",
            "12,00",
            "1.200,5",
            "1.200,000",
            "1234.567",
            ",200",
            "1.",
            "",
            "1e3",
        ] {
            let err = KeywordDraft::parse_volume(cell).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid number for volume: {cell:?}")
            );
        }
        assert_eq!(KeywordDraft::parse_difficulty("34,0").unwrap(), 34);
    }

    #[test]
    fn cpc_reads_the_files_decimal_mark() {
        let cpc = |s: &str, style| KeywordDraft::parse_cpc(s, style).map(|m| m.0);
        let (point, comma) = (NumberStyle::DecimalPoint, NumberStyle::DecimalComma);
        assert_eq!(cpc("0,45", comma), Ok(450_000));
        assert_eq!(cpc("1.234,50", comma), Ok(1_234_500_000));
        assert_eq!(cpc("1,234.50", point), Ok(1_234_500_000));
        assert_eq!(cpc("$1.25", point), Ok(1_250_000));
        assert_eq!(cpc("2", comma), Ok(2_000_000));
        // One lone mark of either kind is the decimal mark.
        assert_eq!(cpc("1.5", comma), Ok(1_500_000));
        assert_eq!(cpc("1.250", comma), Ok(1_250_000));
        assert_eq!(cpc("0,85", point), Ok(850_000));
        // Several of one mark group thousands.
        assert_eq!(cpc("1.234.567", comma), Ok(1_234_567_000_000));
        for (cell, style) in [
            ("1,234.50", comma),
            ("1.234,50", point),
            ("1.23,4", comma),
            ("0,4,5", comma),
            ("-0,45", comma),
            ("cheap", point),
        ] {
            assert_eq!(
                cpc(cell, style).unwrap_err().to_string(),
                format!("invalid number for cpc: {cell:?}"),
                "{cell} {style:?}"
            );
        }
        assert_eq!(NumberStyle::for_delimiter(b';'), comma);
        assert_eq!(NumberStyle::for_delimiter(b'\t'), point);
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
