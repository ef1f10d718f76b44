//! Destinations (where a site's articles are published), their connection test, and each
//! article's publication records. No shape here carries a destination's secret: a generated
//! webhook signing secret is answered once, beside the destination, when it is added.

use pressroom_domain::publish::{DestinationOptions, PublishSchedule};
use pressroom_domain::*;
use pressroom_pipeline::publish::TestReport;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DestinationDto {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    /// wordpress or webhook.
    pub kind: String,
    /// The WordPress site's root, or the webhook receiver's URL.
    pub url: String,
    /// The WordPress user the application password belongs to.
    pub username: Option<String>,
    /// Always true: the secret is stored sealed and never answered.
    pub secret_set: bool,
    /// post_status (publish, draft, pending), author, allow_private, indexnow_key, images.
    #[schema(value_type = Object)]
    pub options: DestinationOptions,
    /// mode (immediate, slots, stagger), times, every_minutes, window_start, window_end,
    /// daily_cap, weekly_cap.
    #[schema(value_type = Object)]
    pub schedule: PublishSchedule,
    /// active or removed.
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Destination> for DestinationDto {
    fn from(d: Destination) -> DestinationDto {
        DestinationDto {
            id: d.id.get(),
            site_id: d.site_id.get(),
            kind: d.kind.to_string(),
            status: d.status.to_string(),
            name: d.name,
            url: d.url,
            username: d.username,
            secret_set: true,
            options: d.options,
            schedule: d.schedule,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDestinationBody {
    /// 1-80 characters.
    pub name: String,
    /// wordpress or webhook.
    pub kind: String,
    /// WordPress: the site's root (`https://example.com`). Webhook: the receiver's URL.
    pub url: String,
    /// WordPress: the user the application password belongs to.
    pub username: Option<String>,
    /// WordPress: the application password (required). Webhook: the signing secret (at least
    /// 16 characters); absent, one is generated and answered this once.
    pub secret: Option<String>,
    /// Absent: defaults (posts published, public addresses only).
    #[schema(value_type = Option<Object>)]
    pub options: Option<DestinationOptions>,
    /// Absent: immediate, no caps.
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<PublishSchedule>,
}

/// A destination just added; `secret` only when one was generated, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedDestinationDto {
    pub destination: DestinationDto,
    /// The generated webhook signing secret: deliveries carry `x-pressroom-signature`,
    /// `sha256=` + hex HMAC-SHA256(secret, `{x-pressroom-timestamp}.{body}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// A destination change: give any of the fields; the others keep their values. `options`
/// and `schedule` are replaced whole.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationPatchBody {
    pub name: Option<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    /// A new application password or signing secret; never answered.
    pub secret: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub options: Option<DestinationOptions>,
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<PublishSchedule>,
}

/// What "test connection" found: `ok` false is an answer, not an error.
#[derive(Serialize, ToSchema)]
pub struct TestReportDto {
    pub ok: bool,
    pub destination: i64,
    /// One line: what works, or exactly what is wrong.
    pub summary: String,
    /// What was found (site, user, roles, SEO plugin) and warnings.
    pub details: Vec<String>,
}

impl From<TestReport> for TestReportDto {
    fn from(r: TestReport) -> TestReportDto {
        TestReportDto {
            ok: r.ok,
            destination: r.destination.get(),
            summary: r.summary,
            details: r.details,
        }
    }
}

/// One article at one destination.
#[derive(Serialize, ToSchema)]
pub struct PublicationDto {
    pub id: i64,
    pub content_id: i64,
    pub destination_id: i64,
    /// pending, sending, published, failed, unknown or unpublished.
    pub status: String,
    /// When it goes out; null while held.
    pub scheduled_at: Option<i64>,
    pub held: bool,
    /// The destination's id for the post (WordPress post id).
    pub external_id: Option<String>,
    /// Where the article is live, as the destination said.
    pub url: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// What the destination did with the SEO meta: plugin, saved, dropped.
    #[schema(value_type = Option<Object>)]
    pub seo_report: Option<serde_json::Value>,
    /// The post-publish check of the live URL: status, title, image, error.
    #[schema(value_type = Option<Object>)]
    pub live_check: Option<serde_json::Value>,
    pub published_at: Option<i64>,
    pub updated_at: i64,
}

impl From<Publication> for PublicationDto {
    fn from(p: Publication) -> PublicationDto {
        PublicationDto {
            id: p.id.get(),
            content_id: p.content_id.get(),
            destination_id: p.destination_id.get(),
            status: p.status.to_string(),
            scheduled_at: p.scheduled_at,
            held: p.held,
            external_id: p.external_id,
            url: p.url,
            attempts: p.attempts,
            last_error: p.last_error,
            seo_report: p.seo_report,
            live_check: p.live_check,
            published_at: p.published_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UnpublishBody {
    /// WordPress: true moves the post to the trash; false (default) back to draft.
    #[serde(default)]
    pub trash: bool,
}
