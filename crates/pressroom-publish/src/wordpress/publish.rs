//! The whole post, in an order that is safe to repeat: find what was already made, upload
//! images, terms, create or update the post, SEO meta, read back.

use super::client::{Body, WordPressClient, id_of, raw};
pub use super::media::PublishedMedia;
use super::media::rewrite_srcs;
use super::seo::{SeoPlugin, SeoReport, yoast_meta};
use crate::article::OutgoingArticle;
use crate::error::PublishError;
use reqwest::Method;
use serde_json::{Value, json};

/// What WordPress confirmed, read back after the last write.
#[derive(Debug, Clone)]
pub struct Published {
    pub post_id: u64,
    /// The post's `link` (for a draft, WordPress's `?p=` preview address).
    pub url: String,
    pub status: String,
    pub featured_media: u64,
    pub media: Vec<PublishedMedia>,
    pub seo: SeoReport,
    /// The post was found by its slug and marker (made by an earlier attempt whose result
    /// was lost) rather than created or given as `known_post`.
    pub adopted: bool,
    /// What WordPress kept differently from what was sent (featured image, slug, status,
    /// terms), read back; empty when the post is exactly as sent.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnpublishTo {
    Draft,
    Trash,
}

/// The comment at the top of every post Pressroom makes; it survives WordPress's HTML
/// filtering for every role, and tells our posts from anyone else's.
pub fn marker(content_id: i64) -> String {
    format!("<!-- pressroom:content:{content_id} -->")
}

const ANY_STATUS: &str = "publish,future,draft,pending,private";

impl WordPressClient {
    /// Creates the post, or updates the one made before for this article (`known_post`, or
    /// found by slug and marker). A post with the slug that Pressroom did not make for this
    /// article is a [`PublishError::Conflict`] and is never touched.
    pub async fn publish(
        &self,
        a: &OutgoingArticle,
        known_post: Option<u64>,
    ) -> Result<Published, PublishError> {
        let site = self.site().await?.clone();
        self.me().await?;
        let plugin = SeoPlugin::from_namespaces(&site.namespaces);
        let mark = marker(a.content_id);
        let (existing, adopted) = match self.find_post(a, known_post, &mark).await? {
            Found::Known(id) => (Some(id), false),
            Found::BySlug(id) => (Some(id), true),
            Found::Nothing => (None, false),
        };
        let media = self.upload_images(a).await?;
        let featured = a
            .images
            .iter()
            .zip(&media)
            .find(|(img, _)| img.featured)
            .map(|(_, m)| m.media_id)
            .unwrap_or(0);
        let categories = self.term_ids("categories", &a.categories).await?;
        let tags = self.term_ids("tags", &a.tags).await?;
        let html = rewrite_srcs(&a.html, &a.images, &media);
        let mut body = json!({
            "title": a.title,
            "content": format!("{mark}\n{html}"),
            "excerpt": a.excerpt,
            "slug": a.slug,
            "status": self.target.post_status.as_str(),
            "tags": tags,
            "featured_media": featured,
        });
        // An empty list would leave WordPress's default category; say nothing instead.
        if !categories.is_empty() {
            body["categories"] = json!(categories);
        }
        if let Some(author) = self.target.author {
            body["author"] = json!(author);
        }
        if plugin == SeoPlugin::Yoast {
            body["meta"] = yoast_meta(a);
        }
        let route = match existing {
            Some(id) => format!("/wp/v2/posts/{id}"),
            None => "/wp/v2/posts".to_string(),
        };
        let written = self.post(&route, body.clone()).await?;
        let mut post_id = id_of(&written).ok_or_else(|| PublishError::BadResponse {
            url: route.clone(),
            detail: "post without an id".into(),
        })?;
        let mut adopted = adopted;
        // Two workers that both found nothing both create; the later one deletes its post
        // and writes this version into the earlier one, so one post remains.
        if existing.is_none()
            && let Some(first) = self.earlier_twin(a, &mark, post_id).await?
        {
            let route = format!("/wp/v2/posts/{post_id}");
            self.call(
                Method::DELETE,
                &route,
                &[("force", "true".into())],
                Body::Empty,
            )
            .await?;
            self.post(&format!("/wp/v2/posts/{first}"), body).await?;
            post_id = first;
            adopted = true;
        }
        // A refusal (no such route, no permission) leaves the post published and the meta
        // reported dropped with the reason; a transient failure fails the publish for a retry.
        let mut refused = None;
        if plugin == SeoPlugin::RankMath {
            match self.write_rank_math(post_id, a).await {
                Ok(()) => {}
                Err(e @ PublishError::Rejected { .. }) if e.is_permanent() => {
                    refused = Some(e.to_string())
                }
                Err(e) => return Err(e),
            }
        }
        let back = self
            .get(
                &format!("/wp/v2/posts/{post_id}"),
                &[("context", "edit".into())],
            )
            .await?;
        if !raw(&back, "content").contains(&mark) {
            return Err(PublishError::BadResponse {
                url: format!("/wp/v2/posts/{post_id}"),
                detail:
                    "the post read back lacks Pressroom's marker: its content was not saved as sent"
                        .into(),
            });
        }
        let seo = self.verify_seo(&site, plugin, a, &back, refused).await;
        let sent = Sent {
            featured,
            slug: &a.slug,
            status: self.target.post_status.as_str(),
            categories: &categories,
            tags: &tags,
        };
        Ok(Published {
            post_id,
            url: back["link"].as_str().unwrap_or_default().to_string(),
            status: back["status"].as_str().unwrap_or_default().to_string(),
            featured_media: back["featured_media"].as_u64().unwrap_or(0),
            media,
            seo,
            adopted,
            warnings: differences(&sent, &back),
        })
    }

    async fn find_post(
        &self,
        a: &OutgoingArticle,
        known: Option<u64>,
        mark: &str,
    ) -> Result<Found, PublishError> {
        if let Some(id) = known {
            match self
                .get(&format!("/wp/v2/posts/{id}"), &[("context", "edit".into())])
                .await
            {
                Ok(post) => {
                    let content = raw(&post, "content");
                    // Ours, or ours with the marker edited away by hand; someone else's
                    // article only when another content id's marker is there.
                    if content.contains(mark) || !content.contains("<!-- pressroom:content:") {
                        return Ok(Found::Known(id));
                    }
                    return Err(PublishError::Conflict {
                        slug: post["slug"].as_str().unwrap_or_default().into(),
                        post_id: id,
                    });
                }
                // Deleted in WordPress: look by slug, else make it again.
                Err(PublishError::Rejected {
                    status: 404 | 410, ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        let query = [
            ("slug", a.slug.clone()),
            ("status", ANY_STATUS.into()),
            ("context", "edit".into()),
        ];
        let found = self.get("/wp/v2/posts", &query).await?;
        let posts = found.as_array().cloned().unwrap_or_default();
        // The oldest, should a race have left two (see `earlier_twin`).
        let ours = posts
            .iter()
            .filter(|p| raw(p, "content").contains(mark))
            .min_by_key(|p| id_of(p));
        if let Some(ours) = ours {
            return id_of(ours)
                .map(Found::BySlug)
                .ok_or_else(|| PublishError::BadResponse {
                    url: "/wp/v2/posts".into(),
                    detail: "post without an id".into(),
                });
        }
        if let Some(other) = posts.first() {
            return Err(PublishError::Conflict {
                slug: a.slug.clone(),
                post_id: id_of(other).unwrap_or(0),
            });
        }
        Ok(Found::Nothing)
    }

    /// A post with this article's slug and marker made before `ours` (WordPress gives a
    /// later post of the same slug `slug-2`, or for drafts the same slug).
    async fn earlier_twin(
        &self,
        a: &OutgoingArticle,
        mark: &str,
        ours: u64,
    ) -> Result<Option<u64>, PublishError> {
        let query = [
            ("slug", a.slug.clone()),
            ("status", ANY_STATUS.into()),
            ("context", "edit".into()),
        ];
        let found = self.get("/wp/v2/posts", &query).await?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| raw(p, "content").contains(mark))
            .filter_map(id_of)
            .filter(|id| *id < ours)
            .min())
    }

    /// Takes a post back: to draft (kept, not public) or to the trash (WordPress empties it
    /// after its own delay). Returns the post's new status.
    pub async fn unpublish(&self, post_id: u64, to: UnpublishTo) -> Result<String, PublishError> {
        let route = format!("/wp/v2/posts/{post_id}");
        let post: Value = match to {
            UnpublishTo::Draft => self.post(&route, json!({"status": "draft"})).await?,
            UnpublishTo::Trash => {
                self.call(Method::DELETE, &route, &[], super::client::Body::Empty)
                    .await?
            }
        };
        Ok(post["status"].as_str().unwrap_or_default().to_string())
    }
}

enum Found {
    Known(u64),
    BySlug(u64),
    Nothing,
}

struct Sent<'a> {
    featured: u64,
    slug: &'a str,
    status: &'a str,
    categories: &'a [u64],
    tags: &'a [u64],
}

/// What the post read back says differently from what was sent.
fn differences(sent: &Sent, back: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let featured = back["featured_media"].as_u64().unwrap_or(0);
    if featured != sent.featured {
        out.push(format!(
            "featured image: sent media {}, WordPress kept {featured}",
            sent.featured
        ));
    }
    let slug = back["slug"].as_str().unwrap_or_default();
    if slug != sent.slug {
        out.push(format!(
            "slug: WordPress changed '{}' to '{slug}' (another item has it)",
            sent.slug
        ));
    }
    let status = back["status"].as_str().unwrap_or_default();
    if status != sent.status {
        out.push(format!(
            "status: sent '{}', WordPress kept '{status}'",
            sent.status
        ));
    }
    let ids = |field: &str| -> Vec<u64> {
        let mut v: Vec<u64> = back[field]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        v.sort_unstable();
        v
    };
    for (field, sent_ids) in [("categories", sent.categories), ("tags", sent.tags)] {
        let mut want = sent_ids.to_vec();
        want.sort_unstable();
        // No categories sent leaves WordPress's default category; that is expected.
        if !(field == "categories" && want.is_empty()) && ids(field) != want {
            out.push(format!(
                "{field}: sent {want:?}, WordPress kept {:?}",
                ids(field)
            ));
        }
    }
    out
}
