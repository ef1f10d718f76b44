use super::*;

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
