//! YAML front matter. Every string is written as a double-quoted scalar with JSON-style
//! escapes (JSON strings are YAML 1.2 double-quoted scalars), plus escapes for the
//! characters YAML does not allow raw, so a title with a colon, quotes, `#` or a newline
//! reads back as itself. No YAML crate is needed to write this little.

use super::ExportFormat;
use crate::TimestampMs;
use std::fmt::Write;

/// One picture of an article as the front matter lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontImage {
    /// Relative to the page.
    pub src: String,
    pub alt: String,
    pub featured: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: String,
    /// First written: stable across edits, so exports sort the same each time.
    pub date: TimestampMs,
    /// Last edited.
    pub lastmod: TimestampMs,
    pub slug: String,
    pub description: String,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    /// Featured first.
    pub images: Vec<FrontImage>,
}

/// `2026-12-01T06:06:25Z`.
pub fn rfc3339(ms: TimestampMs) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// `s` as a YAML double-quoted scalar.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Outside YAML's printable set (C0 and C1 controls, DEL, BOM, non-characters):
            // escaped, never written raw.
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || c == '\u{feff}'
                || c == '\u{fffe}'
                || c == '\u{ffff}' =>
            {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(out: &mut String, key: &str, items: &[String]) {
    let quoted: Vec<String> = items.iter().map(|s| yaml_quote(s)).collect();
    let _ = writeln!(out, "{key}: [{}]", quoted.join(", "));
}

impl FrontMatter {
    /// The block between `---` lines, ending in a newline. Hugo gets its own conventions for
    /// pictures: `images` as a list of sources (its Open Graph templates read that) and
    /// `resources` carrying each one's alt text; the other formats list `{src, alt, featured}`.
    pub fn to_yaml(&self, format: ExportFormat) -> String {
        let mut out = String::from("---\n");
        let _ = writeln!(out, "title: {}", yaml_quote(&self.title));
        let _ = writeln!(out, "date: {}", yaml_quote(&rfc3339(self.date)));
        let _ = writeln!(out, "lastmod: {}", yaml_quote(&rfc3339(self.lastmod)));
        let _ = writeln!(out, "slug: {}", yaml_quote(&self.slug));
        let _ = writeln!(out, "description: {}", yaml_quote(&self.description));
        list(&mut out, "tags", &self.tags);
        list(&mut out, "categories", &self.categories);
        if format == ExportFormat::Hugo {
            let srcs: Vec<String> = self.images.iter().map(|i| i.src.clone()).collect();
            list(&mut out, "images", &srcs);
            if self.images.is_empty() {
                out.push_str("resources: []\n");
            } else {
                out.push_str("resources:\n");
            }
            for i in &self.images {
                let _ = writeln!(out, "  - src: {}", yaml_quote(&i.src));
                let _ = writeln!(out, "    title: {}", yaml_quote(&i.alt));
                let _ = writeln!(
                    out,
                    "    params: {{alt: {}, featured: {}}}",
                    yaml_quote(&i.alt),
                    i.featured
                );
            }
        } else if self.images.is_empty() {
            out.push_str("images: []\n");
        } else {
            out.push_str("images:\n");
            for i in &self.images {
                let _ = writeln!(out, "  - src: {}", yaml_quote(&i.src));
                let _ = writeln!(out, "    alt: {}", yaml_quote(&i.alt));
                let _ = writeln!(out, "    featured: {}", i.featured);
            }
        }
        out.push_str("draft: false\n---\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_strings_are_quoted_and_escaped() {
        assert_eq!(yaml_quote("a: b"), r#""a: b""#);
        assert_eq!(yaml_quote(r#"say "hi" \ #1"#), r#""say \"hi\" \\ #1""#);
        assert_eq!(yaml_quote("l1\nl2\u{7f}\u{85}"), r#""l1\nl2\u007f\u0085""#);
        assert_eq!(yaml_quote("café ✓"), "\"café ✓\"");
    }

    #[test]
    fn front_matter_has_every_field() {
        let fm = FrontMatter {
            title: "Cold brew: a \"guide\"".into(),
            date: 0,
            lastmod: 1_700_000_000_000,
            slug: "cold-brew".into(),
            description: "d".into(),
            tags: vec!["cold brew".into()],
            categories: vec![],
            images: vec![FrontImage {
                src: "featured.png".into(),
                alt: "a glass".into(),
                featured: true,
            }],
        };
        let y = fm.to_yaml(ExportFormat::Markdown);
        assert!(
            y.starts_with("---\ntitle: \"Cold brew: a \\\"guide\\\"\"\n"),
            "{y}"
        );
        assert!(y.contains("date: \"1970-01-01T00:00:00Z\"\n"), "{y}");
        assert!(y.contains("lastmod: \"2023-11-14T22:13:20Z\"\n"), "{y}");
        assert!(y.contains("categories: []\n"), "{y}");
        assert!(y.contains("    alt: \"a glass\"\n"), "{y}");
        assert!(y.ends_with("draft: false\n---\n"), "{y}");
        let h = fm.to_yaml(ExportFormat::Hugo);
        assert!(h.contains("images: [\"featured.png\"]\n"), "{h}");
        assert!(
            h.contains("params: {alt: \"a glass\", featured: true}"),
            "{h}"
        );
    }
}
