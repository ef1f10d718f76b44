//! Generated text fitted to the on-page limits: shortened at a sentence or word boundary,
//! never mid-word.

use super::markdown::{LineKind, heading, lines, text_blocks};
use super::words::{collapse, contains_phrase, fold, sentence_ends, sentences, word_count};
use crate::text::title_case;

pub const META_TITLE_MAX: usize = 60;
pub const META_DESCRIPTION_MIN: usize = 120;
pub const META_DESCRIPTION_MAX: usize = 160;
pub const SLUG_MAX: usize = 75;
pub const PARAGRAPH_WORDS_MAX: usize = 150;

/// Left hanging at the end of a cut: "Brew it with the" reads as broken off.
const DANGLING_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "nor", "but", "with", "of", "to", "for", "in", "on", "at", "by",
    "from", "as", "vs", "via", "your", "our", "their", "its",
];

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `text` in at most `max` characters: whole sentences when the last one that fits ends past
/// half of `max`, else whole words; dangling punctuation trimmed. Whitespace is collapsed.
/// Empty when even the first word is longer than `max` (a word is never cut).
pub fn shorten(text: &str, max: usize) -> String {
    cut(text, max, max / 2)
}

/// [`shorten`], taking whole sentences only when they come to more than `floor` characters.
fn cut(text: &str, max: usize, floor: usize) -> String {
    let text = collapse(text);
    if chars(&text) <= max {
        return text;
    }
    let sentence = sentence_ends(&text)
        .into_iter()
        .map(|e| text[..e].trim_end())
        .rfind(|p| chars(p) <= max);
    match sentence {
        Some(p) if chars(p) > floor => p.to_string(),
        _ => word_cut(&text, max),
    }
}

/// The whole words of collapsed `text` that fit in `max` characters, dangling words trimmed.
fn word_cut(text: &str, max: usize) -> String {
    let Some((at, _)) = text.char_indices().nth(max) else {
        return trim_dangling(text);
    };
    // `at` is the first character that does not fit: cut there if it starts a gap, else at
    // the last gap before it.
    let end = if text[at..].starts_with(' ') {
        Some(at)
    } else {
        text[..at].rfind(' ')
    };
    end.map_or_else(String::new, |e| trim_dangling(&text[..e]))
}

/// Trailing `, ; : - – — / & (`, runs of dots and `…`, and whitespace.
fn trim_dangling_punct(s: &str) -> &str {
    let mut s = s;
    loop {
        let t = s
            .trim_end()
            .trim_end_matches([',', ';', ':', '-', '–', '—', '/', '&', '(', '…']);
        let t = if t.ends_with("..") {
            t.trim_end_matches('.')
        } else {
            t
        };
        if t.len() == s.len() {
            return s;
        }
        s = t;
    }
}

/// [`trim_dangling_punct`], and trailing function words while a word is left before them.
fn trim_dangling(s: &str) -> String {
    let mut s = trim_dangling_punct(s);
    while let Some((head, last)) = s.rsplit_once(' ') {
        if !DANGLING_WORDS.contains(&last.to_lowercase().as_str()) {
            break;
        }
        s = trim_dangling_punct(head);
    }
    s.to_string()
}

/// A meta title of at most [`META_TITLE_MAX`] characters that contains the primary keyword:
/// the candidate if it fits, else the title, else either shortened if the cut keeps the
/// keyword, else "{Keyword}: {title shortened}" (or the title-cased keyword alone when no
/// word of the title fits after it). A keyword longer than the limit cannot be contained:
/// then the result is that keyword shortened. Empty only when all inputs are.
pub fn fit_meta_title(candidate: &str, title: &str, primary_keyword: &str) -> String {
    let (candidate, title, keyword) = (
        collapse(candidate),
        collapse(title),
        collapse(primary_keyword),
    );
    let fits = |s: &str| {
        !s.is_empty()
            && chars(s) <= META_TITLE_MAX
            && (keyword.is_empty() || contains_phrase(s, &keyword))
    };
    let tries = [
        candidate.clone(),
        title.clone(),
        shorten(&candidate, META_TITLE_MAX),
        shorten(&title, META_TITLE_MAX),
    ];
    if let Some(t) = tries.iter().find(|t| fits(t)) {
        return t.clone();
    }
    if keyword.is_empty() {
        return tries
            .into_iter()
            .find(|t| !t.is_empty())
            .unwrap_or_default();
    }
    let head = title_case(&keyword);
    if chars(&head) + 2 >= META_TITLE_MAX {
        return shorten(&head, META_TITLE_MAX);
    }
    let source = if title.is_empty() { &candidate } else { &title };
    let rest = shorten(source, META_TITLE_MAX - chars(&head) - 2);
    if rest.is_empty() {
        head
    } else {
        format!("{head}: {rest}")
    }
}

/// Join text and a sentence, ending the text with a period if it has no end of its own.
fn join_sentence(text: &str, sentence: &str) -> String {
    if text.is_empty() {
        sentence.to_string()
    } else if sentence_ends(text).last() == Some(&text.len()) {
        format!("{text} {sentence}")
    } else {
        format!("{text}. {sentence}")
    }
}

/// A meta description of 120-160 characters ending at a word boundary: the candidate
/// shortened, or lengthened with sentences from `more` (the excerpt, the first paragraph)
/// in order while they fit, then with the words of the next sentence that fit, closed with a
/// period. Sentences the text already contains are skipped. Never over 160 characters and
/// never cut mid-word; under 120 only when the candidate and `more` together are too short.
pub fn fit_meta_description(candidate: &str, more: &[&str]) -> String {
    let mut text = trim_dangling_punct(&collapse(candidate)).to_string();
    if chars(&text) > META_DESCRIPTION_MAX {
        text = cut(&text, META_DESCRIPTION_MAX, META_DESCRIPTION_MIN - 1);
    }
    if chars(&text) < META_DESCRIPTION_MIN {
        let more: Vec<String> = more.iter().map(|m| collapse(m)).collect();
        let lowered = text.to_lowercase();
        let mut rest = more
            .iter()
            .flat_map(|m| sentences(m))
            .filter(|s| !lowered.contains(&s.to_lowercase()))
            .peekable();
        while let Some(next) = rest.peek() {
            let joined = join_sentence(&text, next);
            if chars(&joined) > META_DESCRIPTION_MAX {
                break;
            }
            text = joined;
            rest.next();
        }
        let left: Vec<&str> = rest.collect();
        if chars(&text) < META_DESCRIPTION_MIN && !left.is_empty() {
            // Room for the separator (". " at most) and the closing period.
            let room = META_DESCRIPTION_MAX.saturating_sub(chars(&text) + 3);
            let words = word_cut(&left.join(" "), room);
            let words = words.trim_end_matches(['.', '!', '?', '…']);
            if !words.is_empty() {
                text = join_sentence(&text, &format!("{words}."));
            }
        }
    }
    trim_dangling_punct(&text).to_string()
}

/// `Best Trail Shoes (2026)!` -> `best-trail-shoes-2026`: lower-case words joined by hyphens,
/// at most [`SLUG_MAX`] characters cut at a hyphen (a single word longer than that is cut
/// where it must be); never empty.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-');
    if let Some((at, _)) = slug.char_indices().nth(SLUG_MAX) {
        slug = if slug[at..].starts_with('-') {
            &slug[..at]
        } else {
            slug[..at].rfind('-').map_or(&slug[..at], |h| &slug[..h])
        };
    }
    if slug.is_empty() {
        "article".into()
    } else {
        slug.to_string()
    }
}

/// The body as the writer should have written it: an H1 that opens the body and repeats the
/// title is dropped and any other H1 becomes an H2 (the title is the page's H1); paragraphs
/// over [`PARAGRAPH_WORDS_MAX`] words are split at sentence boundaries into balanced parts
/// (a single sentence over the limit stays whole). Lists, other headings, images and code
/// are kept as written; line endings become `\n`. Running it twice changes nothing more.
pub fn normalise_body(markdown: &str, title: &str) -> String {
    let ls = lines(markdown);
    let blocks = text_blocks(&ls);
    let opening = ls.iter().position(|l| l.kind != LineKind::Blank);
    let title = fold(title);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let line = ls[i];
        if line.kind == LineKind::Heading(1) {
            let text = heading(line.text).map_or("", |(_, t)| t);
            if Some(i) == opening && !title.is_empty() && fold(text) == title {
                i += 1;
                while ls.get(i).is_some_and(|l| l.kind == LineKind::Blank) {
                    i += 1;
                }
            } else {
                out.push(format!("## {text}"));
                i += 1;
            }
            continue;
        }
        if let Some(b) = blocks.iter().find(|b| b.first == i && !b.list) {
            let joined = collapse(
                &ls[b.first..=b.last]
                    .iter()
                    .map(|l| l.text)
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let parts = split_paragraph(&joined);
            if parts.len() > 1 {
                out.push(parts.join("\n\n"));
                i = b.last + 1;
                continue;
            }
        }
        out.push(line.text.to_string());
        i += 1;
    }
    let opening = out
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(out.len());
    let mut body = out[opening..].join("\n");
    if markdown.ends_with('\n') && !body.is_empty() {
        body.push('\n');
    }
    body
}

/// A paragraph's sentences grouped into parts of at most [`PARAGRAPH_WORDS_MAX`] words, about
/// equal in size; one part when it is short enough or is one sentence.
fn split_paragraph(text: &str) -> Vec<String> {
    let total = word_count(text);
    if total <= PARAGRAPH_WORDS_MAX {
        return vec![text.to_string()];
    }
    let target = total.div_ceil(total.div_ceil(PARAGRAPH_WORDS_MAX));
    let mut parts: Vec<(Vec<&str>, usize)> = Vec::new();
    for sentence in sentences(text) {
        let n = word_count(sentence);
        match parts.last_mut() {
            Some((part, words)) if *words < target && *words + n <= PARAGRAPH_WORDS_MAX => {
                part.push(sentence);
                *words += n;
            }
            _ => parts.push((vec![sentence], n)),
        }
    }
    parts.into_iter().map(|(p, _)| p.join(" ")).collect()
}

#[cfg(test)]
mod tests;
