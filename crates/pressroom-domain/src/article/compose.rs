//! The body a reader sees: the stored Markdown with in-article images after their sections'
//! headings and internal links at their anchors. The result is Markdown; the pipeline renders
//! and sanitises it like any body.

/// An in-article image to place.
#[derive(Debug, Clone)]
pub struct PlacedImage {
    /// The H2 it follows; an image whose section is gone (the body was edited) goes after
    /// the H2 at its position instead, and one past the last H2 at the end.
    pub section: Option<String>,
    pub position: i64,
    pub src: String,
    pub alt: String,
}

#[derive(Debug, Clone)]
pub struct PlacedLink {
    pub anchor: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub markdown: String,
    /// Links whose anchor was found and linked; a link whose anchor was edited away is not.
    pub links_placed: usize,
    pub images_placed: usize,
}

pub fn compose_markdown(
    body_markdown: &str,
    images: &[PlacedImage],
    links: &[PlacedLink],
) -> Composed {
    let _ = (body_markdown, images, links);
    todo!("issue 13 scaffold")
}
