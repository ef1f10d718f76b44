//! The invented-sources check: a writer without a research step cannot have read the studies
//! it cites, so references sections, footnote markers and unlinked "according to" claims are
//! flagged for an editor.

use super::{Body, Check, CheckName, check};
use crate::article::words::{find_phrase, fold, phrase_words, sentences};

/// Headings of a section that lists sources the writer cannot have checked.
const SOURCE_SECTIONS: &[&str] = &[
    "references",
    "reference",
    "sources",
    "source",
    "bibliography",
    "works cited",
    "citations",
    "footnotes",
    "notes and references",
    "sources and further reading",
    "references and further reading",
];

/// "According to your taste" is an instruction, not a claimed source.
const NOT_A_SOURCE: &[&str] = &[
    "your",
    "you",
    "taste",
    "preference",
    "preferences",
    "plan",
    "need",
    "needs",
    "instructions",
    "directions",
    "recipe",
    "package",
    "label",
    "size",
    "type",
    "season",
    "schedule",
];

pub(super) fn no_invented_sources(body: &Body) -> Check {
    let mut found: Vec<String> = Vec::new();
    let bold_lines = body.blocks.iter().flat_map(|b| &b.lines).filter_map(|l| {
        let t = l.trim();
        (t.starts_with("**") || t.starts_with("__")).then_some(t)
    });
    for h in body.headings.iter().map(String::as_str).chain(bold_lines) {
        if SOURCE_SECTIONS.contains(&fold(h).as_str()) {
            found.push(format!(
                "a \"{}\" section",
                h.trim_matches(['*', '_', ':', ' '])
            ));
        }
    }
    for b in &body.blocks {
        found.extend(footnote_marker(&b.raw).map(|m| format!("footnote marker \"{m}\"")));
        found.extend(
            sentences(&b.raw)
                .into_iter()
                .filter(|s| unlinked_claim(s))
                .map(|s| {
                    let opening: String = s.chars().take(50).collect();
                    format!("\"{opening}…\" names a source without a link")
                }),
        );
    }
    let reason = if found.is_empty() {
        "no references section, footnote markers or unlinked \"according to\"".to_string()
    } else {
        found.truncate(3);
        found.join("; ")
    };
    check(CheckName::NoInventedSources, found.is_empty(), reason)
}

/// `[1]`, `[^1]` or a superscript digit after a word (`m²` and `cm³` are units, not notes).
fn footnote_marker(raw: &str) -> Option<String> {
    let c: Vec<char> = raw.chars().collect();
    for i in 0..c.len() {
        if c[i] == '[' {
            let digits = c[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            let close = i + 1 + digits;
            if c.get(i + 1) == Some(&'^')
                && let Some(end) = c[i..].iter().position(|x| *x == ']')
            {
                return Some(c[i..=i + end].iter().collect());
            }
            if digits > 0
                && c.get(close) == Some(&']')
                && !matches!(c.get(close + 1), Some('(' | '['))
            {
                return Some(c[i..=close].iter().collect());
            }
        }
        if "¹²³⁴⁵⁶⁷⁸⁹⁰".contains(c[i]) && i > 0 {
            let prev = c[i - 1];
            let word = c[..i]
                .iter()
                .rev()
                .take_while(|x| x.is_alphabetic())
                .count();
            let unit = "²³".contains(c[i]) && (1..=2).contains(&word);
            if !unit && (prev.is_alphabetic() || ".,;:)\"”’'".contains(prev)) {
                return Some(c[i].to_string());
            }
        }
    }
    None
}

/// An "according to ..." sentence naming a source with no `[..](http..)` link to it.
fn unlinked_claim(sentence: &str) -> bool {
    let Some(m) = find_phrase(sentence, 0..sentence.len(), &phrase_words("according to")) else {
        return false;
    };
    if sentence.contains("](http") {
        return false;
    }
    let after = fold(&sentence[m.end..]);
    let mut next = after.split_whitespace();
    let word = match next.next() {
        Some("the") => next.next(),
        w => w,
    };
    word.is_some_and(|w| !NOT_A_SOURCE.contains(&w))
}
