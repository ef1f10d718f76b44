//! The short texts around an article: meta title, meta description and excerpt, fitted to
//! their limits at word or sentence boundaries.

use super::words::*;
use pressroom_domain::ContentStructure;

pub(super) const META_TITLE_MAX: usize = 60;
pub(super) const META_DESCRIPTION_MIN: usize = 120;
pub(super) const META_DESCRIPTION_MAX: usize = 160;
const EXCERPT_MAX: usize = 300;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// What a reader would call the piece ("guide", "comparison").
pub(super) fn structure_noun(s: ContentStructure) -> &'static str {
    match s {
        ContentStructure::Guide => "guide",
        ContentStructure::HowTo => "how-to guide",
        ContentStructure::Listicle => "list",
        ContentStructure::Comparison => "comparison",
        ContentStructure::Review => "review",
        ContentStructure::Article => "article",
    }
}

/// At most 60 characters and containing the keyword: the title when it qualifies (whole or
/// cut at a word), else one built from the keyword.
pub(super) fn meta_title(title: &str, kw: &str, structure: ContentStructure) -> String {
    let has_kw = |s: &str| count_phrase(s, kw) > 0;
    let title = title.trim();
    if chars(title) <= META_TITLE_MAX && has_kw(title) {
        return title.to_string();
    }
    let cut = clip_title(title, META_TITLE_MAX);
    if has_kw(&cut) {
        return cut;
    }
    let k = title_case(kw.trim());
    let noun = title_case(structure_noun(structure));
    let candidates = if k.ends_with('?') {
        vec![k.clone()]
    } else {
        vec![
            format!("{k}: A Practical {noun}"),
            format!("{k}: What to Know"),
            format!("{k} Explained"),
            k.clone(),
        ]
    };
    candidates
        .into_iter()
        .find(|c| chars(c) <= META_TITLE_MAX)
        .unwrap_or_else(|| clip_title(&k, META_TITLE_MAX))
}

/// 120-160 characters of whole sentences: an opening sentence on the keyword and the first
/// topics, then general sentences added while they fit.
pub(super) fn meta_description(
    kw: &str,
    topics: &[String],
    alt: Option<&str>,
    structure: ContentStructure,
) -> String {
    let kw = kw.trim().trim_end_matches('?');
    let mut openers = Vec::new();
    match topics {
        [a, b, ..] => {
            openers.push(format!("Learn about {kw}: {a}, {b} and more."));
            openers.push(format!("Learn about {kw}: {a} and more."));
        }
        [a] => openers.push(format!("Learn about {kw}: {a} and more.")),
        [] => {}
    }
    openers.push(format!("Learn about {kw}."));
    let first = openers
        .into_iter()
        .find(|s| chars(s) <= META_DESCRIPTION_MAX)
        .unwrap_or_else(|| {
            // A keyword too long for any sentence: cut at a word and close the sentence.
            format!(
                "{}.",
                clip(&format!("Learn about {kw}"), META_DESCRIPTION_MAX - 1)
            )
        });
    let mut pool = vec![format!(
        "A practical {} with clear advice to help you decide with confidence.",
        structure_noun(structure)
    )];
    if let Some(a) = alt {
        pool.push(format!("Also covers {a}."));
    }
    pool.extend(
        [
            "Read it straight through or jump to the part you need.",
            "Plain steps, no jargon.",
            "Each section stands on its own.",
            "Start here.",
        ]
        .map(String::from),
    );
    let mut out = first;
    for s in pool {
        if chars(&out) + 1 + chars(&s) <= META_DESCRIPTION_MAX {
            out.push(' ');
            out.push_str(&s);
        }
        if chars(&out) >= META_DESCRIPTION_MIN + 20 {
            break;
        }
    }
    out
}

/// A one-paragraph summary naming the first topics, ending with a full stop.
pub(super) fn excerpt(kw: &str, topics: &[String], structure: ContentStructure) -> String {
    let lead = format!("A practical {} about {kw}", structure_noun(structure));
    let text = if topics.is_empty() {
        format!("{lead}.")
    } else {
        format!("{lead}: {}.", topics.join(", "))
    };
    let mut out = clip(&text, EXCERPT_MAX);
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
