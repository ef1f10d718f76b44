//! Internal links between the articles of one cluster.

use super::markdown::text_spans;
use super::words::{collapse, find_in_spans, fold, phrase_words};
use crate::ContentId;
use std::collections::HashSet;
use std::ops::Range;

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
///
/// A target's keywords are tried in the order given (its primary keyword first, the most
/// relevant anchor) and the first usable one is taken: found in the source, not the source's
/// primary keyword, not an anchor this source already uses, and at an occurrence that does
/// not overlap an earlier anchor. Output: sources in input order, each source's links in
/// target order, which is also the order [`super::compose_markdown`] should place them in.
pub fn plan_links(
    articles: &[LinkArticle],
    max_per_article: usize,
    removed: &HashSet<(ContentId, ContentId)>,
) -> Vec<PlannedLink> {
    let mut targets: Vec<&LinkArticle> = articles.iter().collect();
    targets.sort_by_key(|a| (!a.pillar, a.id));
    let mut planned = Vec::new();
    for source in articles {
        let spans = text_spans(&source.body_markdown);
        let own = fold(&source.primary_keyword);
        let mut used: Vec<String> = Vec::new();
        let mut taken: Vec<Range<usize>> = Vec::new();
        for target in &targets {
            if taken.len() >= max_per_article {
                break;
            }
            if target.id == source.id || removed.contains(&(source.id, target.id)) {
                continue;
            }
            let found = target.keywords.iter().find_map(|k| {
                let folded = fold(k);
                if folded.is_empty() || folded == own || used.contains(&folded) {
                    return None;
                }
                let at = find_in_spans(&source.body_markdown, &spans, &phrase_words(k), &taken)?;
                Some((folded, at))
            });
            if let Some((folded, at)) = found {
                planned.push(PlannedLink {
                    source: source.id,
                    target: target.id,
                    anchor: collapse(&source.body_markdown[at.clone()]),
                });
                used.push(folded);
                taken.push(at);
            }
        }
    }
    planned
}

/// `phrase` as it first appears in the paragraph text of `body_markdown` (case-insensitive,
/// whole words, outside headings, images and existing links), with the text's own case.
/// Fenced code, inline code and URLs are skipped too; whitespace in the match is collapsed.
pub fn find_anchor(body_markdown: &str, phrase: &str) -> Option<String> {
    let spans = text_spans(body_markdown);
    find_in_spans(body_markdown, &spans, &phrase_words(phrase), &[])
        .map(|at| collapse(&body_markdown[at]))
}

#[cfg(test)]
mod tests;
