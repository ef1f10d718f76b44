//! The worker that runs Pressroom's jobs: run drivers, image generations, webhook deliveries,
//! publishes and the scheduler's tick. `pressroom worker`, `serve` and `run` all build it here, so every
//! process handles the same kinds.

use crate::context::Pipeline;
use crate::images::{IMAGE_JOB, IMAGES_QUEUE, ImageJob, run_image_job};
use crate::notify::{DELIVER_JOB, DeliverJob, WEBHOOKS_QUEUE, run_delivery_job};
use crate::publish::{PUBLISH_JOB, PUBLISH_QUEUE, PublishJob, run_publish_job};
use crate::runs::{RUN_JOB, RUNS_QUEUE, RunJob, run_driver_job};
use crate::scheduler::{SCHEDULER_QUEUE, TICK_JOB, TickJob, run_tick_job};
use pressroom_queue::{JobContext, Worker, WorkerConfig};

/// Runs drivers at once per process; each drives one site's run.
pub const RUN_CONCURRENCY: usize = 4;
/// Webhook deliveries at once per process; each waits at most a few seconds on a receiver.
pub const WEBHOOK_CONCURRENCY: usize = 4;
/// Publishes at once per process; each talks to one destination for up to a minute a request.
pub const PUBLISH_CONCURRENCY: usize = 4;
/// Image jobs at once per process unless configured; the provider's own limiter caps calls.
/// Twice the largest default provider limit (Runware's 8 in flight), see [`image_slots_for`].
pub const DEFAULT_IMAGE_CONCURRENCY: usize = 16;

/// Worker slots that keep a provider allowing `provider_in_flight` calls busy. Each image spends
/// a few milliseconds on database and file work around its call; with twice as many jobs as
/// calls, the next image is loaded, marked `generating` and waiting on the limiter when a call
/// returns, and the finished image is saved while the next call is out. The limiter, not the
/// slot count, decides how many calls the provider sees.
pub fn image_slots_for(provider_in_flight: usize) -> usize {
    provider_in_flight.max(1) * 2
}

pub fn worker(p: &Pipeline, image_concurrency: usize, config: WorkerConfig) -> Worker {
    let (runs, images, hooks, ticks, publishes) =
        (p.clone(), p.clone(), p.clone(), p.clone(), p.clone());
    Worker::builder(p.db().clone())
        .register(RUN_JOB, move |ctx: JobContext, job: RunJob| {
            run_driver_job(runs.clone(), ctx, job)
        })
        .register(IMAGE_JOB, move |ctx: JobContext, job: ImageJob| {
            run_image_job(images.clone(), ctx, job)
        })
        .register(DELIVER_JOB, move |ctx: JobContext, job: DeliverJob| {
            run_delivery_job(hooks.clone(), ctx, job)
        })
        .register(TICK_JOB, move |ctx: JobContext, job: TickJob| {
            run_tick_job(ticks.clone(), ctx, job)
        })
        .register(PUBLISH_JOB, move |ctx: JobContext, job: PublishJob| {
            run_publish_job(publishes.clone(), ctx, job)
        })
        .queue(RUNS_QUEUE, RUN_CONCURRENCY)
        .queue(PUBLISH_QUEUE, PUBLISH_CONCURRENCY)
        .queue(WEBHOOKS_QUEUE, WEBHOOK_CONCURRENCY)
        .queue(SCHEDULER_QUEUE, 1)
        .queue(IMAGES_QUEUE, image_concurrency.max(1))
        .config(config)
        .build()
}
