//! The offline writer and a brand voice: the body lands in the word range, never says a
//! `never_say` phrase outside the headings, says each `always_say` phrase once, and stays
//! deterministic.

use pressroom_domain::ContentStructure;
use pressroom_domain::ai::{ArticleOutput, ContentInput, WriterVoice};
use pressroom_providers::offline::text;

fn input(voice: WriterVoice) -> ContentInput {
    ContentInput {
        title: "The Complete Guide to Trail Running Shoes".into(),
        brief: "Help new trail runners pick their first pair".into(),
        outline: vec![
            "What Is Trail Running?".into(),
            "Why Grip Matters".into(),
            "Step 1: Measure Your Feet".into(),
            "Cushioning and Drop".into(),
            "Waterproof or Breathable?".into(),
            "Frequently Asked Questions".into(),
        ],
        primary_keyword: "trail running shoes".into(),
        secondary_keywords: vec!["running shoes".into(), "waterproof trail shoes".into()],
        content_structure: ContentStructure::Guide,
        target_words: 1500,
        related_keywords: vec!["trail running socks".into()],
        voice,
    }
}

fn write(voice: WriterVoice) -> ArticleOutput {
    let value = serde_json::to_value(input(voice)).unwrap();
    let json = text::generate(pressroom_domain::AiFunction::GenerateContent, &value, "").unwrap();
    serde_json::from_str(&json).unwrap()
}

/// As the pipeline counts them.
fn words(md: &str) -> usize {
    md.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[test]
fn the_body_lands_in_the_word_range() {
    for (lo, hi) in [
        (300, 450),
        (600, 700),
        (900, 1000),
        (1200, 2000),
        (1800, 1900),
    ] {
        let voice = WriterVoice {
            words: Some((lo, hi)),
            ..Default::default()
        };
        let out = write(voice.clone());
        let n = words(&out.body_markdown);
        assert!(
            (lo as usize..=hi as usize).contains(&n),
            "{lo}..{hi}: {n} words"
        );
        assert_eq!(
            write(voice).body_markdown,
            out.body_markdown,
            "deterministic"
        );
        assert!(
            out.body_markdown.matches("\n## ").count() >= 4,
            "sections kept"
        );
    }
}

#[test]
fn never_say_is_cut_and_always_say_is_said_once() {
    let plain = write(WriterVoice::default());
    // Words the stock writer uses, so the test shows they are removed.
    let lower = plain.body_markdown.to_lowercase();
    let never: Vec<String> = ["practical", "budget", "comfort"]
        .into_iter()
        .filter(|w| lower.contains(w))
        .map(String::from)
        .collect();
    assert!(!never.is_empty(), "the stock says none of the test words");
    let always = vec![
        "free returns within 30 days".to_string(),
        "Every pair is tested on real trails.".to_string(),
    ];
    let out = write(WriterVoice {
        words: Some((900, 1300)),
        always_say: always.clone(),
        never_say: never.clone(),
    });
    let prose: String = out
        .body_markdown
        .lines()
        .filter(|l| !l.starts_with("## "))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    for w in &never {
        assert!(!prose.contains(w.as_str()), "{w} still said:\n{prose}");
    }
    for a in &always {
        assert_eq!(
            out.body_markdown.matches(a.trim_end_matches('.')).count(),
            1,
            "{a} once:\n{}",
            out.body_markdown
        );
    }
    let n = words(&out.body_markdown);
    assert!((900..=1300).contains(&n), "{n} words");
}

/// The bounds `BrandVoice::offline_ignores` states hold for this outline: a range below the
/// floor ends as short as the writer can go, one above the ceiling as long.
#[test]
fn out_of_reach_ranges_end_at_the_stated_bounds() {
    use pressroom_domain::voice::{OFFLINE_WORDS_CEILING, OFFLINE_WORDS_FLOOR};
    let n = |lo, hi| {
        words(
            &write(WriterVoice {
                words: Some((lo, hi)),
                ..Default::default()
            })
            .body_markdown,
        )
    };
    assert!(n(100, 150) <= OFFLINE_WORDS_FLOOR as usize);
    assert!(n(3000, 4000) >= OFFLINE_WORDS_CEILING as usize);
}
