//! The on-page check: the basics an SEO plugin flags, each pass or fail with a reason.

use super::fit::{
    META_DESCRIPTION_MAX, META_DESCRIPTION_MIN, META_TITLE_MAX, PARAGRAPH_WORDS_MAX, SLUG_MAX,
};
use super::markdown::{
    Inline, LineKind, block_range, heading, image_line, inlines, is_list_item, lines, plain,
    text_blocks,
};
use super::words::{contains_phrase, count_phrase, phrase_words, word_count};
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

impl CheckName {
    /// Every check, in the order a report lists them.
    pub const ALL: [CheckName; 11] = [
        CheckName::MetaTitle,
        CheckName::MetaDescription,
        CheckName::SingleH1,
        CheckName::SectionHeadings,
        CheckName::KeywordInIntro,
        CheckName::KeywordDensity,
        CheckName::ImageAltText,
        CheckName::InternalLinks,
        CheckName::ParagraphLength,
        CheckName::SlugLength,
        CheckName::NoInventedSources,
    ];

    /// The name as the JSON and the pages show it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::MetaTitle => "meta_title",
            CheckName::MetaDescription => "meta_description",
            CheckName::SingleH1 => "single_h1",
            CheckName::SectionHeadings => "section_headings",
            CheckName::KeywordInIntro => "keyword_in_intro",
            CheckName::KeywordDensity => "keyword_density",
            CheckName::ImageAltText => "image_alt_text",
            CheckName::InternalLinks => "internal_links",
            CheckName::ParagraphLength => "paragraph_length",
            CheckName::SlugLength => "slug_length",
            CheckName::NoInventedSources => "no_invented_sources",
        }
    }
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

/// Every check, in [`CheckName`]'s order. The body is read line by line (see the markdown
/// reader): fenced and inline code are never counted, link text is, link targets are not.
pub fn check_article(facts: &ArticleFacts) -> OnPageReport {
    let body = Body::read(facts.body_markdown);
    let keyword = facts.primary_keyword.trim();
    let checks = vec![
        meta_title(facts.meta_title, keyword),
        meta_description(facts.meta_description),
        single_h1(&body),
        section_headings(&body),
        keyword_in_intro(&body, keyword),
        keyword_density(&body, keyword),
        image_alt_text(facts.image_alts, &body),
        internal_links(facts.internal_links),
        paragraph_length(&body),
        slug_length(facts.slug),
        sources::no_invented_sources(&body),
    ];
    let passed = checks.iter().filter(|c| c.pass).count();
    // At most 100, so the cast cannot truncate.
    let score = (passed * 100 / checks.len()) as u8;
    OnPageReport { score, checks }
}

fn check(name: CheckName, pass: bool, reason: String) -> Check {
    Check { name, pass, reason }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The body as the checks read it.
struct Body {
    h1: usize,
    h2: usize,
    /// The text of every heading, any level.
    headings: Vec<String>,
    /// Paragraphs and lists in order.
    blocks: Vec<Block>,
    /// Alt text of the images in the body itself.
    alts: Vec<String>,
}

struct Block {
    /// As written, with inline code blanked out (its brackets are not footnotes).
    raw: String,
    /// As read: link text without its target, no images or code.
    plain: String,
    /// Each line as written, for bold pseudo-headings.
    lines: Vec<String>,
    /// A paragraph is one unit; a list has one per item. (words, plain text)
    units: Vec<(usize, String)>,
}

impl Body {
    fn read(md: &str) -> Body {
        let ls = lines(md);
        let mut body = Body {
            h1: 0,
            h2: 0,
            headings: Vec::new(),
            blocks: Vec::new(),
            alts: Vec::new(),
        };
        for l in &ls {
            match l.kind {
                LineKind::Heading(level) => {
                    body.h1 += usize::from(level == 1);
                    body.h2 += usize::from(level == 2);
                    let text = heading(l.text).map_or("", |(_, t)| t);
                    body.headings.push(plain(text, 0..text.len()));
                }
                LineKind::Image => {
                    body.alts
                        .extend(image_line(l.text).map(|(alt, _)| alt.to_string()));
                }
                _ => {}
            }
        }
        for b in text_blocks(&ls) {
            let range = block_range(&ls, &b);
            let mut raw = String::new();
            let mut at = range.start;
            for inline in inlines(md, range.clone()) {
                let w = inline.whole();
                match inline {
                    Inline::Image { alt, .. } => body.alts.push(md[alt].to_string()),
                    Inline::Other(_) if md[w.clone()].starts_with('`') => {
                        raw.push_str(&md[at..w.start]);
                        raw.push(' ');
                        at = w.end;
                    }
                    _ => {}
                }
            }
            raw.push_str(&md[at..range.end]);
            let mut units: Vec<(usize, String)> = Vec::new();
            for l in &ls[b.first..=b.last] {
                let text = plain(md, l.range());
                match units.last_mut() {
                    Some((n, unit)) if !(b.list && is_list_item(l.text)) => {
                        *n += word_count(&text);
                        unit.push(' ');
                        unit.push_str(&text);
                    }
                    _ => units.push((word_count(&text), text)),
                }
            }
            body.blocks.push(Block {
                raw,
                plain: plain(md, range),
                lines: ls[b.first..=b.last]
                    .iter()
                    .map(|l| l.text.to_string())
                    .collect(),
                units,
            });
        }
        body
    }
}

fn keyword_reason(text_has: bool, keyword: &str) -> String {
    if keyword.is_empty() {
        "no primary keyword set".into()
    } else if text_has {
        format!("contains \"{keyword}\"")
    } else {
        format!("does not contain \"{keyword}\"")
    }
}

fn meta_title(title: &str, keyword: &str) -> Check {
    let (title, n) = (title.trim(), chars(title.trim()));
    let has = !keyword.is_empty() && contains_phrase(title, keyword);
    let size = if n == 0 {
        "empty".to_string()
    } else if n > META_TITLE_MAX {
        format!("{n} characters, over {META_TITLE_MAX}")
    } else {
        format!("{n} characters")
    };
    let reason = format!("{size}, {}", keyword_reason(has, keyword));
    check(
        CheckName::MetaTitle,
        n > 0 && n <= META_TITLE_MAX && has,
        reason,
    )
}

fn meta_description(description: &str) -> Check {
    let (d, n) = (description.trim(), chars(description.trim()));
    let dangling = d.ends_with(['-', '–', '—', ',', ':', ';', '…']) || d.ends_with("..");
    let mut reason = format!("{n} characters");
    if n < META_DESCRIPTION_MIN {
        reason += &format!(", under {META_DESCRIPTION_MIN}");
    } else if n > META_DESCRIPTION_MAX {
        reason += &format!(", over {META_DESCRIPTION_MAX}");
    }
    if dangling {
        let tail: String = d
            .chars()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        reason += &format!(", cut off at \"…{tail}\"");
    } else if n > 0 {
        reason += ", ends at a word boundary";
    }
    let pass = (META_DESCRIPTION_MIN..=META_DESCRIPTION_MAX).contains(&n) && !dangling;
    check(CheckName::MetaDescription, pass, reason)
}

fn single_h1(body: &Body) -> Check {
    let reason = match body.h1 {
        0 => "no H1 in the body; the title is the page's H1".to_string(),
        n => format!("{n} H1 heading(s) in the body besides the title"),
    };
    check(CheckName::SingleH1, body.h1 == 0, reason)
}

fn section_headings(body: &Body) -> Check {
    let mut reason = format!("{} H2 sections", body.h2);
    if body.h2 < 4 {
        reason += ", fewer than 4";
    }
    check(CheckName::SectionHeadings, body.h2 >= 4, reason)
}

fn keyword_in_intro(body: &Body, keyword: &str) -> Check {
    let Some(first) = body.blocks.first() else {
        return check(CheckName::KeywordInIntro, false, "no paragraph".into());
    };
    let has = !keyword.is_empty() && contains_phrase(&first.plain, keyword);
    let reason = format!("first paragraph {}", keyword_reason(has, keyword));
    check(CheckName::KeywordInIntro, has, reason)
}

fn keyword_density(body: &Body, keyword: &str) -> Check {
    let words = phrase_words(keyword);
    let texts = body
        .headings
        .iter()
        .chain(body.blocks.iter().map(|b| &b.plain));
    let (mut uses, mut total) = (0, 0);
    for t in texts {
        uses += count_phrase(t, &words);
        total += word_count(t);
    }
    if words.is_empty() || total == 0 {
        let why = if words.is_empty() {
            "no primary keyword set"
        } else {
            "the body has no words"
        };
        return check(CheckName::KeywordDensity, false, why.into());
    }
    // As SEO plugins count it: uses of the whole phrase per word of text, whatever the
    // phrase's length. Whole numbers, so 0.5 % and 3 % are exact: uses/total >= 1/200, <= 3/100.
    let keyword_words = uses;
    let low = keyword_words * 200 < total;
    let high = keyword_words * 100 > 3 * total;
    // Hundredths of a percent, rounded away from the limit the figure is judged against.
    let hundredths = if high {
        (keyword_words * 10_000).div_ceil(total)
    } else {
        keyword_words * 10_000 / total
    };
    let verdict = if low {
        "under 0.5 %"
    } else if high {
        "over 3 %"
    } else {
        "within 0.5-3 %"
    };
    let reason = format!(
        "{}.{:02} % ({uses} uses in {total} words), {verdict}",
        hundredths / 100,
        hundredths % 100,
    );
    check(CheckName::KeywordDensity, !low && !high, reason)
}

fn image_alt_text(alts: &[&str], body: &Body) -> Check {
    let all: Vec<&str> = alts
        .iter()
        .copied()
        .chain(body.alts.iter().map(String::as_str))
        .collect();
    let missing = all.iter().filter(|a| a.trim().is_empty()).count();
    let reason = match (all.len(), missing) {
        (0, _) => "no images".to_string(),
        (n, 0) => format!("{n} image(s), all with alt text"),
        (n, m) => format!("{m} of {n} image(s) without alt text"),
    };
    check(CheckName::ImageAltText, missing == 0, reason)
}

fn internal_links(n: usize) -> Check {
    let reason = if n == 0 {
        "no internal links".into()
    } else {
        format!("{n} internal link(s)")
    };
    check(CheckName::InternalLinks, n >= 1, reason)
}

fn paragraph_length(body: &Body) -> Check {
    let longest = body
        .blocks
        .iter()
        .flat_map(|b| &b.units)
        .max_by_key(|(n, _)| *n);
    let Some((n, text)) = longest else {
        return check(CheckName::ParagraphLength, true, "no paragraphs".into());
    };
    let opening: Vec<&str> = text.split_whitespace().take(6).collect();
    let mut reason = format!("longest paragraph {n} words (\"{}…\")", opening.join(" "));
    if *n > PARAGRAPH_WORDS_MAX {
        reason += &format!(", over {PARAGRAPH_WORDS_MAX}");
    }
    check(
        CheckName::ParagraphLength,
        *n <= PARAGRAPH_WORDS_MAX,
        reason,
    )
}

fn slug_length(slug: &str) -> Check {
    let n = chars(slug.trim());
    let reason = match n {
        0 => "empty".to_string(),
        n if n > SLUG_MAX => format!("{n} characters, over {SLUG_MAX}"),
        n => format!("{n} characters"),
    };
    check(CheckName::SlugLength, n > 0 && n <= SLUG_MAX, reason)
}

mod sources;

#[cfg(test)]
mod tests;
