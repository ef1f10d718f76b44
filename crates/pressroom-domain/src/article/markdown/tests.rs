use super::*;

fn kinds(md: &str) -> Vec<LineKind> {
    lines(md).iter().map(|l| l.kind).collect()
}

#[test]
fn lines_are_classified_and_fenced_code_is_code() {
    let md = "# Title\n\n## Part ##\n#hashtag text\n![a](b.png)\n```rust\n## not a heading\n```\nafter\n";
    use LineKind::*;
    assert_eq!(
        kinds(md),
        vec![
            Heading(1),
            Blank,
            Heading(2),
            Text,
            Image,
            Code,
            Code,
            Code,
            Text
        ]
    );
    assert_eq!(heading("## Part ##"), Some((2, "Part")));
    assert_eq!(heading("## C# tips"), Some((2, "C# tips")));
    assert_eq!(heading("####### seven"), None);
    assert_eq!(heading("    # indented"), None);
}

#[test]
fn an_unclosed_fence_runs_to_the_end_and_tildes_need_tildes() {
    use LineKind::*;
    assert_eq!(
        kinds("~~~\n```\n# x\n~~~\n# y"),
        vec![Code, Code, Code, Code, Heading(1)]
    );
    assert_eq!(kinds("```\n# x"), vec![Code, Code]);
}

#[test]
fn blocks_split_a_list_from_the_paragraph_before_it() {
    let ls = lines("Intro line\nstill intro\n- one\n- two\ncontinued\n\nNext");
    let b = text_blocks(&ls);
    assert_eq!(b.len(), 3);
    assert_eq!((b[0].first, b[0].last, b[0].list), (0, 1, false));
    assert_eq!((b[1].first, b[1].last, b[1].list), (2, 4, true));
    assert_eq!((b[2].first, b[2].list), (6, false));
}

#[test]
fn spans_skip_links_images_code_and_urls() {
    let md =
        "See [french press](/x) and `french press` or https://french.press/a then french press.";
    let spans: Vec<&str> = text_spans(md).into_iter().map(|r| &md[r]).collect();
    assert_eq!(spans, vec!["See ", " and ", " or ", " then french press."]);
    assert_eq!(
        plain(md, 0..md.len()),
        "See french press and   or   then french press."
    );
}

#[test]
fn phrase_matching_is_whole_word_and_case_insensitive() {
    let w = phrase_words("French  Press");
    let s = "frenchpress, French\npress! the french pressing";
    assert_eq!(
        find_phrase(s, 0..s.len(), &w).map(|r| &s[r]),
        Some("French\npress")
    );
    assert_eq!(count_phrase(s, &w), 1);
    assert_eq!(
        count_phrase("Café au lait, CAFÉ AU LAIT", &phrase_words("café au lait")),
        2
    );
    assert!(!contains_phrase("presses", "press"));
    assert!(contains_phrase("the press's lid", "press"));
}

#[test]
fn avoid_ranges_push_the_match_to_a_later_occurrence() {
    let s = "french press and french press";
    let w = phrase_words("french press");
    let spans = [0..s.len(), s.len()..s.len()];
    assert_eq!(find_in_spans(s, &spans, &w, &[]), Some(0..12));
    assert_eq!(find_in_spans(s, &spans, &w, &[7..10, 40..40]), Some(17..29));
}

#[test]
fn sentences_end_at_terminators_not_abbreviations_or_decimals() {
    let s = "Use 3.5 grams, e.g. a scoop. Stir! Is it ready? \"Yes.\" Then pour";
    assert_eq!(
        sentences(s),
        vec![
            "Use 3.5 grams, e.g. a scoop.",
            "Stir!",
            "Is it ready?",
            "\"Yes.\"",
            "Then pour"
        ]
    );
}

#[test]
fn fold_ignores_case_punctuation_and_spacing() {
    assert_eq!(
        fold("  The Best: French-Press  Guide! "),
        "the best french press guide"
    );
    assert_eq!(word_count("## A heading - with 3 words?"), 5);
}
