//! Internal links between the articles of one cluster.

use crate::ContentId;
use std::collections::HashSet;

/// One live article of a cluster, as link planning reads it.
#[derive(Debug, Clone)]
pub struct LinkArticle {
    pub id: ContentId,
    pub primary_keyword: String,
    /// The phrases a link to this article may use as anchor text: its primary keyword first,
    /// then its secondary keywords.
    pub keywords: Vec<String>,
    pub body_markdown: String,
    /// The cluster's pillar article: every other article links to it first.
    pub pillar: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLink {
    pub source: ContentId,
    pub target: ContentId,
    /// As written in the source's text (its case), so the link wraps words the reader sees.
    pub anchor: String,
}

/// Links for each article to others of its cluster: the pillar first, then the rest in id
/// order; at most `max_per_article` per source; never to itself; the anchor is one of the
/// target's keywords found in the source's paragraph text (not a heading, not already a
/// link), never the source's own primary keyword, and each anchor used once per source.
/// `removed` pairs (source, target) were taken out by a person and are not planned again.
pub fn plan_links(
    articles: &[LinkArticle],
    max_per_article: usize,
    removed: &HashSet<(ContentId, ContentId)>,
) -> Vec<PlannedLink> {
    let _ = (articles, max_per_article, removed);
    todo!("issue 13 scaffold")
}

/// `phrase` as it first appears in the paragraph text of `body_markdown` (case-insensitive,
/// whole words, outside headings, images and existing links), with the text's own case.
pub fn find_anchor(body_markdown: &str, phrase: &str) -> Option<String> {
    let _ = (body_markdown, phrase);
    todo!("issue 13 scaffold")
}
