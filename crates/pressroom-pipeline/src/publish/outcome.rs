//! What one attempt to reach a destination came to, in the terms the publish job records.
//! A leaf: every destination kind's sender returns these.

use crate::context::PipelineError;
use pressroom_publish::PublishError;
use std::time::Duration;

/// A send the destination confirmed.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub external_id: String,
    pub url: Option<String>,
    pub seo_report: Option<serde_json::Value>,
    /// What the destination kept differently from what was sent (dropped SEO meta...).
    pub warning: Option<String>,
    /// What the post-publish check looks for, when the post is public.
    pub live_target: Option<LiveTarget>,
}

#[derive(Debug, Clone)]
pub(super) struct LiveTarget {
    pub url: String,
    pub title: String,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) enum SendFailure {
    /// The request went out and no answer came: the post may exist.
    Ambiguous(String),
    RateLimited {
        message: String,
        retry_after: Duration,
    },
    /// Worth another try later (unreachable, a 5xx, the database blinked).
    Transient(String),
    /// No retry can fix it: a person must change something.
    Permanent(String),
}

impl From<PipelineError> for SendFailure {
    fn from(e: PipelineError) -> SendFailure {
        let transient = matches!(&e, PipelineError::Store(s) if s.is_transient());
        if transient {
            SendFailure::Transient(e.to_string())
        } else {
            SendFailure::Permanent(e.to_string())
        }
    }
}

impl From<PublishError> for SendFailure {
    fn from(e: PublishError) -> SendFailure {
        if e.is_ambiguous() {
            SendFailure::Ambiguous(e.to_string())
        } else if let PublishError::RateLimited { retry_after } = &e {
            SendFailure::RateLimited {
                message: e.to_string(),
                retry_after: retry_after.unwrap_or(Duration::from_secs(60)),
            }
        } else if e.is_permanent() {
            SendFailure::Permanent(e.to_string())
        } else {
            SendFailure::Transient(e.to_string())
        }
    }
}
