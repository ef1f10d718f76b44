//! A keyword's meaningful terms: what two searches for the same thing have in common however
//! they are written.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Words that say how someone searches, not what for: articles, prepositions, question words
/// and the modifiers SEO tools add to every topic ("best", "2026", "near me", "guide").
const IGNORED: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "for",
    "to",
    "in",
    "on",
    "at",
    "with",
    "without",
    "from",
    "by",
    "my",
    "your",
    "our",
    "is",
    "are",
    "do",
    "does",
    "can",
    "i",
    "you",
    "it",
    "its",
    "how",
    "what",
    "which",
    "why",
    "when",
    "where",
    "who",
    "best",
    "top",
    "good",
    "great",
    "cheap",
    "cheapest",
    "affordable",
    "budget",
    "review",
    "reviews",
    "guide",
    "guides",
    "tips",
    "tip",
    "ideas",
    "idea",
    "easy",
    "simple",
    "quick",
    "ultimate",
    "beginner",
    "beginners",
    "near",
    "me",
    "online",
    "way",
    "ways",
    "vs",
    "versus",
    "new",
    "free",
    "list",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// How many of a phrase's words are modifiers or stop words ("best", "how", "2026").
pub fn ignored_words(phrase: &str) -> usize {
    fold(phrase)
        .split_whitespace()
        .filter(|w| IGNORED.contains(w) || w.chars().all(|c| c.is_ascii_digit()))
        .count()
}

fn fold(phrase: &str) -> String {
    phrase
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// The sorted, distinct stems of `phrase`'s meaningful words. Accents are dropped ("crème" is
/// "creme"), case and punctuation folded, years and other bare numbers ignored, stop words and
/// modifiers removed. A phrase of modifiers only ("best 2026") keeps its words, stemmed, so it
/// is never empty unless the phrase has no letters or digits at all.
pub fn terms(phrase: &str) -> Vec<String> {
    let folded = fold(phrase);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let meaningful: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !IGNORED.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let chosen = if meaningful.is_empty() {
        words
    } else {
        meaningful
    };
    let mut out: Vec<String> = chosen
        .iter()
        .map(|w| stemmer().stem(w).into_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::terms;

    #[test]
    fn variants_of_one_search_share_their_terms() {
        let base = terms("descale espresso machine");
        for variant in [
            "Descaling espresso machines",
            "espresso machine descaling",
            "how to descale an espresso machine 2026",
            "best way to descale espresso machine",
        ] {
            assert_eq!(terms(variant), base, "{variant}");
        }
        assert_eq!(terms("Crème Brûlée torch"), terms("creme brulee torches"));
        assert_eq!(terms("best 2026"), vec!["2026", "best"]);
        assert!(terms("!!").is_empty());
    }
}
