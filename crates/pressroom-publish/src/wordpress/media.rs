//! Images into the media library, once each: the upload's slug names the content, the image
//! and the start of its hash, and is set by the upload request itself, so an upload whose
//! answer was lost is found by the next attempt.

use super::client::{Body, WordPressClient, id_of, raw};
use crate::article::{OutgoingArticle, OutgoingImage};
use crate::error::PublishError;
use reqwest::Method;
use serde_json::{Value, json};

/// An image as it lives in WordPress's media library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedMedia {
    pub image_id: i64,
    pub media_id: u64,
    pub source_url: String,
}

pub(crate) fn media_slug(content_id: i64, img: &OutgoingImage) -> String {
    let hash: String = img
        .sha256
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    format!(
        "pressroom-{content_id}-{}-{}",
        img.image_id,
        hash.to_ascii_lowercase()
    )
}

impl WordPressClient {
    pub(crate) async fn upload_images(
        &self,
        a: &OutgoingArticle,
    ) -> Result<Vec<PublishedMedia>, PublishError> {
        let mut out = Vec::with_capacity(a.images.len());
        for img in &a.images {
            out.push(self.upload_image(a.content_id, img).await?);
        }
        Ok(out)
    }

    async fn upload_image(
        &self,
        content_id: i64,
        img: &OutgoingImage,
    ) -> Result<PublishedMedia, PublishError> {
        let slug = media_slug(content_id, img);
        let title = if img.alt.trim().is_empty() {
            slug.clone()
        } else {
            img.alt.clone()
        };
        let found = self
            .get(
                "/wp/v2/media",
                &[("slug", slug.clone()), ("context", "edit".into())],
            )
            .await?;
        let (mut media, uploaded) = match oldest(&found) {
            Some(m) => (m, false),
            None => {
                let query = [
                    ("slug", slug.clone()),
                    ("alt_text", img.alt.clone()),
                    ("caption", img.caption.clone()),
                    ("title", title.clone()),
                ];
                let body = Body::File {
                    bytes: img.bytes.clone(),
                    mime: img.mime.clone(),
                    file_name: file_name(img),
                };
                let made = self
                    .call(Method::POST, "/wp/v2/media", &query, body)
                    .await?;
                (made, true)
            }
        };
        let mut media_id = id_of(&media).ok_or_else(|| bad("media without an id", &media))?;
        // Two workers uploading the same image at once both upload (WordPress's unique-slug
        // check races, so both may even get the slug). The oldest upload is the one; a later
        // one deletes itself. Only ever deleting itself, no worker can delete the survivor.
        if uploaded {
            let found = self
                .get(
                    "/wp/v2/media",
                    &[("slug", slug.clone()), ("context", "edit".into())],
                )
                .await?;
            if let Some(first) = oldest(&found)
                && let Some(first_id) = id_of(&first).filter(|id| *id < media_id)
            {
                let route = format!("/wp/v2/media/{media_id}");
                self.call(
                    Method::DELETE,
                    &route,
                    &[("force", "true".into())],
                    Body::Empty,
                )
                .await?;
                media = first;
                media_id = first_id;
            }
        }
        // An upload that lost its text, or an image whose alt or caption was edited since.
        if raw(&media, "alt_text") != img.alt || raw(&media, "caption").trim() != img.caption.trim()
        {
            let body = json!({"alt_text": img.alt, "caption": img.caption, "title": title});
            self.post(&format!("/wp/v2/media/{media_id}"), body).await?;
        }
        let source_url = media["source_url"]
            .as_str()
            .ok_or_else(|| bad("media without a source_url", &media))?
            .to_string();
        Ok(PublishedMedia {
            image_id: img.image_id,
            media_id,
            source_url,
        })
    }
}

/// A file name WordPress accepts in Content-Disposition, with an extension it can check
/// against the type.
fn file_name(img: &OutgoingImage) -> String {
    let clean: String = img
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches('.').to_string();
    if clean.contains('.') {
        return clean;
    }
    let ext = match img.mime.as_str() {
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "png",
    };
    format!("{}.{ext}", if clean.is_empty() { "image" } else { &clean })
}

/// The earliest upload in a list (WordPress lists newest first).
fn oldest(list: &Value) -> Option<Value> {
    list.as_array()?
        .iter()
        .filter(|m| id_of(m).is_some())
        .min_by_key(|m| id_of(m))
        .cloned()
}

fn bad(what: &str, v: &Value) -> PublishError {
    PublishError::BadResponse {
        url: "/wp/v2/media".into(),
        detail: format!(
            "{what}: {}",
            v.to_string().chars().take(200).collect::<String>()
        ),
    }
}

/// The article's HTML with each image's `src` replaced by its uploaded URL.
pub(crate) fn rewrite_srcs(
    html: &str,
    images: &[OutgoingImage],
    media: &[PublishedMedia],
) -> String {
    let mut out = html.to_string();
    for (img, m) in images.iter().zip(media) {
        if img.src.is_empty() {
            continue;
        }
        for quote in ['"', '\''] {
            out = out.replace(
                &format!("src={quote}{}{quote}", img.src),
                &format!("src={quote}{}{quote}", m.source_url),
            );
        }
    }
    out
}
