//! The on-page check: the basics an SEO plugin flags, each pass or fail with a reason.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// At most 60 characters and contains the primary keyword.
    MetaTitle,
    /// 120-160 characters, ending at a word boundary.
    MetaDescription,
    /// The title is the page's one H1: the body has none.
    SingleH1,
    /// At least 4 H2 sections.
    SectionHeadings,
    /// The primary keyword appears in the first paragraph.
    KeywordInIntro,
    /// The primary keyword makes up 0.5-3 % of the words.
    KeywordDensity,
    /// Every image has alt text.
    ImageAltText,
    /// At least one internal link is placed in the body.
    InternalLinks,
    /// No paragraph is over 150 words.
    ParagraphLength,
    /// The slug is at most 75 characters.
    SlugLength,
    /// No references section, footnote markers or "according to" claims without a link.
    NoInventedSources,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: CheckName,
    pub pass: bool,
    /// Why it passed or failed, with the measured figure ("58 characters").
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnPageReport {
    /// Percent of checks passed, rounded down: 100 only when every check passes.
    pub score: u8,
    pub checks: Vec<Check>,
}

impl OnPageReport {
    pub fn passing(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }
}

/// What the check reads of an article.
#[derive(Debug, Clone, Copy)]
pub struct ArticleFacts<'a> {
    pub slug: &'a str,
    pub meta_title: &'a str,
    pub meta_description: &'a str,
    pub primary_keyword: &'a str,
    /// The body as stored (Markdown, without the title, which the page shows as the H1).
    pub body_markdown: &'a str,
    /// The alt text of each of the article's images, featured included ("" when missing).
    pub image_alts: &'a [&'a str],
    /// Internal links placed in the body (see [`super::compose_markdown`]).
    pub internal_links: usize,
}

pub fn check_article(facts: &ArticleFacts) -> OnPageReport {
    let _ = facts;
    todo!("issue 13 scaffold: implemented by the on-page helper")
}
