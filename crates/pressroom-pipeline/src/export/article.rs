//! One article's files: its images copied out of the media store and its page, with links
//! to the other exported articles and image sources relative to the page.

use super::files::Writer;
use super::{ExportError, ExportReport};
use crate::context::Pipeline;
use crate::html::render_markdown;
use pressroom_domain::article::{PlacedImage, PlacedLink, compose_markdown};
use pressroom_domain::export::{
    ExportFormat, FrontImage, FrontMatter, IndexEntry, html_page, image_name,
};
use pressroom_domain::{AccountId, Content, ImageType};
use std::collections::HashMap;
use std::path::{Component, Path};

/// What the export knows about every exported article: its stem by id.
pub(super) struct Names<'a> {
    pub format: ExportFormat,
    pub stems: &'a HashMap<pressroom_domain::ContentId, String>,
}

/// Writes one article (already read and still exportable) and returns its index entry.
pub(super) async fn export_article(
    p: &Pipeline,
    account: AccountId,
    content: &Content,
    categories: Vec<String>,
    names: &Names<'_>,
    writer: &mut Writer,
    report: &mut ExportReport,
) -> Result<IndexEntry, ExportError> {
    let db = p.db();
    let format = names.format;
    let stem = &names.stems[&content.id];
    let images = db.images_of_content(account, content.id).await?;
    let links = db.outgoing_links(account, content.id).await?;

    let mut front_images = Vec::new();
    let mut placed = Vec::new();
    for image in &images {
        let Some(file_path) = image.file_path.as_deref() else {
            continue;
        };
        let featured = image.image_type == ImageType::Featured;
        let ext = Path::new(file_path)
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = image_name(featured, image.position, &ext);
        let Some(bytes) = read_media(p, file_path).await else {
            report.missing_images.push(format!("{stem}: {file_path}"));
            continue;
        };
        writer
            .write(&format.image_path(stem, &name), &bytes, report)
            .await?;
        let src = format.image_src(stem, &name);
        front_images.push(FrontImage {
            src: src.clone(),
            alt: image.alt_text.clone(),
            featured,
        });
        if !featured {
            placed.push(PlacedImage {
                section: image.section.clone(),
                position: image.position,
                src,
                alt: image.alt_text.clone(),
            });
        }
    }
    // A link to an article this export does not include would be broken: its anchor stays
    // as plain text.
    let placed_links: Vec<PlacedLink> = links
        .iter()
        .filter_map(|l| {
            let target = names.stems.get(&l.link.target_id)?;
            Some(PlacedLink {
                anchor: l.link.anchor.clone(),
                href: format.link_href(target),
            })
        })
        .collect();
    let composed = compose_markdown(&content.body_markdown, &placed, &placed_links);

    let mut tags = vec![content.primary_keyword.clone()];
    for k in &content.secondary_keywords {
        if !tags.contains(k) {
            tags.push(k.clone());
        }
    }
    let description = if content.meta_description.trim().is_empty() {
        content.excerpt.clone()
    } else {
        content.meta_description.clone()
    };
    let fm = FrontMatter {
        title: content.title.clone(),
        date: content.created_at,
        lastmod: content.updated_at,
        slug: stem.clone(),
        description: description.clone(),
        tags,
        categories,
        images: front_images,
    };
    let page = match format {
        ExportFormat::Markdown | ExportFormat::Hugo => {
            format!("{}\n{}", fm.to_yaml(format), composed.markdown)
        }
        ExportFormat::Html => html_page(&fm, &render_markdown(&composed.markdown), "../index.html"),
    };
    let page_path = format.page_path(stem);
    writer.write(&page_path, page.as_bytes(), report).await?;
    Ok(IndexEntry {
        href: page_path,
        title: content.title.clone(),
        description,
    })
}

/// A stored media file's bytes; `None` when it is missing or its stored path is not a plain
/// relative one (paths are Pressroom's own, but a path must never reach outside the store).
async fn read_media(p: &Pipeline, file_path: &str) -> Option<Vec<u8>> {
    let rel = Path::new(file_path);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    tokio::fs::read(p.media().root().join(rel)).await.ok()
}
