//! Model output made safe to store and show. Article bodies arrive as Markdown, are rendered
//! to HTML, and pass through ammonia's allow-list; titles and other short fields lose any markup
//! and control characters. Nothing the model wrote reaches storage unsanitised.

/// Markdown -> sanitised HTML. Raw HTML inside the Markdown is escaped by the renderer's
/// sanitiser pass: scripts, event handlers, styles and `javascript:` links never survive.
pub fn render_markdown(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitise_html(&html)
}

/// Keeps structural tags, drops everything that executes or styles.
pub fn sanitise_html(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(html)
        .to_string()
}

/// A one-line text field: tags stripped, control characters and runs of whitespace folded,
/// shortened to `max` characters at a sentence or word boundary, never mid-word.
pub fn clean_text(s: &str, max: usize) -> String {
    let stripped = ammonia::Builder::empty().clean(s).to_string();
    // ammonia escapes what it keeps; a plain-text field wants the characters back.
    let unescaped = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let folded: String = unescaped.split_whitespace().collect::<Vec<_>>().join(" ");
    let folded: String = folded.chars().filter(|c| !c.is_control()).collect();
    pressroom_domain::article::fit::shorten(&folded, max)
}

pub fn word_count(markdown: &str) -> i64 {
    markdown
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as i64
}

/// The plain text of a Markdown body's first paragraph (its introduction), for meta
/// descriptions written from the article.
pub fn first_paragraph_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut text = String::new();
    let mut inside = false;
    // An image's alt text is not the article's words.
    let mut in_image = false;
    for event in pulldown_cmark::Parser::new(markdown) {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if !text.trim().is_empty() => break,
            Event::End(TagEnd::Paragraph) => inside = false,
            Event::Start(Tag::Image { .. }) => in_image = true,
            Event::End(TagEnd::Image) => in_image = false,
            Event::Text(t) | Event::Code(t) if inside && !in_image => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_never_survive() {
        let md = "## Title\n\nHello <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))\n\n<a href=\"https://ok.example\" onclick=\"evil()\">ok</a>";
        let html = render_markdown(md);
        assert!(html.contains("<h2>Title</h2>"), "{html}");
        for bad in ["<script", "onerror", "javascript:", "onclick"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("href=\"https://ok.example\""));
    }

    #[test]
    fn text_fields_are_plain() {
        assert_eq!(
            clean_text("<b>Best</b>\n shoes\u{7} & more", 100),
            "Best shoes & more"
        );
        assert_eq!(clean_text("one two three four", 9), "one two");
        assert_eq!(
            first_paragraph_text(
                "## Intro\n\n![x](a.png)\n\nThe *first* [real](u) one.\nStill.\n\nNext."
            ),
            "The first real one. Still."
        );
        assert_eq!(word_count("## Hi\n\nTwo words - here"), 4);
    }
}
