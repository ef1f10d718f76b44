use super::*;

const BODY: &str = "Intro about the french press.\n\n## Choosing Beans\n\nPick fresh beans for a french press.\n\n## Grind size\n\nA coarse grind.\n\n```\nfrench press in code\n```\n";

fn img(section: Option<&str>, position: i64, src: &str, alt: &str) -> PlacedImage {
    PlacedImage {
        section: section.map(String::from),
        position,
        src: src.into(),
        alt: alt.into(),
    }
}

fn link(anchor: &str, href: &str) -> PlacedLink {
    PlacedLink {
        anchor: anchor.into(),
        href: href.into(),
    }
}

#[test]
fn images_go_after_their_sections_heading_in_position_order() {
    let images = [
        img(Some("grind size"), 2, "/b.png", "Burr"),
        img(Some("Choosing beans!"), 1, "/a.png", "Beans"),
        img(Some("Grind Size"), 3, "/c.png", "Coarse"),
    ];
    let c = compose_markdown(BODY, &images, &[]);
    assert_eq!(c.images_placed, 3);
    assert_eq!(
        c.markdown,
        "Intro about the french press.\n\n## Choosing Beans\n\n![Beans](/a.png)\n\nPick fresh beans for a french press.\n\n## Grind size\n\n![Burr](/b.png)\n\n![Coarse](/c.png)\n\nA coarse grind.\n\n```\nfrench press in code\n```\n"
    );
}

#[test]
fn a_gone_section_falls_back_to_the_position_then_the_end() {
    let images = [
        img(Some("Deleted section"), 2, "/x.png", "X"),
        img(None, 9, "/y.png", "Y"),
        img(Some("Also gone"), 0, "/z.png", "Z"),
    ];
    let c = compose_markdown(BODY, &images, &[]);
    assert_eq!(c.images_placed, 3);
    assert!(
        c.markdown
            .contains("## Grind size\n\n![X](/x.png)\n\nA coarse grind.")
    );
    assert!(
        c.markdown
            .ends_with("```\n\n![Z](/z.png)\n\n![Y](/y.png)\n"),
        "{}",
        c.markdown
    );
}

#[test]
fn alt_and_src_are_escaped() {
    let c = compose_markdown(
        "## A\n",
        &[img(Some("A"), 1, "/my pic(1).png", "a [b]\nc")],
        &[],
    );
    assert_eq!(c.markdown, "## A\n\n![a \\[b\\] c](/my%20pic%281%29.png)\n");
    assert_eq!(
        compose_markdown("x", &[img(None, 1, " ", "a")], &[]).images_placed,
        0
    );
}

#[test]
fn links_wrap_the_first_prose_occurrence_in_the_texts_case() {
    let body = "## French press\n\nA French Press and a french press.\n\n```\nfrench press\n```";
    let c = compose_markdown(body, &[], &[link("french press", "/guide")]);
    assert_eq!(c.links_placed, 1);
    assert_eq!(
        c.markdown,
        "## French press\n\nA [French Press](/guide) and a french press.\n\n```\nfrench press\n```"
    );
}

#[test]
fn links_never_nest_or_overlap_and_missing_anchors_are_not_counted() {
    let body = "Brew french press coffee daily. Then french press again. [Moka pot](/m) too.";
    let links = [
        link("french press coffee", "/a"),
        link("press coffee", "/b"),
        link("french press", "/c"),
        link("moka pot", "/d"),
        link("aeropress", "/e"),
    ];
    let c = compose_markdown(body, &[], &links);
    assert_eq!(
        c.markdown,
        "Brew [french press coffee](/a) daily. Then [french press](/c) again. [Moka pot](/m) too."
    );
    assert_eq!(c.links_placed, 2);
}

#[test]
fn an_href_already_linked_counts_and_is_not_linked_again() {
    let body = "See [the guide](/g). The french press guide.";
    let c = compose_markdown(body, &[], &[link("french press", "/g")]);
    assert_eq!(c.markdown, body);
    assert_eq!(c.links_placed, 1);
}

#[test]
fn composing_a_composed_body_changes_nothing() {
    let images = [
        img(Some("Grind size"), 2, "/b.png", "Burr"),
        img(None, 5, "/e.png", "End"),
    ];
    let links = [link("french press", "/fp"), link("coarse grind", "/cg")];
    let once = compose_markdown(BODY, &images, &links);
    assert_eq!((once.links_placed, once.images_placed), (2, 2));
    let twice = compose_markdown(&once.markdown, &images, &links);
    assert_eq!(twice, once);
    assert!(
        once.markdown
            .contains("Intro about the [french press](/fp).")
    );
    assert!(once.markdown.contains("fresh beans for a french press."));
}

#[test]
fn a_link_href_is_escaped() {
    let c = compose_markdown("A french press.", &[], &[link("french press", "/a b)")]);
    assert_eq!(c.markdown, "A [french press](/a%20b%29).");
}
