//! A site's publishing queue: publication records with what the calendar shows next to them.

use super::PublicationDto;
use pressroom_pipeline::publish::queue::QueueItem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
