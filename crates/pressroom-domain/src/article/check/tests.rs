use super::sources::no_invented_sources;
use super::*;

const BODY: &str = "A french press makes rich, full-bodied coffee with very little equipment. This guide covers the beans, the grind, the water and the timing.

## Beans

Fresh beans matter more than the brewer. Choose a medium roast and buy small bags often, because ground coffee loses its aroma within days. Store the beans in an airtight tin away from light and heat, and grind them just before you brew.

![Beans in a scoop](/beans.png)

## Grind

Use a coarse, even grind. A burr grinder gives the most even result for a french press.

```
## not a heading, [1] not a footnote, # not an h1
```

## Water

- Heat water to about 94 °C.
- Use 60 grams of coffee per litre.

## Timing

Steep four minutes, stir, then press slowly and pour at once. Coffee left on the grounds keeps extracting and turns bitter, so decant it into a warm carafe if you are not drinking it straight away. Adjust according to taste.
";

const DESCRIPTION: &str = "Brew rich French press coffee at home: the beans to buy, the grind to use, the right water temperature and how long to steep.";

fn facts<'a>(body: &'a str, alts: &'a [&'a str]) -> ArticleFacts<'a> {
    ArticleFacts {
        slug: "french-press-guide",
        meta_title: "French Press Guide: Brew Better Coffee",
        meta_description: DESCRIPTION,
        primary_keyword: "french press",
        body_markdown: body,
        image_alts: alts,
        internal_links: 1,
    }
}

fn get(report: &OnPageReport, name: CheckName) -> &Check {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .expect("every check is reported")
}

#[test]
fn a_good_article_passes_every_check_in_order() {
    let r = check_article(&facts(BODY, &["Featured"]));
    assert!(r.passing(), "{:#?}", r.checks);
    assert_eq!(r.score, 100);
    use CheckName::*;
    let names: Vec<CheckName> = r.checks.iter().map(|c| c.name).collect();
    assert_eq!(names, CheckName::ALL);
    assert_eq!(
        get(&r, MetaTitle).reason,
        "38 characters, contains \"french press\""
    );
    assert_eq!(get(&r, SectionHeadings).reason, "4 H2 sections");
    assert_eq!(
        get(&r, ImageAltText).reason,
        "2 image(s), all with alt text"
    );
}

#[test]
fn score_is_the_percent_passed_rounded_down() {
    let mut f = facts(BODY, &[]);
    f.internal_links = 0;
    let r = check_article(&f);
    assert_eq!(r.score, 90, "10 of 11");
    f.slug = "";
    assert_eq!(check_article(&f).score, 81, "9 of 11");
    assert!(!check_article(&f).passing());
}

#[test]
fn meta_title_boundaries_and_keyword() {
    let t60 = format!("French press {}", "x".repeat(47));
    let t61 = format!("French press {}", "x".repeat(48));
    assert!(meta_title(&t60, "french press").pass);
    let c = meta_title(&t61, "french press");
    assert!(!c.pass);
    assert_eq!(
        c.reason,
        "61 characters, over 60, contains \"french press\""
    );
    let c = meta_title("Brew Better Coffee", "french press");
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "18 characters, does not contain \"french press\"")
    );
    assert!(
        !meta_title("French presses", "french press").pass,
        "whole words"
    );
    assert!(!meta_title("", "french press").pass);
}

#[test]
fn meta_description_boundaries() {
    let d = |n: usize| format!("{}.", "a".repeat(n - 1));
    assert!(!meta_description(&d(119)).pass);
    assert_eq!(
        meta_description(&d(119)).reason,
        "119 characters, under 120, ends at a word boundary"
    );
    assert!(meta_description(&d(120)).pass);
    assert!(meta_description(&d(160)).pass);
    assert!(!meta_description(&d(161)).pass);
    assert!(
        meta_description(&format!("  {}  ", d(160))).pass,
        "measured trimmed"
    );
}

#[test]
fn meta_description_must_not_end_cut_off() {
    let base = "b".repeat(130);
    for tail in [",", ":", ";", " -", "...", "…", " —"] {
        let c = meta_description(&format!("{base}{tail}"));
        assert!(!c.pass, "{tail}");
        assert!(c.reason.contains("cut off"), "{}", c.reason);
    }
    assert!(meta_description(&format!("{base} word")).pass);
}

#[test]
fn h1_in_the_body_fails_but_hashes_in_text_and_code_do_not() {
    assert!(single_h1(&Body::read("Tag #coffee and C# code.\n\n```\n# x\n```")).pass);
    let c = single_h1(&Body::read("# Title\n\nText\n\n# Again"));
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "2 H1 heading(s) in the body besides the title")
    );
}

#[test]
fn fewer_than_four_h2_fails() {
    let c = section_headings(&Body::read("## A\n\n## B\n\n### Sub\n\n## C"));
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "3 H2 sections, fewer than 4")
    );
}

#[test]
fn keyword_must_be_in_the_first_paragraph() {
    let body = Body::read(
        "## Intro\n\n![A french press](/x.png)\n\nCoffee first.\n\nThen a french press.",
    );
    let c = keyword_in_intro(&body, "french press");
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "first paragraph does not contain \"french press\"")
    );
    let body = Body::read("## Intro\n\nUse a [French Press](/fp) daily.");
    assert!(
        keyword_in_intro(&body, "french press").pass,
        "link text counts"
    );
    assert!(!keyword_in_intro(&Body::read("## Only"), "french press").pass);
}

/// `uses` of "coffee" among `total` words, in paragraphs of 100 words.
fn density_body(uses: usize, total: usize) -> String {
    let words: Vec<&str> = (0..total)
        .map(|i| if i < uses { "coffee" } else { "word" })
        .collect();
    words
        .chunks(100)
        .map(|c| c.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn keyword_density_boundaries() {
    let at = |uses| keyword_density(&Body::read(&density_body(uses, 10_000)), "coffee");
    let c = at(49);
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "0.49 % (49 uses in 10000 words), under 0.5 %")
    );
    assert!(at(50).pass);
    assert_eq!(
        at(50).reason,
        "0.50 % (50 uses in 10000 words), within 0.5-3 %"
    );
    assert!(at(300).pass);
    let c = at(301);
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "3.01 % (301 uses in 10000 words), over 3 %")
    );
}

#[test]
fn keyword_density_counts_uses_of_the_whole_phrase() {
    // 2 uses of a two-word phrase in 100 words = 2 %, as SEO plugins count it; 4 uses = 4 %.
    let body = format!("french press {} French Press", "w ".repeat(96));
    let c = keyword_density(&Body::read(&body), "french press");
    assert!(c.pass, "{}", c.reason);
    assert!(
        c.reason.starts_with("2.00 % (2 uses in 100 words)"),
        "{}",
        c.reason
    );
    let body = format!(
        "french press french press {} French Press french press",
        "w ".repeat(92)
    );
    let c = keyword_density(&Body::read(&body), "french press");
    assert!(!c.pass);
    assert!(
        c.reason.starts_with("4.00 % (4 uses in 100 words)"),
        "{}",
        c.reason
    );
    // Code and link targets are not words of the body.
    let body = format!(
        "{}\n\n```\ncoffee coffee coffee\n```\n[a](/coffee/coffee)",
        density_body(1, 199)
    );
    assert_eq!(
        keyword_density(&Body::read(&body), "coffee").reason,
        "0.50 % (1 uses in 200 words), within 0.5-3 %"
    );
}

#[test]
fn every_image_needs_alt_text() {
    let none = Body::read("Text.");
    assert_eq!(image_alt_text(&[], &none).reason, "no images");
    assert!(image_alt_text(&[], &none).pass);
    let c = image_alt_text(
        &["Ok", " "],
        &Body::read("![](/a.png)\n\nText ![b](/b.png)"),
    );
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "2 of 4 image(s) without alt text")
    );
}

#[test]
fn internal_links_need_one() {
    assert!(!internal_links(0).pass);
    assert_eq!(internal_links(2).reason, "2 internal link(s)");
}

#[test]
fn paragraph_length_names_the_longest() {
    let long = format!("Start here {}", "w ".repeat(149));
    let c = paragraph_length(&Body::read(&format!("Short one.\n\n{long}")));
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (
            false,
            "longest paragraph 151 words (\"Start here w w w w…\"), over 150"
        )
    );
    let ok = format!("{}\n\n- item one\n- {}", "w ".repeat(150), "w ".repeat(150));
    assert!(
        paragraph_length(&Body::read(&ok)).pass,
        "each list item is a unit"
    );
}

#[test]
fn slug_length_boundaries() {
    assert!(slug_length(&"a".repeat(75)).pass);
    assert_eq!(
        slug_length(&"a".repeat(76)).reason,
        "76 characters, over 75"
    );
    assert!(!slug_length("").pass);
}

fn sources(body: &str) -> Check {
    no_invented_sources(&Body::read(body))
}

#[test]
fn invented_sources_are_flagged() {
    let c = sources("Text.\n\n### Sources:\n\n- A book");
    assert_eq!(
        (c.pass, c.reason.as_str()),
        (false, "a \"Sources\" section")
    );
    assert!(!sources("Text.\n\n**References**\n\n1. Smith").pass);
    assert!(!sources("Studies agree.[1] More.").pass);
    assert!(!sources("Studies agree[^1].").pass);
    assert!(!sources("Studies agree¹.").pass);
    let c = sources("According to a 2019 study, coffee helps.");
    assert!(!c.pass);
    assert!(
        c.reason.contains("names a source without a link"),
        "{}",
        c.reason
    );
    assert!(!sources("Coffee helps, according to the NCA.").pass);
}

#[test]
fn linked_claims_units_and_instructions_are_not_sources() {
    assert!(sources("According to [the NCA](https://nca.org), coffee helps.").pass);
    assert!(sources("Grind according to your brewer. Adjust according to the recipe.").pass);
    assert!(sources("A 20 m² room, 10² cups, see [1](https://x.org) and `arr[1]`.").pass);
    assert!(sources("## Sources of caffeine\n\nTea and coffee.").pass);
    assert!(sources("```\n## References\n[1]\n```").pass);
}

#[test]
fn check_names_serialise_as_their_names() {
    for name in CheckName::ALL {
        assert_eq!(
            serde_json::to_value(name).unwrap(),
            serde_json::json!(name.as_str())
        );
    }
}
