//! Generated keyword exports for tests and benchmarks at the scale users have: distinct
//! searches for many distinct things (product models of a few dozen nouns), some written two
//! ways, so clustering makes many clusters of one or two keywords rather than a few giant ones.

const NOUNS: [&str; 24] = [
    "kayak",
    "tent",
    "lantern",
    "hammock",
    "compass",
    "backpack",
    "stove",
    "sleeping bag",
    "water filter",
    "headlamp",
    "trekking pole",
    "rain jacket",
    "camp chair",
    "cooler",
    "fishing rod",
    "bike helmet",
    "climbing rope",
    "ski goggles",
    "snowshoe",
    "paddle",
    "dry bag",
    "multitool",
    "binoculars",
    "trail map",
];
/// Two-letter syllables that make product-model names ("kalomi"): fixed length, so every
/// number has its own name.
const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ra", "ve", "to", "si", "bu", "da", "no", "pe", "qu", "zu", "fe", "ga", "ho",
    "ji", "mu", "te", "vo",
];

/// The made-up model name of search intent `j`: three syllables or more, distinct per `j`.
fn model_name(mut j: usize) -> String {
    let mut name = String::new();
    for _ in 0..3 {
        name.push_str(SYLLABLES[j % SYLLABLES.len()]);
        j /= SYLLABLES.len();
    }
    while j > 0 {
        name.push_str(SYLLABLES[j % SYLLABLES.len()]);
        j /= SYLLABLES.len();
    }
    name
}

/// A CSV export (`Keyword,Volume`) of `n` distinct keywords searching for `n * 3 / 4` distinct
/// things (a product model of one of the nouns): every fourth keyword is the "best …"
/// variant of the one before, as real lists hold one search written several ways.
pub fn csv(n: usize) -> String {
    let mut out = String::with_capacity(n * 32 + 16);
    out.push_str("Keyword,Volume\n");
    for i in 0..n {
        let intent = i - (i + 1) / 4;
        let noun = NOUNS[intent % NOUNS.len()];
        let name = model_name(intent);
        let phrase = if i % 4 == 3 {
            format!("best {name} {noun}")
        } else {
            format!("{name} {noun}")
        };
        out.push_str(&format!("{phrase},{}\n", 10 + i % 500));
    }
    out
}

/// How many distinct search intents `csv(n)` holds.
pub fn intents(n: usize) -> usize {
    n - n / 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keywords_are_distinct_and_intents_counted() {
        let text = csv(2_000);
        let phrases: HashSet<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(phrases.len(), 2_000);
        assert_eq!(
            phrases.iter().filter(|p| p.starts_with("best ")).count(),
            500
        );
        assert_eq!(intents(2_000), 1_500);
    }
}
