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

pub(super) use pressroom_domain::text::{SMALL_WORDS, capitalise, title_case};

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

/// Cuts `s` to at most `max` characters at a word boundary: a word that ends exactly at the
/// limit is kept, and only a single word longer than `max` (nothing else fits) is cut inside.
pub(super) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let end = s.char_indices().nth(max).map(|(i, _)| i).unwrap_or(s.len());
    let head = &s[..end];
    let next_is_space = s[end..].starts_with(char::is_whitespace);
    let cut = if next_is_space {
        end
    } else {
        head.rfind(char::is_whitespace)
            .filter(|&i| i > 0)
            .unwrap_or(end)
    };
    head[..cut]
        .trim_end_matches([' ', ',', ';', ':', '-', '—'])
        .to_string()
}

/// How often `phrase` occurs in `text` as whole words, ignoring case.
pub(super) fn count_phrase(text: &str, phrase: &str) -> usize {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (t, p) = (words(text), words(phrase));
    if p.is_empty() || t.len() < p.len() {
        return 0;
    }
    t.windows(p.len()).filter(|w| *w == p.as_slice()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_never_cuts_inside_a_word() {
        let s = "Trail running shoes for muddy winter races";
        for max in 5..s.len() {
            let c = clip(s, max);
            assert!(c.chars().count() <= max, "{c:?} over {max}");
            assert!(
                s.split(' ').any(|w| c.ends_with(w)) && s.starts_with(&c),
                "{c:?} ends mid-word"
            );
        }
        assert_eq!(
            clip(s, 19),
            "Trail running shoes",
            "a word ending at the limit stays"
        );
        assert_eq!(
            clip_title("Shoes for Beginners and Racers", 24),
            "Shoes for Beginners"
        );
    }

    #[test]
    fn phrases_are_counted_as_whole_words() {
        let t = "Trail running shoes, trail-running shoes and trail running shoestrings.";
        assert_eq!(count_phrase(t, "trail running shoes"), 2);
        assert_eq!(count_phrase(t, "running"), 3);
        assert_eq!(count_phrase(t, ""), 0);
    }
}
