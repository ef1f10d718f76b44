//! An article as an editor and a search engine read it: the on-page checks, generated text
//! fitted to their limits, internal links between a cluster's articles, and the body with its
//! images and links in place. Pure functions over stored fields; the pipeline does the I/O.

pub mod check;
pub mod compose;
pub mod fit;
pub mod links;
mod markdown;
mod words;

/// The text of each `## ` heading of a body, in order (fenced code skipped): the sections an
/// in-article image can illustrate, in the form [`compose_markdown`] matches them.
pub fn section_headings(body_markdown: &str) -> Vec<String> {
    markdown::lines(body_markdown)
        .iter()
        .filter(|l| l.kind == markdown::LineKind::Heading(2))
        .filter_map(|l| markdown::heading(l.text).map(|(_, t)| t.to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

pub use check::{ArticleFacts, Check, CheckName, OnPageReport, check_article};
pub use compose::{Composed, PlacedImage, PlacedLink, compose_markdown};
pub use links::{LinkArticle, PlannedLink, find_anchor, plan_links};

#[cfg(test)]
mod section_tests {
    #[test]
    fn section_headings_are_the_h2_texts_outside_code() {
        let md = "# Title\n\n## One ##\ntext\n```\n## not a heading\n```\n### Sub\n## Two\n";
        assert_eq!(super::section_headings(md), ["One", "Two"]);
    }
}
