//! The parts of a brand voice the offline writer honours, applied to a written body: phrases
//! it must never say are cut out sentence by sentence, phrases it must say are added once to
//! the introduction, and a body longer than the word range is shortened a sentence at a time.
//! Tone, audience, point of view and languages other than English it cannot honour; the
//! pipeline says so (`BrandVoice::offline_ignores`).

use super::words::count_phrase;
use pressroom_domain::text::capitalise;

/// Words as the pipeline counts them (`html::word_count`): whitespace-separated tokens with a
/// letter or digit, so `##` and `-` do not count.
pub(super) fn words(markdown: &str) -> usize {
    markdown
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn says_any(text: &str, phrases: &[String]) -> bool {
    phrases.iter().any(|p| count_phrase(text, p) > 0)
}

/// A paragraph's sentences: split after `.`, `!` or `?` when a capital follows, so "e.g. the"
/// stays one sentence.
fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut tokens = paragraph.split(' ').peekable();
    while let Some(t) = tokens.next() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(t);
        let ends = t.ends_with(['.', '!', '?']);
        let next_capital = tokens
            .peek()
            .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase));
        if ends && next_capital {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

fn is_prose(block: &str) -> bool {
    !block.starts_with('#') && !block.starts_with("- ")
}

/// Drops every sentence, checklist line and FAQ entry that says one of `never`, and adds each
/// of `always` that the body does not say yet to the end of the introduction (the first
/// block). Section headings stay: they are the outline the article was asked for.
pub(super) fn apply_phrases(body: &str, always: &[String], never: &[String]) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut skip_answer = false;
    for block in body.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        if skip_answer {
            skip_answer = false;
            if is_prose(block) {
                continue;
            }
        }
        let kept = if block.starts_with("### ") {
            if says_any(block, never) {
                // The question and the answer after it go together.
                skip_answer = true;
                continue;
            }
            block.to_string()
        } else if block.starts_with('#') {
            block.to_string()
        } else if block.starts_with("- ") {
            block
                .lines()
                .filter(|l| !says_any(l, never))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            sentences(block)
                .into_iter()
                .filter(|s| !says_any(s, never))
                .collect::<Vec<_>>()
                .join(" ")
        };
        if !kept.trim().is_empty() {
            blocks.push(kept);
        }
    }
    let missing: Vec<String> = always
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .filter(|p| !blocks.iter().any(|b| count_phrase(b, p) > 0))
        .map(|p| {
            if p.ends_with(['.', '!', '?']) {
                capitalise(p)
            } else {
                format!("Worth knowing: {p}.")
            }
        })
        .collect();
    if !missing.is_empty() {
        match blocks.first_mut() {
            Some(intro) if is_prose(intro) => {
                intro.push(' ');
                intro.push_str(&missing.join(" "));
            }
            _ => blocks.insert(0, missing.join(" ")),
        }
    }
    blocks.join("\n\n") + "\n"
}

/// Shortens `body` to at most `max` words by dropping the last sentence of the longest prose
/// paragraph, over and over; the introduction, FAQ answers, a paragraph's first sentence and
/// sentences carrying an `always` phrase are kept. Stops when nothing more can go.
pub(super) fn trim_to(body: &str, max: usize, always: &[String]) -> String {
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut trimmable: Vec<bool> = Vec::new();
    let mut after_question = false;
    for (i, block) in body
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .enumerate()
    {
        let prose = is_prose(block);
        trimmable.push(prose && i > 0 && !after_question);
        after_question = block.starts_with("### ");
        blocks.push(if prose {
            sentences(block)
        } else {
            vec![block.to_string()]
        });
    }
    let mut total = words(body);
    while total > max {
        let longest = (0..blocks.len())
            .filter(|&i| trimmable[i] && blocks[i].len() > 1)
            .filter(|&i| blocks[i].last().is_some_and(|s| !says_any(s, always)))
            .max_by_key(|&i| (blocks[i].iter().map(|s| words(s)).sum::<usize>(), i));
        let Some(i) = longest else { break };
        if let Some(s) = blocks[i].pop() {
            total -= words(&s);
        }
    }
    blocks
        .iter()
        .map(|b| b.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_before_capitals_only() {
        assert_eq!(
            sentences("Grip matters, e.g. on mud. Fit comes first! Why? Because."),
            vec![
                "Grip matters, e.g. on mud.",
                "Fit comes first!",
                "Why?",
                "Because."
            ]
        );
    }

    #[test]
    fn never_phrases_go_and_always_phrases_come_once() {
        let body = "Intro about shoes. Cheap pairs wear out.\n\n## Fit\n\nFit first. A cheap fit hurts. Try them on.\n\n- Cheap laces\n- Good socks\n\n### Are cheap shoes fine?\n\nSometimes.\n\n### Why fit?\n\nComfort.\n";
        let out = apply_phrases(
            body,
            &["free returns within 30 days".into(), "fit first".into()],
            &["cheap".into()],
        );
        assert!(!out.to_lowercase().contains("cheap"), "{out}");
        assert!(out.contains("Worth knowing: free returns within 30 days."));
        assert_eq!(out.matches("Fit first").count(), 1, "already said: {out}");
        assert!(
            !out.contains("Sometimes."),
            "the answer went with its question"
        );
        assert!(out.contains("### Why fit?\n\nComfort."));
        assert!(out.contains("- Good socks") && out.contains("## Fit"));
    }

    #[test]
    fn trimming_keeps_intro_and_first_sentences() {
        let body = "One two three. Four five six.\n\n## A\n\nAlpha beta. Gamma delta. Epsilon zeta.\n\n## B\n\nEta theta. Iota kappa.\n";
        let out = trim_to(body, 12, &[]);
        assert!(words(&out) <= 12, "{out}");
        assert!(out.starts_with("One two three. Four five six."));
        assert!(out.contains("Alpha beta.") && out.contains("Eta theta."));
        // Nothing left to drop: it stops rather than loop.
        assert_eq!(words(&trim_to(body, 1, &[])), 12);
    }
}
