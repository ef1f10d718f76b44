use super::*;

fn n(s: &str) -> usize {
    s.chars().count()
}

#[test]
fn shorten_keeps_short_text_and_collapses_whitespace() {
    assert_eq!(shorten("  Brew  better\ncoffee ", 60), "Brew better coffee");
    assert_eq!(shorten("", 10), "");
}

#[test]
fn shorten_prefers_a_sentence_ending_past_half() {
    let text = "The French press makes rich coffee. It needs a coarse grind and four minutes.";
    // The first sentence (35 chars) ends past half of 60.
    assert_eq!(shorten(text, 60), "The French press makes rich coffee.");
    // Not past half of 75: whole words instead.
    let s = shorten(text, 75);
    assert_eq!(
        s,
        "The French press makes rich coffee. It needs a coarse grind and four"
    );
    assert!(n(&s) <= 75);
}

#[test]
fn shorten_trims_dangling_punctuation_and_function_words() {
    assert_eq!(
        shorten("Grind, bloom, steep; press with the plunger slowly", 30),
        "Grind, bloom, steep; press"
    );
    assert_eq!(
        shorten("Coffee basics - a guide to brewing well", 16),
        "Coffee basics"
    );
    assert_eq!(
        shorten("Tips and tricks for the perfect cup every day", 29),
        "Tips and tricks"
    );
    assert_eq!(shorten("Wait... then pour the water now please", 8), "Wait");
}

#[test]
fn shorten_never_cuts_mid_word_including_unicode() {
    let text = "Crème brûlée façon grand-mère, très délicieuse évidemment";
    for max in 0..=n(text) {
        let s = shorten(text, max);
        assert!(n(&s) <= max, "{max}: {s}");
        let words: Vec<&str> = text
            .split_whitespace()
            .map(|w| w.trim_end_matches(','))
            .collect();
        for w in s.split_whitespace().map(|w| w.trim_end_matches(',')) {
            assert!(
                words.contains(&w),
                "{max}: {w:?} is not a whole word of the text"
            );
        }
    }
    assert_eq!(shorten("Supercalifragilistic", 10), "");
    assert_eq!(shorten("日本語の文章 です", 7), "日本語の文章");
}

#[test]
fn meta_title_uses_the_candidate_when_it_fits() {
    let c = "French Press Coffee: A Simple Guide";
    assert_eq!(fit_meta_title(c, "Other title", "french press"), c);
}

#[test]
fn meta_title_boundary_60_and_61_characters() {
    let c60 = format!("french press {}", "x".repeat(47));
    assert_eq!(n(&c60), 60);
    assert_eq!(fit_meta_title(&c60, "Title", "french press"), c60);
    let c61 = format!("french press {}", "x".repeat(48));
    let t = "French Press Basics";
    assert_eq!(fit_meta_title(&c61, t, "french press"), t);
}

#[test]
fn meta_title_falls_back_to_title_then_shortened_then_keyword() {
    // Candidate lacks the keyword: the title.
    assert_eq!(
        fit_meta_title(
            "A Simple Guide to Coffee",
            "French Press Guide",
            "french press"
        ),
        "French Press Guide"
    );
    // Both too long, the candidate keeps the keyword when shortened.
    let long = "French press coffee at home: the complete guide to grind, ratio, water and time";
    let t = fit_meta_title(long, long, "french press");
    assert!(
        n(&t) <= 60 && t.starts_with("French press coffee at home"),
        "{t}"
    );
    // The keyword is nowhere: built from it.
    let t = fit_meta_title(
        "How to brew",
        "How to brew better coffee in the morning",
        "french press",
    );
    assert_eq!(t, "French Press: How to brew better coffee in the morning");
    let t = fit_meta_title(
        "x",
        "A very long title about brewing methods that goes on and on and on",
        "french press",
    );
    assert!(
        t.starts_with("French Press: A very long") && n(&t) <= 60,
        "{t}"
    );
}

#[test]
fn meta_title_is_the_keyword_alone_when_nothing_else_fits() {
    let kw = "best french press for camping trips with the whole family";
    let t = fit_meta_title("", "Incomprehensibilities", kw);
    assert_eq!(
        t,
        "Best French Press for Camping Trips with the Whole Family"
    );
    assert_eq!(fit_meta_title("", "", ""), "");
    assert_eq!(fit_meta_title("", "Only a title", ""), "Only a title");
}

const MORE: &str = "A French press brews full-bodied coffee with little equipment. Use a coarse grind and water just off the boil. Steep four minutes, then press slowly and pour at once.";

#[test]
fn meta_description_in_range_is_kept() {
    let d = format!("{} coffee.", "Brew great".repeat(12));
    assert!((120..=160).contains(&n(&d)));
    assert_eq!(fit_meta_description(&d, &[MORE]), d);
}

#[test]
fn meta_description_too_long_is_cut_at_a_word_boundary_in_range() {
    let long = format!("{MORE} {MORE}");
    let d = fit_meta_description(&long, &[]);
    assert!((120..=160).contains(&n(&d)), "{} {d}", n(&d));
    assert!(long.starts_with(&d));
    assert!(!d.ends_with(',') && !d.ends_with("..."));
}

#[test]
fn meta_description_too_short_is_lengthened_with_whole_sentences() {
    let d = fit_meta_description("How to brew French press coffee", &[MORE]);
    assert_eq!(
        d,
        "How to brew French press coffee. A French press brews full-bodied coffee with little equipment. Use a coarse grind and water just off the boil."
    );
    assert!((120..=160).contains(&n(&d)));
}

#[test]
fn meta_description_fills_with_words_when_the_next_sentence_is_too_long() {
    let more = "This single sentence about grinding beans, heating water, steeping, pressing and serving runs on far too long to fit into what remains of the limit at all.";
    let d = fit_meta_description(
        "French press coffee, step by step, for beginners at home.",
        &[more],
    );
    assert!((120..=160).contains(&n(&d)), "{} {d}", n(&d));
    assert!(d.ends_with('.'));
    assert!(d.starts_with("French press coffee, step by step, for beginners at home. This single"));
}

#[test]
fn meta_description_skips_sentences_it_already_has_and_stays_short_without_text() {
    let d = fit_meta_description(
        "Use a coarse grind and water just off the boil.",
        &["Use a coarse grind and water just off the boil."],
    );
    assert_eq!(d, "Use a coarse grind and water just off the boil.");
    assert_eq!(fit_meta_description("", &[]), "");
    assert_eq!(fit_meta_description("Ends badly...", &[]), "Ends badly");
}

#[test]
fn slugify_matches_the_pipeline_and_cuts_at_a_hyphen() {
    assert_eq!(slugify("Best Trail Shoes (2026)!"), "best-trail-shoes-2026");
    assert_eq!(slugify("Ça coûte 10€ — vraiment?"), "ça-coûte-10-vraiment");
    assert_eq!(slugify("!!!"), "article");
    let long = "word ".repeat(30);
    let s = slugify(&long);
    assert!(
        n(&s) <= 75 && s.ends_with("word") && !s.contains("--"),
        "{s}"
    );
    assert_eq!(n(&s), 74);
    let exact = format!("{}-{}", "a".repeat(70), "bcd");
    assert_eq!(slugify(&exact), exact);
    assert_eq!(n(&slugify(&"x".repeat(90))), 75);
}

#[test]
fn normalise_drops_the_title_h1_and_demotes_others() {
    let md =
        "\n# The French Press: A Guide!\n\nIntro.\n\n# Grind\n\n## Water\n\n```\n# code\n```\n";
    let out = normalise_body(md, "the french press — a guide");
    assert_eq!(out, "Intro.\n\n## Grind\n\n## Water\n\n```\n# code\n```\n");
    assert_eq!(normalise_body(&out, "the french press — a guide"), out);
    // An opening H1 that is not the title is kept, as an H2.
    assert_eq!(
        normalise_body("# Something else\nText", "Title"),
        "## Something else\nText"
    );
}

fn sentence(words: usize) -> String {
    format!("Word {}end.", "word ".repeat(words - 2))
}

#[test]
fn normalise_splits_long_paragraphs_at_sentences_in_balance() {
    let para = (0..10).map(|_| sentence(20)).collect::<Vec<_>>().join(" ");
    let md = format!("## Part\n\n{para}\n\n- {}\n", sentence(160));
    let out = normalise_body(&md, "T");
    let paras: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(paras.len(), 4, "{out}");
    assert_eq!(word_count(paras[1]), 100);
    assert_eq!(word_count(paras[2]), 100);
    // The list item is left alone, however long.
    assert!(paras[3].starts_with("- Word"));
    assert_eq!(normalise_body(&out, "T"), out);
}

#[test]
fn normalise_keeps_a_single_long_sentence_whole() {
    // One 200-word sentence over two lines.
    let md = format!(
        "{}\n{}",
        sentence(100).replace(" end.", ""),
        sentence(100).to_lowercase()
    );
    let once = normalise_body(&md, "T");
    assert_eq!(once, md);
    let md = format!("{} {}", sentence(170), sentence(5));
    let once = normalise_body(&md, "T");
    assert_eq!(once, format!("{}\n\n{}", sentence(170), sentence(5)));
    assert_eq!(normalise_body(&once, "T"), once);
}

#[test]
fn meta_description_is_in_range_whenever_there_is_enough_text() {
    let source = format!("{MORE} {MORE} Grind, bloom; stir - and serve hot with milk or sugar.");
    let words: Vec<&str> = source.split_whitespace().collect();
    for take in 0..words.len() {
        let candidate = words[..take].join(" ");
        let d = fit_meta_description(&candidate, &[MORE, "Short extra."]);
        assert!((120..=160).contains(&n(&d)), "{take}: {} {d}", n(&d));
        let last = d.split_whitespace().last().unwrap_or_default();
        assert!(!last.ends_with([',', ';', ':', '-']), "{take}: {d}");
        let known: Vec<&str> = source.split_whitespace().collect();
        let bare = |w: &str| w.trim_end_matches(['.', ',', ';', ':']).to_string();
        for w in d.split_whitespace() {
            assert!(
                known.iter().any(|k| bare(k) == bare(w)) || w == "Short",
                "{take}: {w}"
            );
        }
    }
}

#[test]
fn meta_title_always_fits_and_contains_the_keyword() {
    let long = "The complete guide to brewing, storing and serving coffee at home for beginners";
    let words: Vec<&str> = long.split_whitespace().collect();
    for take in 0..=words.len() {
        let text = words[..take].join(" ");
        for (c, t) in [
            (text.as_str(), long),
            (long, text.as_str()),
            (text.as_str(), ""),
        ] {
            let m = fit_meta_title(c, t, "cold brew");
            assert!(
                n(&m) <= 60 && contains_phrase(&m, "cold brew"),
                "{c:?} {t:?}: {m}"
            );
        }
    }
}
