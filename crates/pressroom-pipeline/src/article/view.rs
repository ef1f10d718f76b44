//! An article with its images and links, and its body composed for a reader.

use crate::context::{Pipeline, Result};
use crate::html::render_markdown;
use pressroom_domain::article::{Composed, PlacedImage, PlacedLink, compose_markdown};
use pressroom_domain::{AccountId, Content, ContentId, Image, ImageType};
use pressroom_store::LinkView;

/// Where a composed body points: its images' files and the articles it links to. The web
/// pages link inside the app; an export or a publisher links where the site serves them.
pub struct Urls<'a> {
    pub media: &'a (dyn Fn(&Image) -> Option<String> + Sync),
    pub article: &'a (dyn Fn(&LinkView) -> String + Sync),
}

impl Urls<'static> {
    /// Media under `/media/`, articles at `/{slug}/`: the site-relative URLs of a static export.
    pub fn site_relative() -> Urls<'static> {
        Urls {
            media: &|i: &Image| i.file_path.as_deref().map(media_url),
            article: &|l: &LinkView| format!("/{}/", l.target_slug),
        }
    }
}

/// Where the app and a static export serve a stored media file.
pub fn media_url(file_path: &str) -> String {
    format!("/media/{file_path}")
}

#[derive(Debug, Clone)]
pub struct ArticleView {
    pub content: Content,
    /// Featured first, then in-article by position.
    pub images: Vec<Image>,
    /// The article's active links to others of its cluster.
    pub links: Vec<LinkView>,
    /// The body Markdown with in-article images and links in place (what `html` renders).
    pub markdown: String,
    /// The sanitised body HTML with in-article images and links in place.
    pub html: String,
    pub links_placed: usize,
}

pub async fn load_article(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    urls: &Urls<'_>,
) -> Result<ArticleView> {
    let db = p.db();
    let content = db.content(account, id).await?;
    let images = db.images_of_content(account, id).await?;
    let links = db.outgoing_links(account, id).await?;
    let composed = compose(&content, &images, &links, urls);
    Ok(ArticleView {
        html: render_markdown(&composed.markdown),
        links_placed: composed.links_placed,
        markdown: composed.markdown,
        content,
        images,
        links,
    })
}

/// The body Markdown with the in-article images that have a picture and the links.
pub(super) fn compose(
    content: &Content,
    images: &[Image],
    links: &[LinkView],
    urls: &Urls<'_>,
) -> Composed {
    let placed: Vec<PlacedImage> = images
        .iter()
        // A picture being replaced keeps its file (and place) until the new one arrives.
        .filter(|i| i.image_type == ImageType::InArticle)
        .filter_map(|i| {
            Some(PlacedImage {
                section: i.section.clone(),
                position: i.position,
                src: (urls.media)(i)?,
                alt: i.alt_text.clone(),
            })
        })
        .collect();
    let links: Vec<PlacedLink> = links
        .iter()
        .map(|l| PlacedLink {
            anchor: l.link.anchor.clone(),
            href: (urls.article)(l),
        })
        .collect();
    compose_markdown(&content.body_markdown, &placed, &links)
}
