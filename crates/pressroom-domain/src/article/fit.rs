//! Generated text fitted to the on-page limits: shortened at a sentence or word boundary,
//! never mid-word.

pub const META_TITLE_MAX: usize = 60;
pub const META_DESCRIPTION_MIN: usize = 120;
pub const META_DESCRIPTION_MAX: usize = 160;
pub const SLUG_MAX: usize = 75;
pub const PARAGRAPH_WORDS_MAX: usize = 150;

/// `text` in at most `max` characters: whole sentences when the last one that fits ends past
/// half of `max`, else whole words; dangling punctuation trimmed.
pub fn shorten(text: &str, max: usize) -> String {
    let _ = (text, max);
    todo!("issue 13 scaffold")
}

/// A meta title of at most [`META_TITLE_MAX`] characters that contains the primary keyword:
/// the candidate if it fits, else the title, else built from the keyword.
pub fn fit_meta_title(candidate: &str, title: &str, primary_keyword: &str) -> String {
    let _ = (candidate, title, primary_keyword);
    todo!("issue 13 scaffold")
}

/// A meta description of 120-160 characters ending at a word boundary: the candidate
/// shortened, or lengthened with sentences from `more` (the excerpt, the first paragraph).
pub fn fit_meta_description(candidate: &str, more: &[&str]) -> String {
    let _ = (candidate, more);
    todo!("issue 13 scaffold")
}

/// `Best Trail Shoes (2026)!` -> `best-trail-shoes-2026`: lower-case words joined by hyphens,
/// at most [`SLUG_MAX`] characters cut at a hyphen; never empty.
pub fn slugify(title: &str) -> String {
    let _ = title;
    todo!("issue 13 scaffold")
}

/// The body as the writer should have written it: an H1 that repeats the title is dropped
/// and any other H1 becomes an H2 (the title is the page's H1); paragraphs over
/// [`PARAGRAPH_WORDS_MAX`] words are split at sentence boundaries.
pub fn normalise_body(markdown: &str, title: &str) -> String {
    let _ = (markdown, title);
    todo!("issue 13 scaffold")
}
