use super::*;

fn id(n: i64) -> ContentId {
    ContentId::new(n)
}

fn article(n: i64, primary: &str, secondary: &[&str], body: &str, pillar: bool) -> LinkArticle {
    LinkArticle {
        id: id(n),
        primary_keyword: primary.into(),
        keywords: std::iter::once(primary)
            .chain(secondary.iter().copied())
            .map(String::from)
            .collect(),
        body_markdown: body.into(),
        pillar,
    }
}

fn pairs(links: &[PlannedLink]) -> Vec<(i64, i64, &str)> {
    links
        .iter()
        .map(|l| (l.source.get(), l.target.get(), l.anchor.as_str()))
        .collect()
}

#[test]
fn find_anchor_keeps_the_texts_case_and_matches_whole_words() {
    let body = "Pressing matters. A good French Press lasts years.";
    assert_eq!(
        find_anchor(body, "french press"),
        Some("French Press".into())
    );
    assert_eq!(find_anchor(body, "press"), Some("Press".into()));
    assert_eq!(find_anchor(body, "PRESSING"), Some("Pressing".into()));
    assert_eq!(find_anchor(body, "ress"), None);
    assert_eq!(find_anchor(body, "  "), None);
}

#[test]
fn find_anchor_skips_headings_images_code_and_existing_links() {
    let body = "## French press basics\n\n![french press](a.png)\n\n```\nfrench press\n```\n\nSee [our french press guide](/g) or `french press`.\n\nA french press, finally.";
    assert_eq!(
        find_anchor(body, "french press"),
        Some("french press".into())
    );
    let only_elsewhere = "## French press\n\nSee [french press](/x).";
    assert_eq!(find_anchor(only_elsewhere, "french press"), None);
}

#[test]
fn find_anchor_spans_a_line_break_in_a_paragraph_and_lists_count() {
    assert_eq!(
        find_anchor("Use a french\npress daily.", "french press"),
        Some("french press".into())
    );
    assert_eq!(
        find_anchor("- Buy a Pour Over kit", "pour over"),
        Some("Pour Over".into())
    );
}

#[test]
fn plan_links_pillar_first_then_ascending_id_never_self() {
    let arts = vec![
        article(
            3,
            "cold brew",
            &[],
            "Try cold brew, a pour over or a french press.",
            false,
        ),
        article(
            1,
            "pour over",
            &[],
            "Pour over beats cold brew for a french press fan.",
            false,
        ),
        article(
            7,
            "french press",
            &[],
            "A french press and cold brew and pour over.",
            true,
        ),
    ];
    let links = plan_links(&arts, 5, &HashSet::new());
    assert_eq!(
        pairs(&links),
        vec![
            (3, 7, "french press"),
            (3, 1, "pour over"),
            (1, 7, "french press"),
            (1, 3, "cold brew"),
            (7, 1, "pour over"),
            (7, 3, "cold brew"),
        ]
    );
}

#[test]
fn plan_links_respects_max_and_removed_pairs() {
    let body = "Cold brew, pour over, french press and moka pot.";
    let arts = vec![
        article(1, "cold brew", &[], body, true),
        article(2, "pour over", &[], body, false),
        article(3, "french press", &[], body, false),
        article(4, "moka pot", &[], body, false),
    ];
    let removed: HashSet<_> = [(id(2), id(1))].into();
    let links = plan_links(&arts, 2, &removed);
    let from2: Vec<_> = pairs(&links).into_iter().filter(|p| p.0 == 2).collect();
    assert_eq!(from2, vec![(2, 3, "french press"), (2, 4, "moka pot")]);
    assert!(links.iter().all(|l| l.source != l.target));
    for s in 1..=4 {
        assert_eq!(links.iter().filter(|l| l.source == id(s)).count(), 2);
    }
    assert!(plan_links(&arts, 0, &HashSet::new()).is_empty());
}

#[test]
fn plan_links_never_uses_the_sources_primary_keyword_and_falls_back_to_secondary() {
    // The target's primary keyword is the source's own: its secondary keyword is used.
    let arts = vec![
        article(
            1,
            "French Press",
            &[],
            "The french press and the best coffee grinder.",
            false,
        ),
        article(
            2,
            "french press!",
            &["coffee grinder"],
            "Nothing to link here.",
            true,
        ),
    ];
    let links = plan_links(&arts, 3, &HashSet::new());
    assert_eq!(pairs(&links), vec![(1, 2, "coffee grinder")]);
}

#[test]
fn plan_links_uses_each_anchor_once_and_never_overlaps() {
    let arts = vec![
        article(
            1,
            "espresso",
            &[],
            "A french press coffee guide. More french press tips.",
            false,
        ),
        article(2, "french press coffee", &[], "", true),
        // "press coffee" overlaps the first anchor; "french press" matches elsewhere.
        article(3, "press coffee", &["french press"], "", false),
        // Same phrase as the previous anchor: not used again.
        article(4, "french press", &[], "", false),
    ];
    let links = plan_links(&arts, 5, &HashSet::new());
    assert_eq!(
        pairs(&links),
        vec![(1, 2, "french press coffee"), (1, 3, "french press")]
    );
}

#[test]
fn plan_links_skips_anchors_only_in_headings_or_links() {
    let arts = vec![
        article(
            1,
            "espresso",
            &[],
            "## Pour over\n\nRead [pour over](/p) now.",
            false,
        ),
        article(2, "pour over", &[], "", true),
    ];
    assert!(plan_links(&arts, 3, &HashSet::new()).is_empty());
}
