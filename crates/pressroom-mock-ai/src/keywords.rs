//! Generated keyword exports for tests and benchmarks at the scale users have: distinct
//! phrases spread over topics the way a real list is (a noun, a modifier, a variant), so
//! clustering makes many clusters of a few keywords each rather than one giant one.

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
const MODIFIERS: [&str; 12] = [
    "best",
    "cheap",
    "lightweight",
    "waterproof",
    "for beginners",
    "for kids",
    "review",
    "vs",
    "how to choose",
    "repair",
    "rental",
    "used",
];

/// A CSV export (`Keyword,Volume`) of `n` distinct keywords.
pub fn csv(n: usize) -> String {
    let mut out = String::with_capacity(n * 32 + 16);
    out.push_str("Keyword,Volume\n");
    for i in 0..n {
        let noun = NOUNS[i % NOUNS.len()];
        let modifier = MODIFIERS[(i / NOUNS.len()) % MODIFIERS.len()];
        let variant = i / (NOUNS.len() * MODIFIERS.len());
        out.push_str(&format!("{modifier} {noun} {variant},{}\n", 10 + i % 500));
    }
    out
}
