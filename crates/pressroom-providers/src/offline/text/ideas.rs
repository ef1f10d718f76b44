//! Ideas: titles, outlines and lengths per content structure.

use super::words::*;
use pressroom_domain::ContentStructure;
use pressroom_domain::ai::{IdeaItem, IdeasInput, IdeasOutput};

/// A title written from the keyword itself: a question stays a question, "best X" is a list
/// of picks, "X vs Y" a comparison; words the keyword already says ("guide", "tips",
/// "review") are not said twice.
fn title_for(primary: &str, i: usize) -> (ContentStructure, String) {
    let lower = primary.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let p = title_case(primary);
    let first = words.first().copied().unwrap_or("");
    let has = |w: &str| words.contains(&w);
    if lower.starts_with("how to ") {
        return (ContentStructure::HowTo, p);
    }
    if [
        "what", "why", "when", "which", "who", "is", "are", "can", "does", "do", "should",
    ]
    .contains(&first)
    {
        return (
            ContentStructure::Article,
            format!("{}?", p.trim_end_matches('?')),
        );
    }
    if has("vs") || has("versus") {
        return (
            ContentStructure::Comparison,
            format!("{p}: Which Should You Choose?"),
        );
    }
    if has("review") || has("reviews") {
        return (ContentStructure::Review, format!("{p}: Is It Worth It?"));
    }
    if lower.starts_with("best time ") || lower.starts_with("best way ") {
        return (ContentStructure::Article, p);
    }
    if first == "best" || first == "top" {
        return (
            ContentStructure::Listicle,
            format!("{p}: What to Look For and How to Choose"),
        );
    }
    if has("guide") {
        return (ContentStructure::Guide, p);
    }
    if has("tips") || has("ideas") || has("mistakes") {
        return (
            ContentStructure::Listicle,
            format!("{p} That Make a Difference"),
        );
    }
    if has("beginners") || has("beginner") {
        return (ContentStructure::Guide, format!("{p}: Where to Start"));
    }
    let written = [
        (
            ContentStructure::Guide,
            format!("{p}: Everything You Need to Know"),
        ),
        (
            ContentStructure::HowTo,
            format!("How to Choose the Right {p}"),
        ),
        (
            ContentStructure::Article,
            format!("{p}: What Matters and Why"),
        ),
        (
            ContentStructure::Listicle,
            format!("{} Things to Know About {p}", 5 + i % 5),
        ),
    ];
    let pick = (hash(&[&lower]) as usize + i) % written.len();
    written[pick].clone()
}

pub(super) fn structure_outline(s: ContentStructure, p: &str, s1: &str) -> Vec<String> {
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
            "How to Decide",
        ],
        ContentStructure::Review => &[
            "Overview",
            "Who {P} Is For",
            "Strengths",
            "Weaknesses",
            "How It Compares with {S}",
            "Value for Money",
            "Final Thoughts",
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

/// One idea per keyword the caller offers first, up to `max_ideas` (the pipeline puts the
/// primary keyword of each search intent first); the keywords after those are shared out as
/// secondary keywords. Titles are written from the keyword ([`title_for`]).
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
    let hi = input.max_ideas.max(input.min_ideas).max(1) as usize;
    let n = keywords.len().min(hi);
    let rest = &keywords[n..];
    let ideas = (0..n)
        .map(|i| {
            let primary = keywords[i].clone();
            let secondary: Vec<String> = rest
                .iter()
                .enumerate()
                .filter(|(j, _)| j % n == i)
                .map(|(_, s)| s.clone())
                .take(3)
                .collect();
            let (structure, title) = title_for(&primary, i);
            let p = title_case(&primary);
            let s1 = secondary
                .first()
                .map(|s| title_case(s))
                .unwrap_or_else(|| "Related Options".to_string());
            let kind = match structure {
                ContentStructure::Article => "An article",
                ContentStructure::Guide => "A guide",
                ContentStructure::HowTo => "A how-to guide",
                ContentStructure::Listicle => "A list article",
                ContentStructure::Comparison => "A comparison",
                ContentStructure::Review => "A review",
            };
            let description = match secondary.as_slice() {
                [] => format!(
                    "{kind} that helps readers understand {primary} and make a confident choice."
                ),
                [a] => {
                    format!("{kind} that helps readers understand {primary}, with notes on {a}.")
                }
                [a, b, ..] => format!(
                    "{kind} that helps readers understand {primary}, with notes on {a} and {b}."
                ),
            };
            IdeaItem {
                title,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_written_from_the_keyword_not_templated_around_it() {
        let cases = [
            (
                "how to descale an espresso machine",
                "How to Descale an Espresso Machine",
            ),
            (
                "what is a creme brulee torch",
                "What Is a Creme Brulee Torch?",
            ),
            ("sourdough starter guide", "Sourdough Starter Guide"),
            (
                "best trail running shoes",
                "Best Trail Running Shoes: What to Look For and How to Choose",
            ),
            ("kindle vs kobo", "Kindle vs Kobo: Which Should You Choose?"),
        ];
        for (keyword, title) in cases {
            assert_eq!(title_for(keyword, 0).1, title);
        }
        // No title says a word of the keyword's twice ("Guide to X Guide").
        for keyword in [
            "espresso guide",
            "houseplant tips",
            "tent review",
            "trail running shoes",
            "creme brulee torch",
        ] {
            for i in 0..4 {
                let title = title_for(keyword, i).1.to_lowercase();
                for w in keyword.split_whitespace() {
                    let n = title
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|t| *t == w)
                        .count();
                    assert_eq!(n, 1, "{title:?} repeats {w:?}");
                }
            }
        }
    }

    #[test]
    fn one_idea_per_offered_primary_up_to_the_maximum() {
        let input = IdeasInput {
            cluster_name: "Espresso".into(),
            cluster_description: String::new(),
            keywords: vec![
                "descale espresso machine".into(),
                "best espresso descaler".into(),
                "espresso descaling".into(),
            ],
            min_ideas: 1,
            max_ideas: 2,
        };
        let out = ideas(&input);
        assert_eq!(out.ideas.len(), 2);
        assert_eq!(out.ideas[0].primary_keyword, "descale espresso machine");
        assert_eq!(out.ideas[1].primary_keyword, "best espresso descaler");
        assert_eq!(
            out.ideas[0].secondary_keywords,
            vec!["espresso descaling".to_string()]
        );
    }
}
