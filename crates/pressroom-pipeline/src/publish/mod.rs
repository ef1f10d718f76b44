//! Publishing approved articles: destinations (WordPress, webhooks) managed per site, one
//! record per (article, destination), sent by a queue job exactly once whatever crashes,
//! at the slot its destination's schedule gives, checked live after.

pub mod job;
pub mod webhook;

pub use job::{PUBLISH_JOB, PUBLISH_QUEUE, PublishJob, enqueue_publication};
