//! Just enough Markdown for the article rules, line by line: our writers produce `## `
//! headings, blank-line-separated paragraphs, `- ` lists and `![alt](src)` image lines. Fenced
//! code is recognised so its content is never checked, linked or rewritten.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineKind {
    Blank,
    /// A code fence, or a line inside a fenced block.
    Code,
    Heading(u8),
    /// A line that is one image and nothing else.
    Image,
    Text,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    /// Byte offset of the line in the document.
    pub start: usize,
    /// The line without its ending (`\n` or `\r\n`).
    pub text: &'a str,
    pub kind: LineKind,
}

impl Line<'_> {
    pub fn range(&self) -> Range<usize> {
        self.start..self.start + self.text.len()
    }
}

pub(super) fn lines(md: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut start = 0;
    for raw in md.split_inclusive('\n') {
        let text = raw.trim_end_matches('\n').trim_end_matches('\r');
        let kind = if let Some((c, n)) = fence {
            if fence_run(text)
                .is_some_and(|(fc, fnum, rest)| fc == c && fnum >= n && rest.trim().is_empty())
            {
                fence = None;
            }
            LineKind::Code
        } else if let Some((c, n, rest)) = fence_run(text) {
            // A backtick fence's info string may not contain backticks (CommonMark).
            if c == '`' && rest.contains('`') {
                LineKind::Text
            } else {
                fence = Some((c, n));
                LineKind::Code
            }
        } else if text.trim().is_empty() {
            LineKind::Blank
        } else if let Some((level, _)) = heading(text) {
            LineKind::Heading(level)
        } else if image_line(text).is_some() {
            LineKind::Image
        } else {
            LineKind::Text
        };
        out.push(Line { start, text, kind });
        start += raw.len();
    }
    out
}

/// The line without up to three spaces of indentation; `None` when indented further.
fn unindent(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3).then_some(rest)
}

/// A run of three or more backticks or tildes opening the line: (char, length, rest).
fn fence_run(line: &str) -> Option<(char, usize, &str)> {
    let s = unindent(line)?;
    let c = s.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let rest = s.trim_start_matches(c);
    let n = s.len() - rest.len();
    (n >= 3).then_some((c, n, rest))
}

/// An ATX heading: its level and its text without the `#` marks.
pub(super) fn heading(line: &str) -> Option<(u8, &str)> {
    let s = unindent(line)?;
    let rest = s.trim_start_matches('#');
    let level = s.len() - rest.len();
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let text = rest.trim();
    // An optional closing run of `#` (`## Title ##`) is not part of the text.
    let without = text.trim_end_matches('#');
    let text = if without.is_empty() || without.ends_with([' ', '\t']) {
        without.trim_end()
    } else {
        text
    };
    Some((level as u8, text))
}

/// The alt text and destination of a line that is exactly one image.
pub(super) fn image_line(line: &str) -> Option<(&str, &str)> {
    let t = line.trim();
    let rest = t.strip_prefix('!')?;
    let (text, dest, end) = parse_link(rest, 0, rest.len())?;
    (end == rest.len()).then(|| (&rest[text], &rest[dest]))
}

/// A link destination without its title or angle brackets: `<a b> "T"` -> `a b`.
pub(super) fn bare_dest(dest: &str) -> &str {
    let d = dest.trim();
    match d.strip_prefix('<') {
        Some(rest) => rest.split_once('>').map_or(rest, |(inner, _)| inner),
        None => d.split_whitespace().next().unwrap_or(""),
    }
}

/// `[text](dest)` opening at `open` (a `[`): the text's and destination's ranges and the end.
fn parse_link(s: &str, open: usize, end: usize) -> Option<(Range<usize>, Range<usize>, usize)> {
    let b = s.as_bytes();
    let close = matching(b, open, end, b'[', b']')?;
    if b.get(close + 1) != Some(&b'(') || close + 1 >= end {
        return None;
    }
    let paren = matching(b, close + 1, end, b'(', b')')?;
    Some((open + 1..close, close + 2..paren, paren + 1))
}

/// The index of the bracket closing the one at `open`, nesting and `\` escapes respected.
fn matching(b: &[u8], open: usize, end: usize, o: u8, c: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < end {
        match b[i] {
            b'\\' => i += 1,
            x if x == o => depth += 1,
            x if x == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A list item's marker (`- `, `* `, `+ `, `1. `, `1) `) opens the line.
pub(super) fn is_list_item(line: &str) -> bool {
    let s = line.trim_start();
    if s.starts_with("- ") || s.starts_with("* ") || s.starts_with("+ ") {
        return true;
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=9).contains(&digits) && (s[digits..].starts_with(". ") || s[digits..].starts_with(") "))
}

/// Consecutive text lines: a paragraph, or a list (each item starts with a marker). A list
/// item right after a paragraph line starts a new block, as in CommonMark.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextBlock {
    pub first: usize,
    /// Inclusive.
    pub last: usize,
    pub list: bool,
}

pub(super) fn text_blocks(lines: &[Line]) -> Vec<TextBlock> {
    let mut out: Vec<TextBlock> = Vec::new();
    let mut open = false;
    for (i, l) in lines.iter().enumerate() {
        if l.kind != LineKind::Text {
            open = false;
            continue;
        }
        let item = is_list_item(l.text);
        match out.last_mut() {
            Some(b) if open && (b.list || !item) => b.last = i,
            _ => out.push(TextBlock {
                first: i,
                last: i,
                list: item,
            }),
        }
        open = true;
    }
    out
}

/// The byte range of a block in the document.
pub(super) fn block_range(lines: &[Line], b: &TextBlock) -> Range<usize> {
    lines[b.first].start..lines[b.last].range().end
}

/// What inline text is not plain prose: links, images, code spans, HTML and URLs.
#[derive(Debug, Clone)]
pub(super) enum Inline {
    Link {
        text: Range<usize>,
        dest: Range<usize>,
        whole: Range<usize>,
    },
    Image {
        alt: Range<usize>,
        whole: Range<usize>,
    },
    Other(Range<usize>),
}

impl Inline {
    pub fn whole(&self) -> Range<usize> {
        match self {
            Inline::Link { whole, .. } | Inline::Image { whole, .. } | Inline::Other(whole) => {
                whole.clone()
            }
        }
    }
}

pub(super) fn inlines(s: &str, range: Range<usize>) -> Vec<Inline> {
    let b = s.as_bytes();
    let end = range.end;
    let mut out = Vec::new();
    let mut i = range.start;
    while i < end {
        let at_word_start = i == range.start || b[i - 1].is_ascii_whitespace() || b[i - 1] == b'(';
        match b[i] {
            b'\\' => i += 1,
            b'`' => {
                let n = b[i..end].iter().take_while(|x| **x == b'`').count();
                let close = (i + n..end).find(|&j| {
                    b[j..end].iter().take_while(|x| **x == b'`').count() == n && b[j - 1] != b'`'
                });
                match close {
                    Some(j) => {
                        out.push(Inline::Other(i..j + n));
                        i = j + n;
                    }
                    None => i += n,
                }
                continue;
            }
            b'!' | b'[' => {
                let open = if b[i] == b'!' { i + 1 } else { i };
                if b.get(open) == Some(&b'[')
                    && let Some((text, dest, stop)) = parse_link(s, open, end)
                {
                    out.push(if open > i {
                        Inline::Image {
                            alt: text,
                            whole: i..stop,
                        }
                    } else {
                        Inline::Link {
                            text,
                            dest,
                            whole: i..stop,
                        }
                    });
                    i = stop;
                    continue;
                }
            }
            b'<' => {
                let tag = b
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/');
                if let Some(j) = (i + 1..end).find(|&j| matches!(b[j], b'>' | b'<' | b'\n'))
                    && tag
                    && b[j] == b'>'
                {
                    out.push(Inline::Other(i..j + 1));
                    i = j + 1;
                    continue;
                }
            }
            b'h' | b'H' | b'w' | b'W' if at_word_start => {
                let head = &b[i..end.min(i + 8)];
                let url = [&b"http://"[..], b"https://", b"www."]
                    .iter()
                    .any(|p| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p));
                if url {
                    let j = (i..end)
                        .find(|&j| b[j].is_ascii_whitespace())
                        .unwrap_or(end);
                    out.push(Inline::Other(i..j));
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
        while i < end && !s.is_char_boundary(i) {
            i += 1;
        }
    }
    out
}

/// The prose ranges of a document: paragraph and list text outside headings, image lines,
/// code, existing links and URLs. A range may span the lines of one block.
pub(super) fn text_spans(md: &str) -> Vec<Range<usize>> {
    let ls = lines(md);
    let mut spans = Vec::new();
    for block in text_blocks(&ls) {
        let r = block_range(&ls, &block);
        let mut at = r.start;
        for inline in inlines(md, r.clone()) {
            let w = inline.whole();
            if w.start > at {
                spans.push(at..w.start);
            }
            at = w.end;
        }
        if r.end > at {
            spans.push(at..r.end);
        }
    }
    spans
}

/// The text a reader reads in `range`: link text kept, everything else inline dropped.
pub(super) fn plain(s: &str, range: Range<usize>) -> String {
    let mut out = String::new();
    let mut at = range.start;
    for inline in inlines(s, range.clone()) {
        let w = inline.whole();
        out.push_str(&s[at..w.start]);
        match inline {
            Inline::Link { text, .. } => out.push_str(&s[text]),
            _ => out.push(' '),
        }
        at = w.end;
    }
    out.push_str(&s[at..range.end]);
    out
}

#[cfg(test)]
mod tests;
