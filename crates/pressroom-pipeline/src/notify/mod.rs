//! Notifications: an account's signed webhooks (SPEC section 9). An event is announced in the
//! transaction that makes it true (a run's final status): its deliveries are rows and its
//! delivery jobs are queued in that transaction, so no event is lost or invented by a crash.
//! The queue's `webhook.deliver` jobs sign and send each one, with retries and a log.
//!
//! - `hooks`: adding, listing, removing and pinging webhooks, sending a failed delivery again
//!   (the use cases).
//! - `deliver`: the job handler, the signature and the retry schedule.
//! - `events`: what each event's body says.

mod deliver;
mod events;
mod hooks;

pub use deliver::{
    DELIVER_JOB, DeliverJob, SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOKS_QUEUE, run_delivery_job,
    sign,
};
pub use events::{announce_in, run_finished_in};
pub use hooks::{
    NewWebhook, add_webhook, deliveries, list_webhooks, ping_webhook, remove_webhook,
    resend_delivery,
};
