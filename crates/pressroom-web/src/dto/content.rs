//! Articles, their images, links, checks and revisions as the API and `pressroom content`
//! show them.

use pressroom_domain::article::{Check, OnPageReport};
use pressroom_domain::*;
use pressroom_pipeline::article::{ArticleView, media_url};
use pressroom_store::LinkView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ContentDto {
    pub id: i64,
    pub site_id: i64,
    pub task_id: i64,
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    /// Sanitised HTML of the text as written (without images and links; see `ArticleDto.html`).
    pub body_html: String,
    pub body_markdown: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub status: String,
    /// Written by the built-in offline writer: a sample, not for publishing.
    pub offline: bool,
    /// 1 for the first text; each regenerate or restore adds one.
    pub version: i64,
    /// On-page score out of 100 (percent of checks passed); null until checked.
    pub score: Option<u8>,
    pub checks: Vec<CheckDto>,
    pub updated_at: i64,
}

impl From<Content> for ContentDto {
    fn from(c: Content) -> ContentDto {
        let (score, checks) = match c.checks {
            Some(OnPageReport { score, checks }) => (
                Some(score),
                checks.into_iter().map(CheckDto::from).collect(),
            ),
            None => (None, Vec::new()),
        };
        ContentDto {
            id: c.id.get(),
            site_id: c.site_id.get(),
            task_id: c.task_id.get(),
            title: c.title,
            slug: c.slug,
            meta_title: c.meta_title,
            meta_description: c.meta_description,
            excerpt: c.excerpt,
            body_html: c.body_html,
            body_markdown: c.body_markdown,
            word_count: c.word_count,
            primary_keyword: c.primary_keyword,
            secondary_keywords: c.secondary_keywords,
            status: c.status.to_string(),
            offline: c.offline,
            version: c.version,
            score,
            checks,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckDto {
    /// meta_title, meta_description, single_h1, section_headings, keyword_in_intro,
    /// keyword_density, image_alt_text, internal_links, paragraph_length, slug_length,
    /// no_invented_sources.
    pub name: String,
    pub pass: bool,
    pub reason: String,
}

impl From<Check> for CheckDto {
    fn from(c: Check) -> CheckDto {
        CheckDto {
            name: c.name.as_str().to_string(),
            pass: c.pass,
            reason: c.reason,
        }
    }
}

/// One article whole: its fields, the body a reader sees, its images and its links.
#[derive(Serialize, ToSchema)]
pub struct ArticleDto {
    #[serde(flatten)]
    pub content: ContentDto,
    /// Sanitised HTML with the in-article images after their sections and the internal links
    /// at their anchors (site-relative URLs: `/media/...`, `/{slug}/`).
    pub html: String,
    /// Featured first, then in-article by position.
    pub images: Vec<ImageDto>,
    /// This article's links to others of its cluster (active ones).
    pub links: Vec<LinkDto>,
}

impl From<ArticleView> for ArticleDto {
    fn from(a: ArticleView) -> ArticleDto {
        ArticleDto {
            html: a.html,
            images: a.images.into_iter().map(ImageDto::from).collect(),
            links: a.links.into_iter().map(LinkDto::from).collect(),
            content: a.content.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LinkDto {
    pub id: i64,
    pub source_id: i64,
    pub source_title: String,
    pub target_id: i64,
    pub target_title: String,
    pub target_slug: String,
    /// The words of the source's text that carry the link.
    pub anchor: String,
    /// active, or removed (taken out by a person; not planned again).
    pub status: String,
}

impl From<LinkView> for LinkDto {
    fn from(l: LinkView) -> LinkDto {
        LinkDto {
            id: l.link.id.get(),
            source_id: l.link.source_id.get(),
            source_title: l.source_title,
            target_id: l.link.target_id.get(),
            target_title: l.target_title,
            target_slug: l.target_slug,
            anchor: l.link.anchor,
            status: l.link.status.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RevisionDto {
    pub id: i64,
    pub content_id: i64,
    pub version: i64,
    pub title: String,
    pub meta_title: String,
    pub offline: bool,
    pub created_at: i64,
}

impl From<ContentRevision> for RevisionDto {
    fn from(r: ContentRevision) -> RevisionDto {
        RevisionDto {
            id: r.id.get(),
            content_id: r.content_id.get(),
            version: r.version,
            title: r.title,
            meta_title: r.meta_title,
            offline: r.offline,
            created_at: r.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentEditBody {
    /// 1-300 characters.
    pub title: Option<String>,
    /// Markdown; re-rendered and sanitised on save.
    pub body_markdown: Option<String>,
    /// The check wants at most 60 characters with the primary keyword.
    pub meta_title: Option<String>,
    /// The check wants 120-160 characters.
    pub meta_description: Option<String>,
    /// Lower-case words joined by hyphens.
    pub slug: Option<String>,
    pub excerpt: Option<String>,
    pub primary_keyword: Option<String>,
    /// With a new title and no slug: make the slug from the title.
    #[serde(default)]
    pub slug_from_title: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkReviewBody {
    /// approve, reject or reopen.
    pub action: String,
    /// Content ids (1-500); or leave empty and set `all_passing` (approve only).
    #[serde(default)]
    pub ids: Vec<i64>,
    /// Approve every article of the site in review whose checks all pass (offline samples
    /// excepted).
    #[serde(default)]
    pub all_passing: bool,
    #[serde(default)]
    pub confirm_offline: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewOutcomeDto {
    pub id: i64,
    pub ok: bool,
    pub error: Option<String>,
}

impl From<pressroom_pipeline::content::ReviewOutcome> for ReviewOutcomeDto {
    fn from(o: pressroom_pipeline::content::ReviewOutcome) -> ReviewOutcomeDto {
        ReviewOutcomeDto {
            id: o.id.get(),
            ok: o.result.is_ok(),
            error: o.result.err(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageEditBody {
    /// What the image shows, 1-125 characters.
    pub alt_text: String,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct ImageDto {
    pub id: i64,
    pub content_id: i64,
    /// featured or in-article.
    pub image_type: String,
    pub position: i64,
    pub prompt: String,
    /// What the image shows, for readers who cannot see it.
    pub alt_text: String,
    /// The H2 an in-article image follows.
    pub section: Option<String>,
    /// 1 for the first picture; each regenerate or upload adds one.
    pub generation: i64,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub size: String,
    /// Where the signed-in user can fetch the file, once generated.
    pub url: Option<String>,
    /// The file under the media directory, once generated.
    pub path: Option<String>,
    pub bytes: Option<i64>,
    pub error: Option<String>,
    pub attempts: i64,
    pub status: String,
}

impl From<Image> for ImageDto {
    fn from(i: Image) -> ImageDto {
        ImageDto {
            id: i.id.get(),
            content_id: i.content_id.get(),
            image_type: i.image_type.to_string(),
            position: i.position,
            prompt: i.prompt,
            alt_text: i.alt_text,
            section: i.section,
            generation: i.generation,
            provider: i.provider,
            model: i.model,
            size: i.size,
            url: i.file_path.as_deref().map(media_url),
            path: i.file_path,
            bytes: i.bytes,
            error: i.error,
            attempts: i.attempts,
            status: i.status.to_string(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateImagesBody {
    /// Image ids (1-500). Failed images are queued again; generated ones are skipped.
    pub ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ImageOutcomeDto {
    pub image: i64,
    /// queued, already_generated or not_found.
    pub outcome: String,
}

impl From<pressroom_pipeline::images::ImageRequestOutcome> for ImageOutcomeDto {
    fn from(o: pressroom_pipeline::images::ImageRequestOutcome) -> ImageOutcomeDto {
        use pressroom_pipeline::images::ImageRequestOutcome as O;
        let (image, outcome) = match o {
            O::Queued { image } => (image, "queued"),
            O::AlreadyGenerated { image } => (image, "already_generated"),
            O::NotFound { image } => (image, "not_found"),
        };
        ImageOutcomeDto {
            image: image.get(),
            outcome: outcome.into(),
        }
    }
}
