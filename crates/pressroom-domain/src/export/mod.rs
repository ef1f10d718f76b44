//! A static export of a site's articles, as pure rules: where each file goes for a format,
//! the relative links and image sources between them, the front matter and the HTML pages.
//! The pipeline reads the articles and writes the files; nothing here touches a disk.
//!
//! Layouts (paths relative to the output directory; `STEM` is the article's file stem):
//! - Markdown: `STEM.md`, images under `images/STEM-NAME.ext`; links `other.md`.
//! - Hugo (page bundles): `content/posts/STEM/index.md` with its images beside it; links
//!   `../other/`. Bundles keep an article and its pictures in one folder, so image sources are
//!   bare file names that resolve both in Hugo's output and in any Markdown viewer, and Hugo
//!   knows them as page resources (the front matter's `resources` gives their alt text).
//! - HTML: `STEM/index.html` with its images beside it, plus a top-level `index.html`; links
//!   `../other/index.html`, which works opened from disk as well as served.

mod front_matter;
mod page;

pub use front_matter::{FrontImage, FrontMatter, rfc3339, yaml_quote};
pub use page::{IndexEntry, html_index, html_page};

use crate::{ContentId, DomainError};
use std::collections::{HashMap, HashSet};

/// The manifest an export keeps in its output directory: the files it wrote, with hashes.
pub const MANIFEST_FILE: &str = ".pressroom-export.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Markdown,
    Hugo,
    Html,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [
        ExportFormat::Markdown,
        ExportFormat::Hugo,
        ExportFormat::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "markdown",
            ExportFormat::Hugo => "hugo",
            ExportFormat::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| DomainError::InvalidValue {
                field: "format",
                value: format!("{s:?} (markdown, hugo or html)"),
            })
    }

    /// The article's page, relative to the output directory.
    pub fn page_path(self, stem: &str) -> String {
        match self {
            ExportFormat::Markdown => format!("{stem}.md"),
            ExportFormat::Hugo => format!("content/posts/{stem}/index.md"),
            ExportFormat::Html => format!("{stem}/index.html"),
        }
    }

    /// An image file of the article (`name` from [`image_name`]), relative to the output
    /// directory.
    pub fn image_path(self, stem: &str, name: &str) -> String {
        match self {
            ExportFormat::Markdown => format!("images/{stem}-{name}"),
            ExportFormat::Hugo => format!("content/posts/{stem}/{name}"),
            ExportFormat::Html => format!("{stem}/{name}"),
        }
    }

    /// The same image as its article's page refers to it.
    pub fn image_src(self, stem: &str, name: &str) -> String {
        match self {
            ExportFormat::Markdown => format!("images/{stem}-{name}"),
            ExportFormat::Hugo | ExportFormat::Html => name.to_string(),
        }
    }

    /// A link from one exported article's page to another's.
    pub fn link_href(self, target_stem: &str) -> String {
        match self {
            ExportFormat::Markdown => format!("{target_stem}.md"),
            ExportFormat::Hugo => format!("../{target_stem}/"),
            ExportFormat::Html => format!("../{target_stem}/index.html"),
        }
    }
}

/// An image's file name within its article: `featured.png`, `image-2.jpg`. Named by role
/// and position, never by stored or provider text.
pub fn image_name(featured: bool, position: i64, extension: &str) -> String {
    let ext: String = extension
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(5)
        .collect::<String>()
        .to_ascii_lowercase();
    let ext = if ext.is_empty() { "bin".into() } else { ext };
    if featured {
        format!("featured.{ext}")
    } else {
        format!("image-{position}.{ext}")
    }
}

/// A file-system-safe stem from a slug: lower-case ASCII letters, digits and single hyphens;
/// `article-ID` when nothing usable is left (a slug is validated on entry, but a path must
/// never depend on that).
pub fn safe_stem(slug: &str, id: ContentId) -> String {
    let mut out = String::new();
    for c in slug.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 100 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        format!("article-{id}")
    } else {
        out
    }
}

/// Each article's stem, unique within the export: in the order given (id order), the first
/// article with a slug keeps it, later ones get `-ID` appended.
pub fn unique_stems<'a>(
    articles: impl IntoIterator<Item = (ContentId, &'a str)>,
) -> HashMap<ContentId, String> {
    let mut taken = HashSet::new();
    let mut out = HashMap::new();
    for (id, slug) in articles {
        let mut stem = safe_stem(slug, id);
        if !taken.insert(stem.clone()) {
            stem = format!("{stem}-{id}");
            taken.insert(stem.clone());
        }
        out.insert(id, stem);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_refuse_others() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.as_str()).unwrap(), f);
        }
        let e = ExportFormat::parse("pdf").unwrap_err().to_string();
        assert!(e.contains("format"), "{e}");
    }

    /// A link from one page, joined to the page's directory, names the other page's file
    /// (or its directory, which a server and Hugo resolve to it).
    #[test]
    fn links_and_images_resolve_from_the_page() {
        fn resolve(page: &str, href: &str) -> String {
            let mut parts: Vec<&str> = page.split('/').collect();
            parts.pop();
            for seg in href.split('/') {
                match seg {
                    ".." => {
                        parts.pop();
                    }
                    "" | "." => {}
                    s => parts.push(s),
                }
            }
            parts.join("/")
        }
        for f in ExportFormat::ALL {
            let from = f.page_path("a");
            let to = resolve(&from, &f.link_href("b"));
            let page = f.page_path("b");
            assert!(
                page == to || page.starts_with(&format!("{to}/")),
                "{f:?}: {to}"
            );
            let img = image_name(true, 0, "png");
            assert_eq!(
                resolve(&from, &f.image_src("a", &img)),
                f.image_path("a", &img),
                "{f:?}"
            );
        }
    }

    #[test]
    fn stems_are_safe_and_unique() {
        let a = ContentId::new(1);
        let b = ContentId::new(2);
        let c = ContentId::new(3);
        assert_eq!(safe_stem("Cold Brew / ../etc", a), "cold-brew-etc");
        assert_eq!(safe_stem("../", a), "article-1");
        let stems = unique_stems([(a, "x"), (b, "x"), (c, "y")]);
        assert_eq!(stems[&a], "x");
        assert_eq!(stems[&b], "x-2");
        assert_eq!(stems[&c], "y");
        assert_eq!(image_name(false, 3, "JPG"), "image-3.jpg");
        assert_eq!(image_name(true, 0, "../"), "featured.bin");
    }
}
