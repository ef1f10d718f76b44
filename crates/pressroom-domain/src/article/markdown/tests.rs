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
