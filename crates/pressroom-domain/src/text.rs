//! Rules for text that comes from people: one-line fields (names, titles, searches), multi-line
//! bodies, and host names. Every text field the web app or API accepts goes through one of
//! these, so a NUL byte or a terminal escape never reaches a database (PostgreSQL refuses NUL
//! outright; SQLite would store it) and every length is bounded.
//!
//! Errors name the field, e.g. `name: contains a control character (U+0000)`.

use thiserror::Error;

/// Site names, token names.
pub const NAME_MAX_CHARS: usize = 100;
/// Article titles.
pub const TITLE_MAX_CHARS: usize = 300;
/// Article bodies (markdown), in bytes.
pub const BODY_MAX_BYTES: usize = 1_000_000;
/// Search boxes.
pub const SEARCH_MAX_CHARS: usize = 200;
/// Language codes such as `en` or `pt-BR`.
pub const LANGUAGE_MAX_CHARS: usize = 16;
/// Email addresses (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// A whole host name (RFC 1035), and one of its dot-separated labels.
pub const HOST_MAX_CHARS: usize = 253;
pub const HOST_LABEL_MAX_CHARS: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("{field}: must not be empty")]
    Empty { field: &'static str },
    #[error("{field}: longer than {max} {unit}")]
    TooLong {
        field: &'static str,
        max: usize,
        unit: &'static str,
    },
    #[error("{field}: contains a control character (U+{code:04X})")]
    ControlChar { field: &'static str, code: u32 },
    #[error("{field}: use a language code such as en or de")]
    NotLanguageCode { field: &'static str },
    #[error("{field}: use lower-case letters, digits and single hyphens (best-trail-shoes)")]
    NotSlug { field: &'static str },
    #[error("{field}: {reason}")]
    NotHostName {
        field: &'static str,
        reason: &'static str,
    },
}

/// Control characters (Unicode Cc), plus the line and paragraph separators that break a line
/// as surely as `\n` does.
fn is_line_breaking_or_control(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

fn refuse(field: &'static str, text: &str, bad: impl Fn(char) -> bool) -> Result<(), TextError> {
    match text.chars().find(|c| bad(*c)) {
        Some(c) => Err(TextError::ControlChar {
            field,
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// Words left lower-case inside a title.
pub const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with", "vs", "from",
    "as",
];

/// "best running shoes for women" -> "Best Running Shoes for Women". Words that already
/// carry capitals (brands, acronyms) are kept as written.
pub fn title_case(s: &str) -> String {
    s.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            if w.chars().any(char::is_uppercase) {
                return w.to_string();
            }
            if i > 0 && SMALL_WORDS.contains(&w) {
                return w.to_string();
            }
            capitalise(w)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A required one-line field: trimmed, 1 to `max_chars` characters, no control characters
/// (tabs and newlines included).
pub fn line(field: &'static str, value: &str, max_chars: usize) -> Result<String, TextError> {
    refuse(field, value, is_line_breaking_or_control)?;
    let v = value.trim();
    if v.is_empty() {
        return Err(TextError::Empty { field });
    }
    if v.chars().count() > max_chars {
        return Err(TextError::TooLong {
            field,
            max: max_chars,
            unit: "characters",
        });
    }
    Ok(v.to_string())
}

/// The longest slug an editor may set; the on-page check flags anything over 75.
pub const SLUG_MAX_CHARS: usize = 200;

/// An article's URL slug as an editor typed it: lower-case letters (any script) and digits in
/// words joined by single hyphens, as [`crate::article::fit::slugify`] makes them.
pub fn slug(field: &'static str, value: &str) -> Result<String, TextError> {
    let v = line(field, value, SLUG_MAX_CHARS)?;
    let ok = v.split('-').all(|w| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_numeric() || (c.is_alphabetic() && !c.is_uppercase()))
    });
    if ok {
        Ok(v)
    } else {
        Err(TextError::NotSlug { field })
    }
}

/// An optional one-line field (a search box, an optional name): absent or blank is `None`,
/// anything else follows [`line`].
pub fn optional_line(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, TextError> {
    match value {
        Some(v) if !v.trim().is_empty() || v.chars().any(is_line_breaking_or_control) => {
            line(field, v, max_chars).map(Some)
        }
        _ => Ok(None),
    }
}

/// A required multi-line body: newlines, carriage returns and tabs are allowed, other control
/// characters are not; not blank; at most `max_bytes` bytes. Kept as given (leading
/// whitespace matters in markdown).
pub fn body(field: &'static str, value: &str, max_bytes: usize) -> Result<String, TextError> {
    refuse(field, value, |c| {
        c.is_control() && !matches!(c, '\n' | '\r' | '\t')
    })?;
    if value.trim().is_empty() {
        return Err(TextError::Empty { field });
    }
    if value.len() > max_bytes {
        return Err(TextError::TooLong {
            field,
            max: max_bytes,
            unit: "bytes",
        });
    }
    Ok(value.to_string())
}

/// A host name such as `blog.example.com`, returned in lowercase: dot-separated labels of 1 to
/// 63 characters from `a-z`, `0-9` and `-` (not at a label's start or end), at most 253 in all.
/// A scheme, path or port is refused: a site's domain names the host only.
pub fn host_name(field: &'static str, value: &str) -> Result<String, TextError> {
    let v = line(field, value, HOST_MAX_CHARS)?.to_ascii_lowercase();
    let reason = if v.contains("://") || v.contains('/') {
        Some("give the host name only (blog.example.com), without a scheme or path")
    } else if v.contains(':') {
        Some("give the host name only, without a port")
    } else {
        v.split('.').find_map(|label| {
            if label.is_empty() {
                Some("has an empty label (two dots, or a dot at the start or end)")
            } else if label.chars().count() > HOST_LABEL_MAX_CHARS {
                Some("has a label longer than 63 characters")
            } else if !label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                Some("may contain only letters a-z, digits 0-9, hyphens and dots")
            } else if label.starts_with('-') || label.ends_with('-') {
                Some("has a label starting or ending with a hyphen")
            } else {
                None
            }
        })
    };
    match reason {
        Some(reason) => Err(TextError::NotHostName { field, reason }),
        None => Ok(v),
    }
}

/// An optional host name: absent or blank is `None` (a form's empty domain box), anything else
/// follows [`host_name`].
pub fn optional_host_name(
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<String>, TextError> {
    match value {
        Some(v) if !v.trim().is_empty() || v.chars().any(is_line_breaking_or_control) => {
            host_name(field, v).map(Some)
        }
        _ => Ok(None),
    }
}

/// A language code such as `en` or `pt-BR`: a short line of ASCII letters, digits, `-`, `_`.
pub fn language_code(field: &'static str, value: &str) -> Result<String, TextError> {
    let v = line(field, value, LANGUAGE_MAX_CHARS)?;
    if v.chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        Ok(v)
    } else {
        Err(TextError::NotLanguageCode { field })
    }
}

/// An article's title as an editor typed it: one line, trimmed, at most
/// [`TITLE_MAX_CHARS`] characters. Only [`Title::parse`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(value: &str) -> Result<Title, TextError> {
        line("title", value, TITLE_MAX_CHARS).map(Title)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An article's markdown body as an editor wrote it: not blank, at most [`BODY_MAX_BYTES`],
/// no control characters but newlines and tabs. Only [`ArticleBody::parse`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleBody(String);

impl ArticleBody {
    pub fn parse(value: &str) -> Result<ArticleBody, TextError> {
        body("body_markdown", value, BODY_MAX_BYTES).map(ArticleBody)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Folds a one-line field the way clustering cleans a model's names: every run of whitespace
/// (tabs and newlines included) becomes one space, other control characters are dropped, and
/// the ends are trimmed. What a person pastes from a spreadsheet cell keeps its words.
fn clean_line(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|c| c.is_whitespace() || !c.is_control())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn at_most(field: &'static str, value: String, max_chars: usize) -> Result<String, TextError> {
    if value.chars().count() > max_chars {
        return Err(TextError::TooLong {
            field,
            max: max_chars,
            unit: "characters",
        });
    }
    Ok(value)
}

/// A cluster's name as a person gave it: cleaned like the names clustering makes (whitespace
/// folded, control characters dropped, trimmed), not empty, at most
/// [`CLUSTER_NAME_MAX`](crate::ai::bounds::CLUSTER_NAME_MAX) characters. Only
/// [`ClusterName::parse`] makes one. Unique per site: the store says which cluster has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterName(String);

impl ClusterName {
    pub fn parse(value: &str) -> Result<ClusterName, TextError> {
        let v = clean_line(value);
        if v.is_empty() {
            return Err(TextError::Empty { field: "name" });
        }
        at_most("name", v, crate::ai::bounds::CLUSTER_NAME_MAX as usize).map(ClusterName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A cluster's description: cleaned like [`ClusterName`], may be empty, at most
/// [`CLUSTER_DESCRIPTION_MAX`](crate::ai::bounds::CLUSTER_DESCRIPTION_MAX) characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDescription(String);

impl ClusterDescription {
    pub fn parse(value: &str) -> Result<ClusterDescription, TextError> {
        at_most(
            "description",
            clean_line(value),
            crate::ai::bounds::CLUSTER_DESCRIPTION_MAX as usize,
        )
        .map(ClusterDescription)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_hyphens() {
        assert_eq!(
            slug("slug", " best-trail-shoes-2026 ").unwrap(),
            "best-trail-shoes-2026"
        );
        assert_eq!(slug("slug", "café-crème").unwrap(), "café-crème");
        for bad in [
            "Best-Shoes",
            "best--shoes",
            "-best",
            "best-",
            "best shoes",
            "best_shoes",
            "a/b",
        ] {
            assert_eq!(
                slug("slug", bad),
                Err(TextError::NotSlug { field: "slug" }),
                "{bad}"
            );
        }
        assert!(matches!(slug("slug", " "), Err(TextError::Empty { .. })));
    }

    #[test]
    fn a_line_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(line("name", "  blog  ", 10).unwrap(), "blog");
        assert_eq!(line("name", "Café ☕", 6).unwrap(), "Café ☕");
        assert_eq!(
            line("name", "a\0b", 10).unwrap_err().to_string(),
            "name: contains a control character (U+0000)"
        );
        for bad in [
            "a\nb",
            "a\tb",
            "\u{1b}[31m",
            "a\u{7f}",
            "a\u{85}",
            "a\u{2028}b",
        ] {
            assert!(
                matches!(
                    line("name", bad, 10),
                    Err(TextError::ControlChar { field: "name", .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            line("name", "   ", 10).unwrap_err().to_string(),
            "name: must not be empty"
        );
        assert_eq!(
            line("name", "abcdefghijk", 10).unwrap_err().to_string(),
            "name: longer than 10 characters"
        );
        // Characters, not bytes: ten two-byte letters fit in ten.
        assert!(line("name", &"é".repeat(10), 10).is_ok());
    }

    #[test]
    fn an_optional_line_is_none_when_blank_but_still_refuses_control_characters() {
        assert_eq!(optional_line("search", None, 5).unwrap(), None);
        assert_eq!(optional_line("search", Some("  "), 5).unwrap(), None);
        assert_eq!(
            optional_line("search", Some(" shoe "), 5)
                .unwrap()
                .as_deref(),
            Some("shoe")
        );
        assert!(matches!(
            optional_line("search", Some("\0"), 5),
            Err(TextError::ControlChar { code: 0, .. })
        ));
        assert!(matches!(
            optional_line("search", Some("\t"), 5),
            Err(TextError::ControlChar { code: 9, .. })
        ));
        assert!(optional_line("search", Some("toolong"), 5).is_err());
    }

    #[test]
    fn a_body_keeps_newlines_and_tabs_but_not_other_control_characters() {
        let md = "# Title\r\n\n\tcode\n";
        assert_eq!(body("body", md, 100).unwrap(), md);
        assert_eq!(
            body("body", "text\u{0}", 100).unwrap_err().to_string(),
            "body: contains a control character (U+0000)"
        );
        assert!(matches!(
            body("body", "bell\u{7}", 100),
            Err(TextError::ControlChar { code: 7, .. })
        ));
        assert!(matches!(
            body("body", " \n\t ", 100),
            Err(TextError::Empty { .. })
        ));
        assert_eq!(
            body("body", &"x".repeat(101), 100).unwrap_err().to_string(),
            "body: longer than 100 bytes"
        );
    }

    #[test]
    fn host_names_are_lowercased_and_checked_label_by_label() {
        assert_eq!(
            host_name("domain", " Blog.Example.COM ").unwrap(),
            "blog.example.com"
        );
        assert_eq!(host_name("domain", "localhost").unwrap(), "localhost");
        assert_eq!(
            host_name("domain", "xn--caf-dma.de").unwrap(),
            "xn--caf-dma.de"
        );
        let label63 = "a".repeat(63);
        assert!(host_name("domain", &format!("{label63}.com")).is_ok());
        assert!(host_name("domain", &format!("{label63}a.com")).is_err());
        let long = vec!["abcdefghi"; 26].join("."); // 26 * 10 - 1 = 259 characters
        assert!(matches!(
            host_name("domain", &long),
            Err(TextError::TooLong { .. })
        ));
        for bad in [
            "https://example.com",
            "example.com/blog",
            "example.com:8080",
            "exa mple.com",
            "exa_mple.com",
            "café.de",
            "-example.com",
            "example-.com",
            "example..com",
            ".example.com",
            "example.com.",
        ] {
            let e = host_name("domain", bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    TextError::NotHostName {
                        field: "domain",
                        ..
                    }
                ),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            host_name("domain", "a\0.com").unwrap_err().to_string(),
            "domain: contains a control character (U+0000)"
        );
    }

    #[test]
    fn cluster_names_are_cleaned_bounded_and_not_empty() {
        assert_eq!(
            ClusterName::parse("  Trail\tshoes \n for\u{0}  women ")
                .unwrap()
                .as_str(),
            "Trail shoes for women"
        );
        assert_eq!(
            ClusterName::parse(" \u{7}\n ").unwrap_err().to_string(),
            "name: must not be empty"
        );
        let max = crate::ai::bounds::CLUSTER_NAME_MAX as usize;
        assert!(ClusterName::parse(&"é".repeat(max)).is_ok());
        assert_eq!(
            ClusterName::parse(&"x".repeat(max + 1))
                .unwrap_err()
                .to_string(),
            format!("name: longer than {max} characters")
        );
        assert_eq!(ClusterDescription::parse("  ").unwrap().as_str(), "");
        assert_eq!(
            ClusterDescription::parse("Shoes\r\nfor trails")
                .unwrap()
                .as_str(),
            "Shoes for trails"
        );
        assert!(matches!(
            ClusterDescription::parse(&"x".repeat(501)),
            Err(TextError::TooLong {
                field: "description",
                ..
            })
        ));
    }

    #[test]
    fn titles_bodies_and_language_codes_parse_or_name_the_field() {
        assert_eq!(
            Title::parse("  Trail shoes  ").unwrap().as_str(),
            "Trail shoes"
        );
        assert_eq!(
            Title::parse("a\nb").unwrap_err().to_string(),
            "title: contains a control character (U+000A)"
        );
        assert!(Title::parse(&"x".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert_eq!(
            ArticleBody::parse("# H\n\ntext").unwrap().as_str(),
            "# H\n\ntext"
        );
        assert_eq!(
            ArticleBody::parse(" \n ").unwrap_err().to_string(),
            "body_markdown: must not be empty"
        );
        assert_eq!(language_code("language", " pt-BR ").unwrap(), "pt-BR");
        assert_eq!(
            language_code("language", "en us").unwrap_err().to_string(),
            "language: use a language code such as en or de"
        );
        assert_eq!(optional_host_name("domain", Some("  ")).unwrap(), None);
        assert_eq!(
            optional_host_name("domain", Some("Blog.Example.com"))
                .unwrap()
                .as_deref(),
            Some("blog.example.com")
        );
        assert!(optional_host_name("domain", Some("\0")).is_err());
    }
}
