//! Standalone HTML pages: one per article and an index. The body is the article's sanitised
//! HTML as composed; everything else is escaped here.

use super::FrontMatter;
use super::front_matter::rfc3339;
use std::fmt::Write;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.05rem/1.6 system-ui,sans-serif}img{max-width:100%;height:auto}";

/// One article's page. `body_html` must already be sanitised (it is the composed body).
/// `index_href` links back to the index.
pub fn html_page(fm: &FrontMatter, body_html: &str, index_href: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<meta name=\"description\" content=\"{}\">\n",
        esc(&fm.title),
        esc(&fm.description)
    );
    if !fm.tags.is_empty() {
        let _ = writeln!(
            out,
            "<meta name=\"keywords\" content=\"{}\">",
            esc(&fm.tags.join(", "))
        );
    }
    let _ = write!(
        out,
        "<style>{STYLE}</style>\n</head>\n<body>\n<p><a href=\"{}\">All articles</a></p>\n<article>\n",
        esc(index_href)
    );
    let _ = writeln!(
        out,
        "<p><time datetime=\"{0}\">{0}</time></p>",
        esc(&rfc3339(fm.date))
    );
    if let Some(f) = fm.images.iter().find(|i| i.featured) {
        let _ = writeln!(out, "<img src=\"{}\" alt=\"{}\">", esc(&f.src), esc(&f.alt));
    }
    out.push_str(body_html);
    out.push_str("\n</article>\n</body>\n</html>\n");
    out
}

/// An article as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// Relative to the index.
    pub href: String,
    pub title: String,
    pub description: String,
}

pub fn html_index(site_name: &str, entries: &[IndexEntry]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{0}</h1>\n<ul>\n",
        esc(site_name)
    );
    for e in entries {
        let _ = writeln!(
            out,
            "<li><a href=\"{}\">{}</a><br>{}</li>",
            esc(&e.href),
            esc(&e.title),
            esc(&e.description)
        );
    }
    out.push_str("</ul>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::FrontImage;

    #[test]
    fn text_is_escaped_and_the_body_kept() {
        let fm = FrontMatter {
            title: "<script>x</script> & \"q\"".into(),
            date: 0,
            lastmod: 0,
            slug: "s".into(),
            description: "d\"".into(),
            tags: vec![],
            categories: vec![],
            images: vec![FrontImage {
                src: "featured.png".into(),
                alt: "a \"b\"".into(),
                featured: true,
            }],
        };
        let page = html_page(&fm, "<p>body</p>", "../index.html");
        assert!(page.contains("<title>&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;</title>"));
        assert!(page.contains("content=\"d&quot;\""));
        assert!(page.contains("<img src=\"featured.png\" alt=\"a &quot;b&quot;\">"));
        assert!(page.contains("<p>body</p>"));
        let index = html_index(
            "A & B",
            &[IndexEntry {
                href: "s/index.html".into(),
                title: "<t>".into(),
                description: "".into(),
            }],
        );
        assert!(index.contains("<h1>A &amp; B</h1>"));
        assert!(index.contains("<a href=\"s/index.html\">&lt;t&gt;</a>"));
    }
}
