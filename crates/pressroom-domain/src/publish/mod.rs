//! Publishing: where a site's approved articles go (destinations), when (a schedule per
//! destination), and the record of each article at each destination (a publication) that
//! makes every post happen once. The clients that talk to WordPress and receivers are the
//! `pressroom-publish` crate's; this is the data and its rules.

mod destination;
pub mod schedule;
mod slots;

pub use destination::{
    DestinationOptions, ImagesInWebhook, NAME_MAX_CHARS, WpPostStatus, validate_destination_url,
};
pub use schedule::{PublishMode, PublishSchedule};

use crate::{
    AccountId, ContentId, DestinationId, DestinationKind, DestinationStatus, PublicationId,
    PublicationStatus, SiteId, TimestampMs,
};
use serde::{Deserialize, Serialize};

/// A place a site's articles are published to. Its secret (a WordPress application password
/// or a webhook's signing secret) is stored sealed and never part of this value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub id: DestinationId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub name: String,
    pub kind: DestinationKind,
    /// The WordPress site's root (`https://example.com`) or the webhook receiver's URL.
    pub url: String,
    /// The WordPress user the application password belongs to; `None` for webhooks.
    pub username: Option<String>,
    pub options: DestinationOptions,
    pub schedule: PublishSchedule,
    pub status: DestinationStatus,
    pub created_at: TimestampMs,
    pub updated_at: TimestampMs,
}

impl Destination {
    /// The host a post-publish check may fetch even when it is private: the destination's own.
    pub fn host(&self) -> Option<String> {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    }
}

/// One article at one destination: its state there, the post it became and when it goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub id: PublicationId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub content_id: ContentId,
    pub destination_id: DestinationId,
    pub status: PublicationStatus,
    /// When it goes out; `None` while held.
    pub scheduled_at: Option<TimestampMs>,
    /// Kept out of the queue by a person until released.
    pub held: bool,
    /// Publish an offline sample to a live destination anyway (asked for explicitly).
    pub force_offline: bool,
    /// The destination's id for the post (WordPress post id), once it has one.
    pub external_id: Option<String>,
    /// Where the article is live, as the destination said.
    pub url: Option<String>,
    /// The article's `updated_at` when it was last sent: later edits are not live yet.
    pub sent_version: Option<TimestampMs>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// What the destination did with the SEO meta (JSON: plugin, saved, dropped).
    pub seo_report: Option<serde_json::Value>,
    /// The post-publish check of the live URL (JSON: status, title, image, error).
    pub live_check: Option<serde_json::Value>,
    pub published_at: Option<TimestampMs>,
    pub created_at: TimestampMs,
    pub updated_at: TimestampMs,
}
