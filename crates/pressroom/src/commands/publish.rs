//! `pressroom publish articles|status|unpublish` and the queue's commands: approved articles
//! sent to a site's destinations, through the same pipeline functions as the API and pages.

use super::publish_queue::{self, PublishQueueCommand};
use crate::config::{Config, find_site, pipeline, work_until};
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::publish::{self, queue::When};
use serde_json::json;

/// Articles read per page when publishing every approved article of a site.
const PAGE: u32 = 200;

#[derive(Subcommand, Debug)]
pub enum PublishCommand {
    /// Queue articles at the site's destinations: at their schedule's next slots, `--now`,
    /// or `--hold`. Published articles are sent again and their posts updated in place.
    Articles {
        site: String,
        /// Content ids; none with `--approved`: every approved article of the site.
        ids: Vec<i64>,
        #[arg(long)]
        approved: bool,
        /// Only these destinations (comma-separated ids); default: every active one.
        #[arg(long, value_delimiter = ',')]
        to: Vec<i64>,
        #[arg(long, conflicts_with = "hold")]
        now: bool,
        #[arg(long)]
        hold: bool,
        /// Send offline samples to live destinations anyway.
        #[arg(long)]
        force_offline: bool,
        /// Work the publish queue in this process until these records are sent or failed.
        #[arg(long)]
        wait: bool,
    },
    /// An article's records at each destination: status, live URL, check, errors.
    Status { content: i64 },
    /// Take an article down at one destination (WordPress: back to draft, or `--trash`).
    Unpublish {
        publication: i64,
        #[arg(long)]
        trash: bool,
    },
    #[command(flatten)]
    Queue(PublishQueueCommand),
}

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: PublishCommand,
) -> anyhow::Result<Exit> {
    let cmd = match cmd {
        PublishCommand::Queue(q) => return publish_queue::command(config, out, q).await,
        other => other,
    };
    let (p, account) = pipeline(config).await?;
    match cmd {
        PublishCommand::Articles {
            site,
            ids,
            approved,
            to,
            now,
            hold,
            force_offline,
            wait,
        } => {
            let site = find_site(p.db(), account, &site).await?;
            let ids = match (ids.is_empty(), approved) {
                (false, false) => ids.into_iter().map(ContentId::new).collect(),
                (true, true) => approved_ids(&p, account, site.id).await?,
                _ => anyhow::bail!(
                    "name content ids, or --approved for every approved article (not both)"
                ),
            };
            let when = if now {
                When::Now
            } else if hold {
                When::Hold
            } else {
                When::Schedule
            };
            let to: Vec<DestinationId> = to.into_iter().map(DestinationId::new).collect();
            let dests = (!to.is_empty()).then_some(to.as_slice());
            let (mut queued, mut refused) = (Vec::new(), Vec::new());
            for id in &ids {
                match publish::queue::queue_content(&p, account, *id, dests, when, force_offline)
                    .await
                {
                    Ok(q) => queued.extend(q.into_iter().map(|q| q.publication)),
                    Err(e) if !e.is_transient() => {
                        refused.push(json!({"content": id, "error": e.to_string()}))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if wait {
                let ids: Vec<PublicationId> = queued.iter().map(|r| r.id).collect();
                let p2 = p.clone();
                work_until(&p, move || {
                    let (p, ids) = (p2.clone(), ids.clone());
                    async move { settled(&p, account, &ids).await }
                })
                .await?;
                let mut now = Vec::new();
                for r in &queued {
                    now.push(p.db().publication(account, r.id).await?);
                }
                queued = now;
            }
            let failed = queued
                .iter()
                .filter(|r| r.status == PublicationStatus::Failed)
                .count();
            out.emit(
                || {
                    let mut lines: Vec<String> = queued.iter().map(record_line).collect();
                    lines.extend(refused.iter().map(|r| format!("content {}: {}", r["content"], r["error"].as_str().unwrap_or(""))));
                    if lines.is_empty() {
                        lines.push("nothing to publish".into());
                    }
                    if !wait && !queued.is_empty() {
                        lines.push("a running `pressroom worker` or `serve` sends them at their slots (or add --wait)".into());
                    }
                    lines.join("\n")
                },
                json!({"publications": queued, "refused": refused}),
            );
            if failed > 0 || !refused.is_empty() {
                return Ok(Exit::Failures);
            }
        }
        PublishCommand::Status { content } => {
            let records = p
                .db()
                .publications_of_content(account, ContentId::new(content))
                .await?;
            out.emit(
                || {
                    if records.is_empty() {
                        return format!("content {content} is not queued anywhere");
                    }
                    records
                        .iter()
                        .map(record_line)
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"publications": records}),
            );
        }
        PublishCommand::Unpublish { publication, trash } => {
            let r = publish::unpublish(&p, account, PublicationId::new(publication), trash).await?;
            out.emit(|| record_line(&r), json!({"publication": r}));
        }
        PublishCommand::Queue(_) => unreachable!("handled above"),
    }
    Ok(Exit::Ok)
}

async fn approved_ids(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> anyhow::Result<Vec<ContentId>> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = p
            .db()
            .content_after(account, site, Some(ContentStatus::Approved), after, PAGE)
            .await?;
        let Some(last) = page.last() else {
            return Ok(ids);
        };
        after = last.id.get();
        ids.extend(page.iter().map(|c| c.id));
    }
}

/// Every record sent or failed (an `unknown` one is still being found out).
async fn settled(p: &Pipeline, account: AccountId, ids: &[PublicationId]) -> anyhow::Result<bool> {
    for id in ids {
        let r = p.db().publication(account, *id).await?;
        if matches!(
            r.status,
            PublicationStatus::Pending | PublicationStatus::Sending | PublicationStatus::Unknown
        ) && !r.held
        {
            return Ok(false);
        }
    }
    Ok(true)
}

fn record_line(r: &Publication) -> String {
    let mut s = format!(
        "publication {} (content {}, destination {}): {}",
        r.id, r.content_id, r.destination_id, r.status
    );
    if let Some(url) = &r.url {
        s.push_str(&format!("  {url}"));
    }
    if let Some(check) = &r.live_check {
        s.push_str(if check["passed"] == true {
            "  live check passed"
        } else {
            "  live check FAILED"
        });
    }
    if let Some(e) = &r.last_error {
        s.push_str(&format!("\n    {e}"));
    }
    s
}
