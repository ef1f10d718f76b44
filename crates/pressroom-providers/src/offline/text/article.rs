//! Articles from outlines, sentence by sentence from the phrase tables below, and the image
//! prompts for an article.

use super::ideas::structure_outline;
use super::words::*;
use pressroom_domain::ai::{ArticleOutput, ContentInput, ImagePromptsInput, ImagePromptsOutput};
use std::collections::BTreeSet;

const OPENERS: &[&str] = &[
    "{H}: this is where the practical side of {kw} starts to show.",
    "Here the focus is on one thing: {h}.",
    "Of all the topics around {kw}, this one tends to raise the most questions.",
    "This part is worth reading slowly, because it shapes most of the decisions that follow.",
    "{H} deserves a closer look before going any further.",
    "Many readers skip straight past this point, and it often costs them later.",
];

const PREFIXES: &[&str] = &[
    "",
    "",
    "In practice, ",
    "For most readers, ",
    "As a rule, ",
    "Over time, ",
    "Put simply, ",
    "In our experience, ",
];

const CORES: &[&str] = &[
    "people who look into {kw} want results they can trust, not a long list of promises.",
    "a sensible approach is to start small, note what works, and adjust as you learn.",
    "it helps to write down what you actually need before comparing anything, because {kw} covers a wide range of choices.",
    "budget matters, but so does the time you are willing to spend, and the two rarely balance at first.",
    "{alt} is closely related, and looking at both usually gives a clearer picture.",
    "experienced readers check the basics twice: cost, quality, and how well a choice fits their routine.",
    "there is no single right answer; the best choice depends on your goals and your situation.",
    "a common mistake is to decide too early, before the trade-offs are clear.",
    "small details make the biggest difference with {kw}, especially after the first few weeks.",
    "asking someone who has already made the same decision can save a lot of guesswork.",
    "reviews and recommendations work best as a starting point rather than a final verdict.",
    "it pays to think about how your needs may change over the next year, not only about today.",
    "differences that look minor on paper often turn out to matter once you compare options side by side.",
    "keeping short notes as you go makes the next decision about {alt} much easier.",
    "quality shows itself in use, so give any new approach a fair trial before judging it.",
    "most questions about {kw} come back to the same few fundamentals.",
    "it is easy to overcomplicate {kw}, yet the basics carry most of the value.",
    "a little preparation goes a long way and saves both money and frustration.",
    "testing a choice on a small scale first is cheaper than learning the same lesson late.",
    "clear goals make every later step simpler, from research to the final decision.",
    "{alt} is the natural next step once the basics of {kw} are in place.",
    "the right choice is the one you will actually stick with, even in a busy week.",
    "consistent evidence is worth more than a single impressive claim.",
    "shortcuts that promise everything at once rarely last; steady progress usually wins.",
    "comparing two or three options in the same conditions reveals more than reading about ten.",
    "what works for one reader may not suit another, so treat advice about {kw} as a menu, not a rulebook.",
    "the cheapest option and the best value are rarely the same thing.",
    "a quick checklist keeps the important points about {alt} from slipping through the cracks.",
];

const CLOSERS: &[&str] = &[
    "With that in place, the next section is much easier to follow.",
    "Keep this in mind as you read on, because it comes up again later.",
    "In short, a steady, sensible approach beats a perfect plan that never starts.",
    "That is the core of it; the rest comes with practice.",
    "Get this part right and much of what follows falls into place.",
];

struct Writer<'a> {
    rng: Rng,
    kw: &'a str,
    alts: Vec<String>,
    alt_i: usize,
    used: BTreeSet<(usize, usize)>,
}

impl Writer<'_> {
    fn fill(&mut self, template: &str, heading: &str) -> String {
        let alt = if self.alts.is_empty() {
            self.kw.to_string()
        } else {
            self.alt_i += 1;
            self.alts[self.alt_i % self.alts.len()].clone()
        };
        template
            .replace("{kw}", self.kw)
            .replace("{alt}", &alt)
            .replace("{H}", heading)
            .replace("{h}", &lower_words(&strip_step(heading)))
    }

    /// A body sentence whose (prefix, core) pair has not been used yet while any remain.
    fn body_sentence(&mut self) -> String {
        let total = PREFIXES.len() * CORES.len();
        if self.used.len() >= total {
            self.used.clear();
        }
        let (p, c) = loop {
            let c = self.rng.below(CORES.len());
            let p = self.rng.below(PREFIXES.len());
            // Each core is used once before any repeats, whatever its prefix.
            let core_used = self.used.iter().any(|&(_, uc)| uc == c);
            let all_cores_used =
                (0..CORES.len()).all(|ci| self.used.iter().any(|&(_, uc)| uc == ci));
            if (!core_used || all_cores_used) && !self.used.contains(&(p, c)) {
                break (p, c);
            }
        };
        self.used.insert((p, c));
        let core = self.fill(CORES[c], "");
        if PREFIXES[p].is_empty() {
            capitalise(&core)
        } else {
            format!("{}{}", PREFIXES[p], core)
        }
    }
}

pub(super) fn strip_step(h: &str) -> String {
    let t = h.trim().trim_end_matches('?');
    match t.split_once(": ") {
        Some((pre, rest)) if pre.starts_with("Step ") => rest.to_string(),
        _ => t.to_string(),
    }
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A readable Markdown article: an introduction, then one `## ` section per outline entry
/// with paragraphs of varied sentences, about `target_words` long.
pub fn article(input: &ContentInput) -> ArticleOutput {
    let kw = if input.primary_keyword.trim().is_empty() {
        input.title.to_lowercase()
    } else {
        input.primary_keyword.trim().to_string()
    };
    let outline: Vec<String> = if input.outline.is_empty() {
        structure_outline(input.content_structure, &title_case(&kw), "Related Options")
    } else {
        input.outline.clone()
    };
    let mut w = Writer {
        rng: Rng::new(hash(&[&input.title, &kw, input.content_structure.as_str()])),
        kw: &kw,
        alts: input
            .secondary_keywords
            .iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect(),
        alt_i: 0,
        used: BTreeSet::new(),
    };
    let alts_text = match w.alts.as_slice() {
        [] => String::new(),
        [a] => format!(" Along the way we also cover {a}."),
        [a, b, ..] => format!(" Along the way we also cover {a} and {b}."),
    };
    let intro = format!(
        "{} is written for readers who want a clear, practical look at {kw}. {}{} The sections below go from the basics to the details that matter later, so you can read straight through or jump to the part you need.",
        input.title,
        if input.brief.trim().is_empty() {
            String::new()
        } else {
            let b = input.brief.trim();
            let b = clip(b, 300);
            if b.ends_with(['.', '!', '?']) { format!("{b} ") } else { format!("{b}. ") }
        },
        alts_text.trim_start()
    )
    .replace("  ", " ");
    let excerpt = clip(
        &format!(
            "A practical {} about {kw}: {}.",
            input.content_structure.as_str(),
            outline
                .iter()
                .take(3)
                .map(|h| lower_words(&strip_step(h)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        300,
    );
    let target = input.target_words.clamp(300, 6000) as usize;
    // The checklists (about 30 words in every third section) count towards the target.
    let checklists = outline.len().div_ceil(3) * 30;
    let per_section =
        (target.saturating_sub(word_count(&intro) + checklists) / outline.len().max(1)).max(40);

    let mut body = String::new();
    body.push_str(&intro);
    body.push_str("\n\n");
    for (si, heading) in outline.iter().enumerate() {
        body.push_str("## ");
        body.push_str(heading.trim());
        body.push_str("\n\n");
        let opener = OPENERS[w.rng.below(OPENERS.len())];
        let mut paragraph: Vec<String> = vec![w.fill(opener, heading.trim())];
        let mut words = word_count(&paragraph[0]);
        let mut para_len = 3 + w.rng.below(3);
        loop {
            let s = w.body_sentence();
            words += word_count(&s);
            paragraph.push(s);
            // Stop once the section's share is written, ending on a paragraph of at least
            // two sentences.
            let done = words >= per_section && paragraph.len() >= 2;
            if paragraph.len() >= para_len || done {
                body.push_str(&paragraph.join(" "));
                body.push_str("\n\n");
                paragraph.clear();
                para_len = 3 + w.rng.below(3);
                if done {
                    break;
                }
            }
        }
        // Every third section gets a short checklist, as real articles do.
        let checklist = si % 3 == 1;
        if checklist {
            let items = [
                format!("Be clear about what you need from {kw}."),
                "Compare at least two options under the same conditions.".to_string(),
                format!(
                    "Write down what works, including anything you learn about {}.",
                    w.alts
                        .first()
                        .map(String::as_str)
                        .unwrap_or("related topics")
                ),
            ];
            for i in items {
                body.push_str("- ");
                body.push_str(&i);
                body.push('\n');
            }
            body.push('\n');
        }
        if !checklist && si + 1 < outline.len() && w.rng.below(2) == 0 {
            let c = CLOSERS[w.rng.below(CLOSERS.len())];
            // Attach the closer to the last paragraph rather than leaving it alone.
            if body.ends_with(".\n\n") {
                body.truncate(body.len() - 2);
                body.push(' ');
                body.push_str(c);
                body.push_str("\n\n");
            }
        }
    }
    let body = body.trim_end().to_string() + "\n";
    let topics: Vec<String> = outline
        .iter()
        .take(2)
        .map(|h| lower_words(&strip_step(h)))
        .collect();
    let meta_description = clip(
        &format!(
            "Learn about {kw}: {} and more. A practical {} with advice you can use today.",
            topics.join(", "),
            input.content_structure.as_str()
        ),
        160,
    );
    ArticleOutput {
        title: input.title.clone(),
        meta_title: clip_title(&input.title, 60),
        meta_description,
        excerpt,
        body_markdown: body,
    }
}

// ---------------------------------------------------------------------------------------
// Image prompts

pub fn image_prompts(input: &ImagePromptsInput) -> ImagePromptsOutput {
    let title = input.title.trim();
    let featured_prompt = format!(
        "Editorial photograph for an article titled '{title}': a realistic scene that captures the topic at a glance, natural light, rich detail, balanced composition, no text or lettering."
    );
    let n = input.in_article_count as usize;
    let in_article_prompts = (0..n)
        .map(|i| {
            let heading = if input.headings.is_empty() {
                title.to_string()
            } else {
                strip_step(&input.headings[i % input.headings.len()])
            };
            let framing = [
                "close-up photograph",
                "wide photograph",
                "overhead flat-lay photograph",
                "candid documentary-style photograph",
            ][i % 4];
            format!(
                "A {framing} illustrating '{heading}' for an article about {}: everyday setting, soft natural light, realistic colours, no text or lettering.",
                lower_words(title)
            )
        })
        .collect();
    ImagePromptsOutput {
        featured_prompt,
        in_article_prompts,
    }
}
