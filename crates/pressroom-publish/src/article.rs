//! The article as every destination receives it; the pipeline builds it from an approved version.

/// One article version, ready to leave Pressroom.
#[derive(Debug, Clone)]
pub struct OutgoingArticle {
    pub content_id: i64,
    pub version: i64,
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub meta_title: String,
    pub meta_description: String,
    pub focus_keyword: String,
    /// Sanitised body; each image appears as `<img src="{OutgoingImage.src}" alt=...>`, and
    /// destinations that host images rewrite those `src` values to their own URLs.
    pub html: String,
    pub markdown: String,
    /// Keywords.
    pub tags: Vec<String>,
    /// The cluster name.
    pub categories: Vec<String>,
    /// Featured image first.
    pub images: Vec<OutgoingImage>,
}

#[derive(Debug, Clone)]
pub struct OutgoingImage {
    pub image_id: i64,
    pub featured: bool,
    /// The `src` this image has in [`OutgoingArticle::html`].
    pub src: String,
    pub alt: String,
    pub caption: String,
    pub file_name: String,
    pub mime: String,
    pub bytes: bytes::Bytes,
    /// Hex SHA-256 of `bytes`; names the upload so a retry finds it instead of uploading twice.
    pub sha256: String,
}

impl OutgoingArticle {
    pub fn featured_image(&self) -> Option<&OutgoingImage> {
        self.images.iter().find(|i| i.featured)
    }
}
