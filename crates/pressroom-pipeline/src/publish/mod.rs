//! Publishing approved articles: destinations (WordPress, webhooks) managed per site, one
//! record per (article, destination), sent by a queue job exactly once whatever crashes,
//! at the slot its destination's schedule gives, checked live after.

mod check;
pub mod destinations;
pub mod job;
mod outcome;
mod outgoing;
pub mod queue;
mod receiver;
mod send;
mod test;
mod unpublish;
pub mod webhook;

pub use destinations::{
    AddedDestination, DestinationChange, DestinationInput, add_destination, change_destination,
    list_destinations, remove_destination,
};
pub use job::{PUBLISH_JOB, PUBLISH_QUEUE, PublishJob, enqueue_publication, run_publish_job};
pub use test::{TestReport, test_destination};
pub use unpublish::unpublish;
