//! A site's publishing queue: publication records with what the calendar shows next to them.

use pressroom_domain::*;
use pressroom_pipeline::publish::queue::QueueItem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One article at one destination.
#[derive(Serialize, ToSchema)]
pub struct PublicationDto {
    pub id: i64,
    pub content_id: i64,
    pub destination_id: i64,
    /// pending, sending, published, failed, unknown or unpublished.
    pub status: String,
    /// When it goes out (UTC milliseconds); absent while held.
    pub scheduled_at: Option<i64>,
    pub held: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Where it is live, once published.
    pub url: Option<String>,
    pub published_at: Option<i64>,
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
            attempts: p.attempts,
            last_error: p.last_error,
            url: p.url,
            published_at: p.published_at,
        }
    }
}

/// A line of the queue: pending by slot first, held ones after them, then the rest.
#[derive(Serialize, ToSchema)]
pub struct QueueItemDto {
    pub publication: PublicationDto,
    pub title: String,
    pub destination: String,
    /// The slot (or publication) in the site's time zone: `2026-06-10` and `09:00`.
    pub local_day: Option<String>,
    pub local_time: Option<String>,
}

impl From<QueueItem> for QueueItemDto {
    fn from(i: QueueItem) -> QueueItemDto {
        QueueItemDto {
            publication: i.publication.into(),
            title: i.title,
            destination: i.destination,
            local_day: i.local_day,
            local_time: i.local_time,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovePublicationBody {
    /// The publication (same destination, pending) to move just before.
    pub before: i64,
}
