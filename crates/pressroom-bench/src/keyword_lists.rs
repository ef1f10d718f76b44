//! Keyword lists the clustering benchmarks share: a fixed mixing order, and long lists of
//! distinct keywords made from the labelled ones.

/// Words appended to labelled keywords to make long lists of distinct searches.
const PLACES: &[&str] = &[
    "london",
    "paris",
    "berlin",
    "madrid",
    "rome",
    "dublin",
    "oslo",
    "vienna",
    "prague",
    "lisbon",
    "boston",
    "denver",
    "austin",
    "seattle",
    "chicago",
    "toronto",
    "sydney",
    "perth",
    "auckland",
    "cape town",
];
const EXTRAS: &[&str] = &[
    "kit",
    "set",
    "price",
    "cost",
    "uk",
    "usa",
    "canada",
    "small",
    "large",
    "electric",
    "manual",
    "portable",
    "indoor",
    "outdoor",
    "winter",
    "summer",
    "kids",
    "women",
    "men",
    "pro",
    "mini",
    "diy",
    "professional",
    "organic",
    "vegan",
];

/// `n` distinct keywords: the labelled ones, then the same with places and extra words.
pub fn generate(keywords: &[String], n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let base = &keywords[i % keywords.len()];
            let round = i / keywords.len();
            match round {
                0 => base.clone(),
                r => format!(
                    "{base} {} {}",
                    PLACES[r % PLACES.len()],
                    EXTRAS[(r / PLACES.len()) % EXTRAS.len()]
                ),
            }
        })
        .collect()
}

/// FNV-1a: a fixed, platform-independent mixing order.
pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
