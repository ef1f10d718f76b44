//! Words, phrases and sentences of plain text: the matching every article rule shares.
//! Phrases match whole words, case-insensitively, across any run of whitespace.

use std::ops::Range;

/// Lower-case, alphanumeric words joined by single spaces: "The Best: Guide!" -> "the best guide".
pub(super) fn fold(s: &str) -> String {
    let lowered: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whitespace-separated tokens with at least one letter or digit (as the pipeline counts).
pub(super) fn word_count(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

pub(super) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A phrase as lower-case words, for [`find_phrase`].
pub(super) fn phrase_words(phrase: &str) -> Vec<Vec<char>> {
    phrase
        .split_whitespace()
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
        .collect()
}

/// Does the phrase match whole words of `s` at byte `pos`? Returns the match's end.
fn match_at(s: &str, pos: usize, end: usize, words: &[Vec<char>]) -> Option<usize> {
    if s[..pos]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let mut it = s[pos..end].char_indices().peekable();
    for (wi, w) in words.iter().enumerate() {
        if wi > 0 {
            let mut gap = 0;
            while it.next_if(|(_, c)| c.is_whitespace()).is_some() {
                gap += 1;
            }
            if gap == 0 {
                return None;
            }
        }
        let mut k = 0;
        while k < w.len() {
            let (_, c) = it.next()?;
            for lc in c.to_lowercase() {
                if w.get(k) != Some(&lc) {
                    return None;
                }
                k += 1;
            }
        }
    }
    let stop = it.peek().map_or(end, |(i, _)| pos + i);
    (!s[stop..].chars().next().is_some_and(char::is_alphanumeric)).then_some(stop)
}

/// The first whole-word, case-insensitive match of the phrase within `range`.
pub(super) fn find_phrase(
    s: &str,
    range: Range<usize>,
    words: &[Vec<char>],
) -> Option<Range<usize>> {
    if words.is_empty() {
        return None;
    }
    s[range.clone()].char_indices().find_map(|(i, _)| {
        match_at(s, range.start + i, range.end, words).map(|e| range.start + i..e)
    })
}

/// The first match inside one of `spans` that overlaps none of `avoid`.
pub(super) fn find_in_spans(
    s: &str,
    spans: &[Range<usize>],
    words: &[Vec<char>],
    avoid: &[Range<usize>],
) -> Option<Range<usize>> {
    for span in spans {
        let mut from = span.start;
        while let Some(m) = find_phrase(s, from..span.end, words) {
            if !avoid.iter().any(|a| a.start < m.end && m.start < a.end) {
                return Some(m);
            }
            from = m.start + s[m.start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

/// Non-overlapping whole-word matches of the phrase in `s`.
pub(super) fn count_phrase(s: &str, words: &[Vec<char>]) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(m) = find_phrase(s, from..s.len(), words) {
        n += 1;
        from = m.end;
    }
    n
}

pub(super) fn contains_phrase(s: &str, phrase: &str) -> bool {
    find_phrase(s, 0..s.len(), &phrase_words(phrase)).is_some()
}

/// Byte offsets just past each sentence end: `.`, `!`, `?` or `…` (and any closing quotes or
/// brackets) followed by whitespace or the end, and not by a lower-case letter ("e.g. a").
pub(super) fn sentence_ends(s: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some((_, c)) = it.next() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        while it
            .next_if(|(_, c)| matches!(c, '.' | '!' | '?' | '…'))
            .is_some()
        {}
        while it.next_if(|(_, c)| "\"'”’)]*_".contains(*c)).is_some() {}
        let end = it.peek().map_or(s.len(), |(i, _)| *i);
        let next_word = s[end..].trim_start().chars().next();
        let spaced = end == s.len() || s[end..].starts_with(char::is_whitespace);
        if spaced && !next_word.is_some_and(char::is_lowercase) {
            ends.push(end);
        }
    }
    ends
}

/// The sentences of `s`, trimmed; text after the last sentence end is one more.
pub(super) fn sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = 0;
    for end in sentence_ends(s).into_iter().chain([s.len()]) {
        let sentence = s[at..end].trim();
        if !sentence.is_empty() {
            out.push(sentence);
        }
        at = end;
    }
    out
}

#[cfg(test)]
mod tests;
