//! The offline text generator: clusters, ideas, articles and image prompts built from the
//! keywords and outlines alone, with no model. Deterministic: the same input gives the same
//! bytes (no hash-map iteration, no clock, a fixed seeded generator).

use pressroom_domain::ContentStructure;
use pressroom_domain::ai::{
    ArticleOutput, ClusterInput, ClusterItem, ClusterOutput, ContentInput, IdeaItem, IdeasInput,
    IdeasOutput, ImagePromptsInput, ImagePromptsOutput,
};
use pressroom_domain::{AiFunction, template::read_bullets};
use std::collections::{BTreeMap, BTreeSet};

/// Why the offline generator could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("offline text generator: {0}")]
pub struct OfflineTextError(pub String);

/// The JSON text of the output struct for `function`, built from `input` (the structured
/// input, as JSON) or, when that is `Null` or does not match, from the `- ` bullet lines of
/// `prompt`.
pub fn generate(
    function: AiFunction,
    input: &serde_json::Value,
    prompt: &str,
) -> Result<String, OfflineTextError> {
    let json = match function {
        AiFunction::AutoCluster => {
            let input =
                serde_json::from_value::<ClusterInput>(input.clone()).unwrap_or_else(|_| {
                    ClusterInput {
                        keywords: last_bullet_block(prompt),
                    }
                });
            to_json(&cluster(&input))
        }
        AiFunction::GenerateIdeas => {
            let input = serde_json::from_value::<IdeasInput>(input.clone())
                .unwrap_or_else(|_| ideas_input_from_prompt(prompt));
            to_json(&ideas(&input))
        }
        AiFunction::GenerateContent => {
            let input = serde_json::from_value::<ContentInput>(input.clone())
                .unwrap_or_else(|_| content_input_from_prompt(prompt));
            to_json(&article(&input))
        }
        AiFunction::GenerateImagePrompts => {
            let input = serde_json::from_value::<ImagePromptsInput>(input.clone())
                .unwrap_or_else(|_| image_prompts_input_from_prompt(prompt));
            to_json(&image_prompts(&input))
        }
        AiFunction::GenerateImage => {
            return Err(OfflineTextError(
                "generate-image is answered by an image provider, not a text one".into(),
            ));
        }
    };
    json.map_err(|e| OfflineTextError(e.to_string()))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(v)
}

// ---------------------------------------------------------------------------------------
// Small deterministic tools

/// FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// SplitMix64, seeded from the input text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with", "from", "is",
    "are", "be", "was", "how", "what", "why", "when", "where", "which", "who", "best", "top", "vs",
    "versus", "near", "me", "my", "your", "you", "i", "do", "does", "can", "should", "it", "its",
    "this", "that", "these", "those", "cheap", "free", "online", "buy", "guide", "review",
    "reviews", "good", "new", "use", "using", "about", "without", "into", "than", "more", "most",
    "under", "over", "le", "la", "les", "de", "der", "die", "das", "und", "el", "los", "y",
];

/// Significant tokens of a phrase: lower-cased, stop words dropped, plurals folded.
fn tokens(phrase: &str) -> Vec<String> {
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| !(w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())))
        .map(|w| stem(&w))
        .collect()
}

fn stem(w: &str) -> String {
    let n = w.chars().count();
    if n > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with", "vs", "from",
    "as",
];

/// "best running shoes for women" -> "Best Running Shoes for Women". Words that already
/// carry capitals (brands, acronyms) are kept as written.
fn title_case(s: &str) -> String {
    s.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            if w.chars().any(char::is_uppercase) {
                return w.to_string();
            }
            if i > 0 && SMALL_WORDS.contains(&w) {
                return w.to_string();
            }
            capitalise(w)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Lower-cases title-cased words ("Measure Your Feet" -> "measure your feet") and keeps
/// acronyms and brands with inner capitals ("SEO", "iPhone").
fn lower_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.chars().skip(1).any(char::is_uppercase) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Like [`clip`], and drops dangling small words ("... Beginners and").
fn clip_title(s: &str, max: usize) -> String {
    let mut t = clip(s, max);
    while let Some((head, last)) = t.rsplit_once(' ') {
        if SMALL_WORDS.contains(&last.to_lowercase().as_str()) {
            t = head
                .trim_end_matches([',', ':', ';', '-', '—', ' '])
                .to_string();
        } else {
            break;
        }
    }
    t
}

/// Cuts `s` to at most `max` characters at a word boundary.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let end = s.char_indices().nth(max).map(|(i, _)| i).unwrap_or(s.len());
    let head = &s[..end];
    let cut = head.rfind(' ').filter(|&i| i > 0).unwrap_or(end);
    head[..cut]
        .trim_end_matches([' ', ',', ';', ':', '-', '—'])
        .to_string()
}

// ---------------------------------------------------------------------------------------
// Clusters

const MAX_CLUSTER: usize = 10;
const JOIN_THRESHOLD_PCT: usize = 25;

struct Draft {
    members: Vec<usize>,
    counts: BTreeMap<String, usize>,
}

impl Draft {
    /// Tokens shared by at least half the members: what the cluster is about.
    fn core(&self) -> BTreeSet<&str> {
        let n = self.members.len();
        self.counts
            .iter()
            .filter(|(_, c)| **c * 2 >= n)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    fn add(&mut self, idx: usize, toks: &BTreeSet<String>) {
        self.members.push(idx);
        for t in toks {
            *self.counts.entry(t.clone()).or_default() += 1;
        }
    }
}

/// Jaccard similarity in whole percent (integers keep the result platform-independent).
fn jaccard_pct(a: &BTreeSet<String>, b: &BTreeSet<&str>) -> usize {
    let inter = a.iter().filter(|t| b.contains(t.as_str())).count();
    let union = a.len() + b.len() - inter;
    (inter * 100).checked_div(union).unwrap_or(0)
}

/// Lexical clustering: each keyword joins the cluster whose core tokens it overlaps most
/// (Jaccard >= 25%), central keywords (sharing tokens with many others) seeding clusters
/// first. Every keyword lands in exactly one cluster, copied exactly as given.
pub fn cluster(input: &ClusterInput) -> ClusterOutput {
    let mut seen = BTreeSet::new();
    let keywords: Vec<&str> = input
        .keywords
        .iter()
        .map(|k| k.as_str())
        .filter(|k| !k.trim().is_empty() && seen.insert(k.to_string()))
        .collect();
    let toks: Vec<BTreeSet<String>> = keywords
        .iter()
        .map(|k| tokens(k).into_iter().collect())
        .collect();
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &toks {
        for w in t {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut order: Vec<usize> = (0..keywords.len()).collect();
    let centrality = |i: usize| toks[i].iter().map(|w| df[w.as_str()]).sum::<usize>();
    order.sort_by_key(|&i| (std::cmp::Reverse(centrality(i)), i));

    let mut drafts: Vec<Draft> = Vec::new();
    for &i in &order {
        let best = drafts
            .iter()
            .enumerate()
            .filter(|(_, d)| d.members.len() < MAX_CLUSTER)
            .map(|(ci, d)| (jaccard_pct(&toks[i], &d.core()), ci))
            .filter(|(score, _)| *score >= JOIN_THRESHOLD_PCT)
            .max_by_key(|&(score, ci)| (score, std::cmp::Reverse(ci)));
        match best {
            Some((_, ci)) => drafts[ci].add(i, &toks[i]),
            None => {
                let mut d = Draft {
                    members: vec![],
                    counts: BTreeMap::new(),
                };
                d.add(i, &toks[i]);
                drafts.push(d);
            }
        }
    }
    // Singletons with any shared token join the closest cluster that has room.
    let mut merged: Vec<Draft> = Vec::new();
    let (singles, groups): (Vec<Draft>, Vec<Draft>) =
        drafts.into_iter().partition(|d| d.members.len() == 1);
    merged.extend(groups);
    for s in singles {
        let i = s.members[0];
        let target = merged
            .iter()
            .enumerate()
            .filter(|(_, d)| d.members.len() < MAX_CLUSTER)
            .map(|(ci, d)| {
                let all: BTreeSet<&str> = d.counts.keys().map(|k| k.as_str()).collect();
                (jaccard_pct(&toks[i], &all), ci)
            })
            .filter(|(score, _)| *score > 0)
            .max_by_key(|&(score, ci)| (score, std::cmp::Reverse(ci)));
        match target {
            Some((_, ci)) => merged[ci].add(i, &toks[i]),
            None => merged.push(s),
        }
    }
    for d in &mut merged {
        d.members.sort_unstable();
    }
    merged.sort_by_key(|d| d.members[0]);

    let mut names = BTreeSet::new();
    let clusters = merged
        .iter()
        .map(|d| {
            let base = cluster_name(d, &keywords, &toks);
            let mut name = base.clone();
            let mut n = 2;
            while !names.insert(name.to_lowercase()) {
                name = format!("{base} {n}");
                n += 1;
            }
            let kws: Vec<String> = d.members.iter().map(|&i| keywords[i].to_string()).collect();
            ClusterItem {
                description: cluster_description(&name, &kws),
                name,
                keywords: kws,
            }
        })
        .collect();
    ClusterOutput { clusters }
}

fn cluster_name(d: &Draft, keywords: &[&str], toks: &[BTreeSet<String>]) -> String {
    let core = d.core();
    // The member that best represents the cluster: most weight in shared tokens, then
    // shortest, then first.
    let rep = d
        .members
        .iter()
        .copied()
        .max_by_key(|&i| {
            let weight: usize = toks[i].iter().map(|t| d.counts[t]).sum();
            (
                weight,
                std::cmp::Reverse(toks[i].len()),
                std::cmp::Reverse(i),
            )
        })
        .unwrap_or(d.members[0]);
    let words: Vec<&str> = keywords[rep]
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let mut picked: Vec<&str> = Vec::new();
    for w in &words {
        let t = stem(&w.to_lowercase());
        if core.contains(t.as_str()) && !picked.iter().any(|p| stem(&p.to_lowercase()) == t) {
            picked.push(w);
        }
    }
    let text = if picked.is_empty() || d.members.len() == 1 {
        keywords[rep].trim().to_string()
    } else {
        picked.join(" ")
    };
    clip(&title_case(&text), 80)
}

fn cluster_description(name: &str, kws: &[String]) -> String {
    let topic = lower_words(name);
    match kws {
        [] => format!("Searches about {topic}."),
        [one] => format!("Searches about {topic}, such as \"{one}\"."),
        [a, b] => format!("Searches about {topic}, such as \"{a}\" and \"{b}\"."),
        [a, b, rest @ ..] => format!(
            "Searches about {topic}, such as \"{a}\", \"{b}\" and {} more.",
            rest.len()
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Ideas

fn structure_title(s: ContentStructure, p: &str, i: usize) -> String {
    match s {
        ContentStructure::Article => format!("{p}: What It Is and Why It Matters"),
        ContentStructure::Guide => format!("The Complete Guide to {p}"),
        ContentStructure::Listicle => format!("{} Practical Tips for {p}", 7 + i % 5),
        ContentStructure::Comparison => format!("{p} Compared: How to Pick the Right Option"),
        ContentStructure::HowTo => format!("How to Get Started with {p}"),
        ContentStructure::Review => format!("{p} Reviewed: What Works and What Does Not"),
    }
}

fn structure_outline(s: ContentStructure, p: &str, s1: &str) -> Vec<String> {
    let v: &[&str] = match s {
        ContentStructure::Guide => &[
            "What Is {P}?",
            "Why {P} Matters",
            "Key Terms to Know",
            "How to Choose the Right Approach",
            "{S} Explained",
            "Getting Started Step by Step",
            "Common Mistakes to Avoid",
            "Frequently Asked Questions",
        ],
        ContentStructure::HowTo => &[
            "What You Need Before You Start",
            "Step 1: Set a Clear Goal",
            "Step 2: Compare Your Options",
            "Step 3: Put {P} into Practice",
            "Step 4: Check Your Results",
            "Troubleshooting Common Problems",
            "Next Steps with {S}",
        ],
        ContentStructure::Listicle => &[
            "Why These Tips Matter",
            "Start with the Basics of {P}",
            "Plan Around Your Budget",
            "Learn from {S}",
            "Keep It Simple",
            "Track What Works",
            "Final Checklist",
        ],
        ContentStructure::Comparison => &[
            "What to Compare First",
            "{P} at a Glance",
            "{P} vs {S}",
            "Cost and Value",
            "Ease of Use",
            "Which Option Fits Which Reader",
            "Our Verdict",
        ],
        ContentStructure::Review => &[
            "First Impressions",
            "Who {P} Is For",
            "What We Liked",
            "What Could Be Better",
            "How It Compares with {S}",
            "Value for Money",
            "Final Verdict",
        ],
        ContentStructure::Article => &[
            "Introduction to {P}",
            "A Short Background",
            "How {P} Works in Practice",
            "Where {S} Fits In",
            "Benefits and Drawbacks",
            "Practical Tips",
            "Looking Ahead",
            "Key Takeaways",
        ],
    };
    v.iter()
        .map(|h| h.replace("{P}", p).replace("{S}", s1))
        .collect()
}

fn target_words(s: ContentStructure) -> u32 {
    match s {
        ContentStructure::Guide => 1800,
        ContentStructure::Comparison => 1500,
        ContentStructure::HowTo => 1400,
        ContentStructure::Listicle => 1300,
        ContentStructure::Article | ContentStructure::Review => 1200,
    }
}

/// 3-7 ideas (within the requested min/max), each on its own primary keyword and structure,
/// with a 7-8 section outline.
pub fn ideas(input: &IdeasInput) -> IdeasOutput {
    let mut keywords: Vec<String> = Vec::new();
    for k in &input.keywords {
        if !k.trim().is_empty() && !keywords.contains(k) {
            keywords.push(k.clone());
        }
    }
    if keywords.is_empty() {
        keywords.push(input.cluster_name.to_lowercase());
    }
    let lo = input.min_ideas.max(1);
    let hi = input.max_ideas.max(lo);
    let n = (keywords.len() as u32).clamp(3, 7).clamp(lo, hi) as usize;
    let offset = hash(&[&input.cluster_name]) as usize % ContentStructure::ALL.len();
    let k = keywords.len();
    let ideas = (0..n)
        .map(|i| {
            let primary = keywords[i % k].clone();
            let secondary: Vec<String> = (1..k)
                .map(|j| keywords[(i + j) % k].clone())
                .filter(|s| *s != primary)
                .take(3)
                .collect();
            let structure = ContentStructure::ALL[(offset + i) % ContentStructure::ALL.len()];
            let p = title_case(&primary);
            let s1 = secondary
                .first()
                .map(|s| title_case(s))
                .unwrap_or_else(|| "Related Options".to_string());
            let description = match secondary.as_slice() {
                [] => format!(
                    "A {} that helps readers understand {primary} and make a confident choice.",
                    structure.as_str()
                ),
                [a] => format!(
                    "A {} that helps readers understand {primary}, with notes on {a}.",
                    structure.as_str()
                ),
                [a, b, ..] => format!(
                    "A {} that helps readers understand {primary}, with notes on {a} and {b}.",
                    structure.as_str()
                ),
            };
            IdeaItem {
                title: structure_title(structure, &p, i),
                description,
                content_structure: structure,
                outline: structure_outline(structure, &p, &s1),
                primary_keyword: primary,
                secondary_keywords: secondary,
                target_words: target_words(structure),
            }
        })
        .collect();
    IdeasOutput { ideas }
}

// ---------------------------------------------------------------------------------------
// Articles

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

fn strip_step(h: &str) -> String {
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

// ---------------------------------------------------------------------------------------
// Reading inputs back out of rendered prompts (the default templates)

/// The last run of `- item` lines: templates put the list last (`Keywords:`, `Outline:`).
fn last_bullet_block(prompt: &str) -> Vec<String> {
    let lines: Vec<&str> = prompt.lines().collect();
    let is_bullet = |l: &str| l.trim_start().starts_with("- ");
    let Some(last) = lines.iter().rposition(|l| is_bullet(l)) else {
        return Vec::new();
    };
    let mut first = last;
    while first > 0 && is_bullet(lines[first - 1]) {
        first -= 1;
    }
    read_bullets(&lines[first..=last].join("\n"))
}

/// Text between `start` and the next `end` (after `start`).
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    let to = rest.find(end)?;
    Some(rest[..to].trim()).filter(|s| !s.is_empty())
}

fn number_after(text: &str, start: &str) -> Option<u32> {
    let from = text.find(start)? + start.len();
    let digits: String = text[from..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn ideas_input_from_prompt(prompt: &str) -> IdeasInput {
    let keywords = last_bullet_block(prompt);
    let cluster_name = between(prompt, "topic cluster '", "'")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let out = cluster(&ClusterInput {
                keywords: keywords.clone(),
            });
            out.clusters
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "Topic".into())
        });
    let min_ideas = number_after(prompt, "Propose").unwrap_or(3);
    let max_ideas = between(prompt, &format!("Propose {min_ideas} to "), " ")
        .and_then(|s| s.parse().ok())
        .unwrap_or(min_ideas.max(5));
    IdeasInput {
        cluster_name,
        cluster_description: String::new(),
        keywords,
        min_ideas,
        max_ideas,
    }
}

fn content_input_from_prompt(prompt: &str) -> ContentInput {
    let outline = last_bullet_block(prompt);
    let title = between(prompt, "titled '", "' for the site")
        .or_else(|| between(prompt, "titled '", "'"))
        .map(str::to_string)
        .or_else(|| outline.first().cloned())
        .unwrap_or_else(|| "Untitled".into());
    let primary_keyword = between(prompt, "primary keyword '", "' naturally")
        .or_else(|| between(prompt, "primary keyword '", "'"))
        .map(str::to_string)
        .unwrap_or_else(|| title.to_lowercase());
    let secondary_keywords = between(prompt, "where they fit: ", ".\n")
        .map(|s| {
            s.split(',')
                .map(|k| k.trim().trim_start_matches("- ").to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let content_structure = between(prompt, "Write a ", " titled")
        .or_else(|| between(prompt, "Write an ", " titled"))
        .and_then(|s| ContentStructure::parse(s).ok())
        .unwrap_or(ContentStructure::Article);
    let target_words = number_after(prompt, "about ").unwrap_or(1200);
    let brief = between(prompt, "Brief: ", "\n").unwrap_or("").to_string();
    ContentInput {
        title,
        brief,
        outline,
        primary_keyword,
        secondary_keywords,
        content_structure,
        target_words,
    }
}

fn image_prompts_input_from_prompt(prompt: &str) -> ImagePromptsInput {
    let headings = last_bullet_block(prompt);
    let title = between(prompt, "for the article '", "' on the site")
        .or_else(|| between(prompt, "for the article '", "'"))
        .map(str::to_string)
        .or_else(|| headings.first().cloned())
        .unwrap_or_else(|| "Untitled".into());
    let in_article_count =
        number_after(prompt, "featured image prompt and ").unwrap_or(headings.len().min(8) as u32);
    let excerpt = between(prompt, "Summary: ", "\n").unwrap_or("").to_string();
    ImagePromptsInput {
        title,
        excerpt,
        headings,
        in_article_count,
    }
}
