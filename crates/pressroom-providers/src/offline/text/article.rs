//! Articles from outlines, sentence by sentence from the phrase tables in [`super::phrases`].
//! The writer never repeats a sentence: it stops a section early rather than say one twice.
//! It keeps the primary keyword near a set density, mentions each related keyword in
//! paragraph text, and answers an FAQ heading with questions.

use super::ideas::structure_outline;
use super::meta::{excerpt, meta_description, meta_title, structure_noun};
use super::phrases::*;
use super::voice::{apply_phrases, trim_to, words};
use super::words::*;
use pressroom_domain::ai::{ArticleOutput, ContentInput};
use std::collections::BTreeSet;

/// Primary-keyword occurrences per thousand words the writer steers towards (1.1 %).
const KEYWORD_PER_MILLE: usize = 11;
/// A paragraph is closed once it passes this many words (the on-page limit is 150).
const PARAGRAPH_SOFT_MAX: usize = 90;
/// At least this many `## ` sections, padded from the structure's outline.
const MIN_SECTIONS: usize = 4;
const FAQ_ENTRIES: usize = 4;
/// Topic sentences ([`SECTION`]) per section at most.
const SECTION_PER_SECTION: usize = 6;

struct Writer<'a> {
    rng: Rng,
    kw: &'a str,
    alts: Vec<String>,
    alt_i: usize,
    /// Every sentence written, normalised: the guard against saying anything twice.
    seen: BTreeSet<String>,
    general_used: Vec<bool>,
    openers_used: Vec<bool>,
    closers_used: Vec<bool>,
    checklist_next: usize,
    words: usize,
    kw_count: usize,
}

fn normalise(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Writer<'_> {
    /// The template filled in, or `None` when it needs a secondary keyword and there is none.
    fn fill(&mut self, template: &str, heading: &str) -> Option<String> {
        let needs_alt = template.contains("{alt}") || template.contains("{Alt}");
        let alt = if needs_alt {
            if self.alts.is_empty() {
                return None;
            }
            self.alt_i += 1;
            self.alts[self.alt_i % self.alts.len()].clone()
        } else {
            String::new()
        };
        Some(
            template
                .replace("{kw}", self.kw)
                .replace("{alt}", &alt)
                .replace("{Alt}", &capitalise(&alt))
                .replace("{H}", heading)
                .replace("{h}", &lower_words(&strip_step(heading))),
        )
    }

    /// Records `s` unless it (or its core) was written before.
    fn accept(&mut self, s: String, core: &str) -> Option<String> {
        if !self.seen.insert(normalise(core)) {
            return None;
        }
        self.words += s.split_whitespace().count();
        self.kw_count += count_phrase(&s, self.kw);
        Some(s)
    }

    /// Counts text written outside [`Writer::accept`] (headings, questions) towards the
    /// keyword density.
    fn note(&mut self, s: &str) {
        self.words += s.split_whitespace().count();
        self.kw_count += count_phrase(s, self.kw);
    }

    fn wants_keyword(&self) -> bool {
        self.kw_count * 1000 < self.words * KEYWORD_PER_MILLE
    }

    /// Whether `template` filled for `heading` would say the keyword.
    fn says_keyword(&self, template: &str, heading: &str) -> bool {
        let has = |t: &str| count_phrase(t, self.kw) > 0;
        template.contains("{kw}")
            || ((template.contains("{h}") || template.contains("{H}")) && has(heading))
            || (template.contains("{alt}") && self.alts.iter().any(|a| has(a)))
    }

    /// Picks among `candidates`, preferring ones with the keyword when the density is low
    /// and ones without when it is high.
    fn pick(&mut self, candidates: &[(usize, &str)], heading: &str) -> Option<usize> {
        if candidates.is_empty() {
            return None;
        }
        let want = self.wants_keyword();
        let preferred: Vec<usize> = (0..candidates.len())
            .filter(|&i| self.says_keyword(candidates[i].1, heading) == want)
            .collect();
        Some(if preferred.is_empty() {
            self.rng.below(candidates.len())
        } else {
            preferred[self.rng.below(preferred.len())]
        })
    }

    fn opener(&mut self, heading: &str) -> String {
        loop {
            let free: Vec<(usize, &str)> = OPENERS
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.openers_used[*i])
                .map(|(i, t)| (i, *t))
                .collect();
            let Some(k) = self.pick(&free, heading) else {
                // More sections than openers: a plain one naming the heading, unique per heading.
                let s = format!("This part covers {}.", lower_words(&strip_step(heading)));
                return self.accept(s.clone(), &s).unwrap_or(s);
            };
            let idx = free[k].0;
            self.openers_used[idx] = true;
            if let Some(s) = self.fill(OPENERS[idx], heading)
                && let Some(s) = self.accept(s.clone(), &s)
            {
                return s;
            }
        }
    }

    /// The next body sentence for a section, or `None` when every unused one is spent.
    fn body_sentence(&mut self, heading: &str, section_used: &mut [bool]) -> Option<String> {
        loop {
            // A few sentences on the section's own topic, the rest general: naming the
            // heading in every sentence reads like a template.
            let section_left = SECTION_PER_SECTION > section_used.iter().filter(|u| **u).count();
            let mut free: Vec<(usize, &str)> = SECTION
                .iter()
                .enumerate()
                .filter(|(i, _)| section_left && !section_used[*i])
                .map(|(i, t)| (i, *t))
                .collect();
            free.extend(
                GENERAL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !self.general_used[*i])
                    .map(|(i, t)| (SECTION.len() + i, *t)),
            );
            let k = self.pick(&free, heading)?;
            let idx = free[k].0;
            if idx < SECTION.len() {
                section_used[idx] = true;
                if let Some(s) = self.fill(SECTION[idx], heading)
                    && let Some(s) = self.accept(capitalise(&s), &s)
                {
                    return Some(s);
                }
            } else {
                let g = idx - SECTION.len();
                self.general_used[g] = true;
                let Some(core) = self.fill(GENERAL[g], heading) else {
                    continue;
                };
                let prefix = PREFIXES[self.rng.below(PREFIXES.len())];
                let s = if prefix.is_empty() {
                    capitalise(&core)
                } else {
                    format!("{prefix}{core}")
                };
                if let Some(s) = self.accept(s, &core) {
                    return Some(s);
                }
            }
        }
    }

    fn closer(&mut self) -> Option<String> {
        let free: Vec<usize> = (0..CLOSERS.len())
            .filter(|&i| !self.closers_used[i])
            .collect();
        let i = *free.get(self.rng.below(free.len()))?;
        self.closers_used[i] = true;
        self.accept(CLOSERS[i].to_string(), CLOSERS[i])
    }

    /// Up to three checklist items no other checklist of the article has used.
    fn checklist(&mut self) -> Vec<String> {
        let mut items = Vec::new();
        while items.len() < 3 && self.checklist_next < CHECKLIST.len() {
            let t = CHECKLIST[self.checklist_next];
            self.checklist_next += 1;
            if let Some(s) = self.fill(t, "")
                && let Some(s) = self.accept(s.clone(), &s)
            {
                items.push(s);
            }
        }
        items
    }
}

pub(super) fn strip_step(h: &str) -> String {
    let t = h.trim().trim_end_matches('?');
    match t.split_once(": ") {
        Some((pre, rest)) if pre.starts_with("Step ") => rest.to_string(),
        _ => t.to_string(),
    }
}

/// Headings that promise questions and answers.
fn is_faq(heading: &str) -> bool {
    let h = heading.to_lowercase();
    h.contains("faq") || h.contains("frequently asked") || h.contains("common questions")
}

/// What an FAQ question can call the topic: a keyword that is itself a question reads badly
/// inside another one.
fn faq_topic(kw: &str) -> String {
    let first = kw.split_whitespace().next().unwrap_or("").to_lowercase();
    if kw.to_lowercase().starts_with("how to ") {
        format!("learning {kw}")
    } else if [
        "what", "why", "when", "which", "who", "is", "are", "can", "does", "do", "should",
    ]
    .contains(&first.as_str())
    {
        "this topic".into()
    } else {
        kw.to_string()
    }
}

/// The outline as sections: headings cleaned (no `#`), at least [`MIN_SECTIONS`] of them,
/// padding put before a closing FAQ.
fn sections(input: &ContentInput, kw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in &input.outline {
        let h = h.trim().trim_start_matches('#').trim().to_string();
        if !h.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&h)) {
            out.push(h);
        }
    }
    if out.len() < MIN_SECTIONS {
        let second = input
            .secondary_keywords
            .first()
            .map(|s| title_case(s))
            .unwrap_or_else(|| "Related Options".into());
        let at = out.len() - usize::from(out.last().is_some_and(|h| is_faq(h)));
        let pad: Vec<String> = structure_outline(input.content_structure, &title_case(kw), &second)
            .into_iter()
            .filter(|p| !is_faq(p) && !out.iter().any(|o| o.eq_ignore_ascii_case(p)))
            .take(MIN_SECTIONS - out.len())
            .collect();
        out.splice(at..at, pad);
    }
    out
}

/// Tries at a longer target when a body (after never-say cuts) falls short of the word range.
const LENGTH_TRIES: usize = 5;

/// A readable Markdown article without an H1: an introduction with the primary keyword, then
/// one `## ` section per outline entry, about `target_words` long (shorter when the sentence
/// stock runs out before a very long target). With a voice, the body honours its word range
/// (written long enough, then shortened a sentence at a time), never says a `never_say`
/// phrase outside the headings, and says each `always_say` phrase.
pub fn article(input: &ContentInput) -> ArticleOutput {
    let v = &input.voice;
    let finish = |mut out: ArticleOutput| {
        out.body_markdown = apply_phrases(&out.body_markdown, &v.always_say, &v.never_say);
        out
    };
    let Some((lo, hi)) = v.words.filter(|(lo, hi)| lo <= hi) else {
        return finish(write(input, input.target_words));
    };
    let (lo, hi) = (lo as usize, hi as usize);
    // Aim at the middle of the range; the stock is deterministic, so each retry is too.
    let mut target = (lo + hi) / 2;
    let mut best = finish(write(input, target as u32));
    for _ in 1..LENGTH_TRIES {
        let n = words(&best.body_markdown);
        if n >= lo {
            break;
        }
        target += (lo - n) + (hi - lo) / 2;
        best = finish(write(input, target as u32));
    }
    if words(&best.body_markdown) > hi {
        best.body_markdown = trim_to(&best.body_markdown, hi, &v.always_say);
    }
    best
}

fn write(input: &ContentInput, target_words: u32) -> ArticleOutput {
    let kw = if input.primary_keyword.trim().is_empty() {
        lower_words(input.title.trim())
    } else {
        input.primary_keyword.trim().to_string()
    };
    let outline = sections(input, &kw);
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let alts: Vec<String> = input
        .secondary_keywords
        .iter()
        .filter(|s| !s.trim().is_empty() && !same(s, &kw))
        .map(|s| s.trim().to_string())
        .collect();
    let mut related: Vec<String> = Vec::new();
    for r in &input.related_keywords {
        if !r.trim().is_empty() && !same(r, &kw) && !related.iter().any(|x| same(x, r)) {
            related.push(r.trim().to_string());
        }
    }
    let mut w = Writer {
        rng: Rng::new(hash(&[&input.title, &kw, input.content_structure.as_str()])),
        kw: &kw,
        alts,
        alt_i: 0,
        seen: BTreeSet::new(),
        general_used: vec![false; GENERAL.len()],
        openers_used: vec![false; OPENERS.len()],
        closers_used: vec![false; CLOSERS.len()],
        checklist_next: 0,
        words: 0,
        kw_count: 0,
    };

    let mut intro = vec![format!(
        "This {} is for readers who want a clear, practical look at {kw}.",
        structure_noun(input.content_structure)
    )];
    let brief = clip(input.brief.trim(), 300);
    if !brief.is_empty() {
        intro.push(if brief.ends_with(['.', '!', '?']) {
            brief
        } else {
            format!("{brief}.")
        });
    }
    match w.alts.as_slice() {
        [] => {}
        [a] => intro.push(format!("It also covers {a}.")),
        [a, b, ..] => intro.push(format!("It also covers {a} and {b}.")),
    }
    intro.push("The sections below go from the basics to the details that matter later, so you can read straight through or jump to the part you need.".into());
    let intro: Vec<String> = intro
        .into_iter()
        .filter_map(|s| w.accept(s.clone(), &s))
        .collect();

    // Only the first FAQ-like heading gets questions (there is one stock of them); any later
    // one is written as prose.
    let faq_at = outline.iter().position(|h| is_faq(h));
    let faq_count = usize::from(faq_at.is_some());
    let prose_sections: Vec<usize> = (0..outline.len()).filter(|&i| Some(i) != faq_at).collect();
    let target = target_words.clamp(300, 10_000) as usize;
    // Checklists (about 25 words in every third section) and FAQs count towards the target.
    let extras = prose_sections.len().div_ceil(3) * 25 + faq_count * 110;
    let per_section =
        (target.saturating_sub(w.words + extras) / prose_sections.len().max(1)).max(40);

    let mut body = String::new();
    // Related keywords are shared out over the prose sections, one sentence each.
    let mut mentions: Vec<Vec<String>> = vec![Vec::new(); outline.len()];
    for (j, r) in related.iter().enumerate() {
        if let Some(&si) = prose_sections.get(j % prose_sections.len().max(1)) {
            let t = RELATED[(j + si) % RELATED.len()];
            mentions[si].push(t.replace("{rel}", r));
        }
    }
    let mut intro = intro;
    if prose_sections.is_empty() {
        // Every heading is an FAQ: the related topics go in the introduction.
        for (j, r) in related.iter().enumerate() {
            intro.push(RELATED[j % RELATED.len()].replace("{rel}", r));
        }
    }
    body.push_str(&intro.join(" "));
    body.push_str("\n\n");

    for (si, heading) in outline.iter().enumerate() {
        body.push_str("## ");
        body.push_str(heading);
        body.push_str("\n\n");
        w.note(heading);
        if Some(si) == faq_at {
            write_faq(&mut w, &mut body);
            continue;
        }
        let mut paragraph: Vec<String> = vec![w.opener(heading)];
        for m in std::mem::take(&mut mentions[si]) {
            if let Some(s) = w.accept(m.clone(), &m) {
                paragraph.push(s);
            }
        }
        let start = w.words;
        let mut section_used = vec![false; SECTION.len()];
        let mut para_len = 3 + w.rng.below(3);
        let mut paragraphs: Vec<String> = Vec::new();
        while w.words - start < per_section {
            let Some(s) = w.body_sentence(heading, &mut section_used) else {
                break;
            };
            paragraph.push(s);
            let words: usize = paragraph.iter().map(|s| s.split_whitespace().count()).sum();
            if paragraph.len() >= para_len || words > PARAGRAPH_SOFT_MAX {
                paragraphs.push(paragraph.join(" "));
                paragraph.clear();
                para_len = 3 + w.rng.below(3);
            }
        }
        if !paragraph.is_empty() {
            paragraphs.push(paragraph.join(" "));
        }
        let checklist = if si % 3 == 1 {
            w.checklist()
        } else {
            Vec::new()
        };
        if checklist.is_empty()
            && si + 1 < outline.len()
            && w.rng.below(2) == 0
            && let Some(last) = paragraphs.last_mut()
            && last.split_whitespace().count() < PARAGRAPH_SOFT_MAX
            && let Some(c) = w.closer()
        {
            last.push(' ');
            last.push_str(&c);
        }
        body.push_str(&paragraphs.join("\n\n"));
        body.push_str("\n\n");
        if !checklist.is_empty() {
            for item in checklist {
                body.push_str("- ");
                body.push_str(&item);
                body.push('\n');
            }
            body.push('\n');
        }
    }
    let body = body.trim_end().to_string() + "\n";
    let topics: Vec<String> = outline
        .iter()
        .filter(|h| !is_faq(h))
        .take(3)
        .map(|h| lower_words(&strip_step(h)))
        .collect();
    ArticleOutput {
        title: input.title.clone(),
        meta_title: meta_title(&input.title, &kw, input.content_structure),
        meta_description: meta_description(
            &kw,
            &topics[..topics.len().min(2)],
            w.alts.first().map(String::as_str),
            input.content_structure,
        ),
        excerpt: excerpt(&kw, &topics, input.content_structure),
        body_markdown: body,
    }
}

/// A lead paragraph, then `### Question?` subheadings each with a short answer.
fn write_faq(w: &mut Writer<'_>, body: &mut String) {
    let topic = faq_topic(w.kw);
    let lead = format!("Short answers to common questions about {}.", w.kw);
    let lead = w.accept(lead.clone(), &lead).unwrap_or(lead);
    body.push_str(&lead);
    body.push_str("\n\n");
    let mut written = 0;
    for (q, a) in FAQ {
        if written == FAQ_ENTRIES {
            break;
        }
        // Filled together so the question and its answer name the same secondary keyword.
        let pair = format!("{q}\n{a}").replace("{kw}", &topic);
        let Some(pair) = w.fill(&pair, "") else {
            continue;
        };
        let Some((q, a)) = pair.split_once('\n') else {
            continue;
        };
        let Some(a) = w.accept(a.to_string(), a) else {
            continue;
        };
        w.note(q);
        body.push_str(&format!("### {}\n\n{a}\n\n", capitalise(q)));
        written += 1;
    }
}
