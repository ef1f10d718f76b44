//! Small deterministic tools: a stable hash and generator, tokens, title casing, clipping.

/// FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
pub(super) fn hash(parts: &[&str]) -> u64 {
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
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
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
pub(super) fn tokens(phrase: &str) -> Vec<String> {
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| !(w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())))
        .map(|w| stem(&w))
        .collect()
}

pub(super) fn stem(w: &str) -> String {
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
pub(super) fn title_case(s: &str) -> String {
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

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Lower-cases title-cased words ("Measure Your Feet" -> "measure your feet") and keeps
/// acronyms and brands with inner capitals ("SEO", "iPhone").
pub(super) fn lower_words(s: &str) -> String {
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
pub(super) fn clip_title(s: &str, max: usize) -> String {
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
pub(super) fn clip(s: &str, max: usize) -> String {
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
