//! Ideas: titles, outlines and lengths per content structure.

use super::words::*;
use pressroom_domain::ContentStructure;
use pressroom_domain::ai::{IdeaItem, IdeasInput, IdeasOutput};

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
