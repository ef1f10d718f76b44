//! `pressroom webhooks add|list|remove|ping|deliveries`: the account's signed notifications,
//! through the same pipeline functions as the API and the Webhooks page.

use crate::config::{Config, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;
use pressroom_domain::{Delivery, DeliveryId, Webhook, WebhookId, webhook};
use pressroom_pipeline::notify;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum WebhooksCommand {
    /// Add a webhook. Its signing secret is printed once; only a sealed copy is kept.
    Add {
        /// Where to POST (http or https, a public address).
        url: String,
        /// Comma-separated: run-completed, run-failed, run-awaiting-review, images-failed, or all.
        #[arg(long, default_value = "all")]
        events: String,
    },
    /// The account's webhooks (removed ones too, with their log).
    List,
    /// Stop sending to a webhook; its delivery log stays.
    Remove { id: i64 },
    /// Send a test `ping` to a webhook through the queue (a worker or `serve` delivers it).
    Ping { id: i64 },
    /// Send a delivery again (a failed one after its receiver was fixed); the same body,
    /// freshly signed.
    Resend { delivery: i64 },
    /// A webhook's latest deliveries: event, status, attempts, the receiver's answer.
    Deliveries {
        id: i64,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: WebhooksCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    match cmd {
        WebhooksCommand::Add { url, events } => {
            let events = webhook::parse_events(&events)?;
            let added = notify::add_webhook(&p, account, &url, &events).await?;
            out.emit(
                || {
                    format!(
                        "added webhook {} for {}\nsigning secret (shown once; store it now): {}",
                        added.webhook.id,
                        events_text(&added.webhook),
                        added.secret
                    )
                },
                json!({"webhook": added.webhook, "secret": added.secret}),
            );
        }
        WebhooksCommand::List => {
            let hooks = notify::list_webhooks(&p, account).await?;
            out.emit(
                || {
                    if hooks.is_empty() {
                        return "no webhooks; add one with `pressroom webhooks add URL`".into();
                    }
                    hooks
                        .iter()
                        .map(|h| {
                            format!(
                                "{:>4}  {:<8} {}  [{}]",
                                h.id,
                                h.status,
                                h.url,
                                events_text(h)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"webhooks": hooks}),
            );
        }
        WebhooksCommand::Remove { id } => {
            let hook = notify::remove_webhook(&p, account, WebhookId::new(id)).await?;
            out.emit(
                || format!("webhook {} removed; its log stays", hook.id),
                json!({"webhook": hook}),
            );
        }
        WebhooksCommand::Ping { id } => {
            let delivery = notify::ping_webhook(&p, account, WebhookId::new(id)).await?;
            out.emit(
                || {
                    format!(
                        "ping queued as delivery {delivery}; a running worker or `serve` sends it (see `pressroom webhooks deliveries {id}`)"
                    )
                },
                json!({"delivery": delivery}),
            );
        }
        WebhooksCommand::Resend { delivery } => {
            let d = notify::resend_delivery(&p, account, DeliveryId::new(delivery)).await?;
            out.emit(
                || {
                    format!(
                        "delivery {} queued again; a running worker or `serve` sends it",
                        d.id
                    )
                },
                json!({"delivery": d}),
            );
        }
        WebhooksCommand::Deliveries { id, limit } => {
            let log = notify::deliveries(&p, account, WebhookId::new(id), limit).await?;
            out.emit(|| deliveries_text(&log), json!({"deliveries": log}));
        }
    }
    Ok(Exit::Ok)
}

fn events_text(h: &Webhook) -> String {
    h.events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn deliveries_text(log: &[Delivery]) -> String {
    if log.is_empty() {
        return "no deliveries yet".into();
    }
    log.iter()
        .map(|d| {
            format!(
                "{:>5}  {:<20} {:<9} attempts {}  {}{}",
                d.id,
                d.event,
                d.status,
                d.attempts,
                d.response_status
                    .map(|s| format!("HTTP {s}"))
                    .unwrap_or_default(),
                d.error
                    .as_deref()
                    .map(|e| format!("  {e}"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
