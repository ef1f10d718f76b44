//! The on-page check of one article, recomputed from what is stored and saved with it.

use super::view::{Urls, compose};
use crate::context::{Pipeline, Result};
use pressroom_domain::article::{ArticleFacts, OnPageReport, check_article};
use pressroom_domain::{AccountId, ContentId};

/// Checks the article as stored now (text, image alt texts, placed links) and saves the report.
pub async fn recheck(p: &Pipeline, account: AccountId, id: ContentId) -> Result<OnPageReport> {
    let db = p.db();
    let content = db.content(account, id).await?;
    let images = db.images_of_content(account, id).await?;
    let links = db.outgoing_links(account, id).await?;
    // Only the links matter for the count: a link whose anchor was edited away is not placed.
    let composed = compose(&content, &[], &links, &Urls::site_relative());
    let alts: Vec<&str> = images.iter().map(|i| i.alt_text.as_str()).collect();
    let report = check_article(&ArticleFacts {
        slug: &content.slug,
        meta_title: &content.meta_title,
        meta_description: &content.meta_description,
        primary_keyword: &content.primary_keyword,
        body_markdown: &content.body_markdown,
        image_alts: &alts,
        internal_links: composed.links_placed,
    });
    db.set_content_checks(account, id, &report).await?;
    Ok(report)
}
