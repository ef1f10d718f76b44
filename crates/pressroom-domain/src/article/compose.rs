//! The body a reader sees: the stored Markdown with in-article images after their sections'
//! headings and internal links at their anchors. The result is Markdown; the pipeline renders
//! and sanitises it like any body.

use super::markdown::{
    Inline, LineKind, bare_dest, block_range, heading, image_line, inlines, lines, text_blocks,
    text_spans,
};
use super::words::{find_in_spans, fold, phrase_words};
use std::collections::HashSet;
use std::ops::Range;

/// An in-article image to place.
#[derive(Debug, Clone)]
pub struct PlacedImage {
    /// The H2 it follows; an image whose section is gone (the body was edited) goes after
    /// the H2 at its position instead, and one past the last H2 at the end.
    pub section: Option<String>,
    pub position: i64,
    pub src: String,
    pub alt: String,
}

#[derive(Debug, Clone)]
pub struct PlacedLink {
    pub anchor: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub markdown: String,
    /// Links whose anchor was found and linked; a link whose anchor was edited away is not.
    pub links_placed: usize,
    pub images_placed: usize,
}

/// Links are placed in the order given (the order [`super::plan_links`] planned them), each
/// at the first occurrence of its anchor in prose (see [`super::find_anchor`]) that no earlier
/// link took. Images go in position order (`position` counts H2s from 1; below 1 means the
/// end). Headings and code are never touched. A link whose href the body already links to,
/// or an image whose src it already shows, counts as placed and is not added again, so
/// composing a composed body changes nothing.
pub fn compose_markdown(
    body_markdown: &str,
    images: &[PlacedImage],
    links: &[PlacedLink],
) -> Composed {
    let (linked, links_placed) = place_links(body_markdown, links);
    let (markdown, images_placed) = place_images(&linked, images);
    Composed {
        markdown,
        links_placed,
        images_placed,
    }
}

/// Link or alt text as Markdown shows it: brackets and backslashes escaped, one line.
fn escape_text(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A destination that cannot end the link early: spaces, brackets and controls encoded.
fn escape_dest(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn place_links(md: &str, links: &[PlacedLink]) -> (String, usize) {
    let ls = lines(md);
    let mut linked: HashSet<String> = HashSet::new();
    for block in text_blocks(&ls) {
        for inline in inlines(md, block_range(&ls, &block)) {
            if let Inline::Link { dest, .. } = inline {
                linked.insert(escape_dest(bare_dest(&md[dest])));
            }
        }
    }
    let spans = text_spans(md);
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut placed = 0;
    for link in links {
        let href = escape_dest(&link.href);
        if href.is_empty() {
            continue;
        }
        if linked.contains(&href) {
            placed += 1;
            continue;
        }
        if let Some(at) = find_in_spans(md, &spans, &phrase_words(&link.anchor), &taken) {
            edits.push((
                at.clone(),
                format!("[{}]({href})", escape_text(&md[at.clone()])),
            ));
            taken.push(at);
            linked.insert(href);
            placed += 1;
        }
    }
    let mut out = md.to_string();
    edits.sort_by_key(|(at, _)| std::cmp::Reverse(at.start));
    for (at, text) in edits {
        out.replace_range(at, &text);
    }
    (out, placed)
}

fn place_images(md: &str, images: &[PlacedImage]) -> (String, usize) {
    let ls = lines(md);
    let h2: Vec<(usize, String)> = ls
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == LineKind::Heading(2))
        .map(|(i, l)| (i, fold(heading(l.text).map_or("", |(_, t)| t))))
        .collect();
    let mut shown: HashSet<String> = ls
        .iter()
        .filter_map(|l| image_line(l.text))
        .map(|(_, dest)| escape_dest(bare_dest(dest)))
        .collect();
    let mut order: Vec<&PlacedImage> = images.iter().collect();
    order.sort_by_key(|i| i.position);
    // Images to add after each line; the last slot is the end of the body.
    let mut slots: Vec<Vec<String>> = vec![Vec::new(); ls.len() + 1];
    let mut placed = 0;
    for image in order {
        let src = escape_dest(&image.src);
        if src.is_empty() {
            continue;
        }
        placed += 1;
        if !shown.insert(src.clone()) {
            continue;
        }
        let section = image.section.as_deref().map(fold).filter(|s| !s.is_empty());
        let by_section = section.and_then(|s| h2.iter().find(|(_, h)| *h == s));
        let by_position = usize::try_from(image.position)
            .ok()
            .and_then(|p| p.checked_sub(1))
            .and_then(|p| h2.get(p));
        let slot = by_section.or(by_position).map_or(ls.len(), |(i, _)| *i);
        slots[slot].push(format!("![{}]({src})", escape_text(&image.alt)));
    }
    if slots.iter().all(Vec::is_empty) {
        return (md.to_string(), placed);
    }
    let mut out: Vec<&str> = Vec::new();
    for (i, line) in ls.iter().enumerate() {
        out.push(line.text);
        if !slots[i].is_empty() {
            for image in &slots[i] {
                out.push("");
                out.push(image);
            }
            if ls.get(i + 1).is_some_and(|l| l.kind != LineKind::Blank) {
                out.push("");
            }
        }
    }
    if !slots[ls.len()].is_empty() {
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
        for image in &slots[ls.len()] {
            if !out.is_empty() {
                out.push("");
            }
            out.push(image);
        }
    }
    let mut markdown = out.join("\n");
    if md.ends_with('\n') {
        markdown.push('\n');
    }
    (markdown, placed)
}

#[cfg(test)]
mod tests;
