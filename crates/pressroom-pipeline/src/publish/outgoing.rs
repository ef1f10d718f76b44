//! The article as it leaves Pressroom: composed body with its pictures and links, the
//! picture files read from the media store, meta, keywords and the cluster as category.

use crate::article::{ArticleView, Urls, load_article, media_url};
use crate::context::Pipeline;
use crate::context::Result;
use pressroom_domain::*;
use pressroom_publish::{OutgoingArticle, OutgoingImage};
use pressroom_store::LinkView;

/// The article view (links pointing at `{link_base}/{slug}/`, pictures at `/media/...`) and
/// the outgoing article built from it with each picture's bytes.
pub(super) async fn outgoing(
    p: &Pipeline,
    content: &Content,
    link_base: &str,
) -> Result<(ArticleView, OutgoingArticle)> {
    let account = content.account_id;
    let article_url = |l: &LinkView| format!("{link_base}/{}/", l.target_slug);
    let urls = Urls {
        media: &|i: &Image| i.file_path.as_deref().map(media_url),
        article: &article_url,
    };
    let view = load_article(p, account, content.id, &urls).await?;
    let cluster = p.db().cluster_of_content(account, content.id).await?;
    let category = p.db().cluster(account, cluster).await?.name;
    let mut images = Vec::new();
    for image in &view.images {
        let (Some(path), Some(sha256)) = (&image.file_path, &image.sha256) else {
            continue;
        };
        let bytes = p.media().read(path).await?;
        let ext = path.rsplit('.').next().unwrap_or("png");
        images.push(OutgoingImage {
            image_id: image.id.get(),
            featured: image.image_type == ImageType::Featured,
            src: media_url(path),
            alt: image.alt_text.clone(),
            caption: String::new(),
            file_name: format!("{}-{}.{ext}", content.slug, image.position.max(0)),
            mime: mime_of(ext).to_string(),
            bytes: bytes.into(),
            sha256: sha256.clone(),
        });
    }
    let mut tags = vec![content.primary_keyword.clone()];
    tags.extend(content.secondary_keywords.iter().cloned());
    tags.dedup();
    let article = OutgoingArticle {
        content_id: content.id.get(),
        version: content.version,
        title: content.title.clone(),
        slug: content.slug.clone(),
        excerpt: content.excerpt.clone(),
        meta_title: content.meta_title.clone(),
        meta_description: content.meta_description.clone(),
        focus_keyword: content.primary_keyword.clone(),
        html: view.html.clone(),
        markdown: content.body_markdown.clone(),
        tags,
        categories: vec![category],
        images,
    };
    Ok((view, article))
}

fn mime_of(ext: &str) -> &'static str {
    match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        _ => "image/png",
    }
}
