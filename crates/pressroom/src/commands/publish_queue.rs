//! `pressroom publish queue|hold|release|now|move`: a site's publishing queue and the moves a
//! person makes in it, through the same pipeline functions as the API and the Publishing page.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;
use pressroom_domain::{Publication, PublicationId};
use pressroom_pipeline::publish::queue::{self, QueueItem};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum PublishQueueCommand {
    /// What goes out when: pending by slot (local time of the site), held, then sent ones.
    Queue {
        /// The site (name or id).
        site: String,
        /// Page of 100, from 0.
        #[arg(long, default_value_t = 0)]
        page: u32,
    },
    /// Keep a pending publication out of the queue until released.
    Hold { id: i64 },
    /// Put a held publication back, at the end of its destination's queue.
    Release { id: i64 },
    /// Send a pending publication now, outside the schedule.
    Now { id: i64 },
    /// Move a publication to just before another of the same destination (they take the
    /// slots between them in the new order).
    Move {
        id: i64,
        #[arg(long)]
        before: i64,
    },
}

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: PublishQueueCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let one = |verb: &str, publication: Publication| {
        let line = format!(
            "publication {} {verb}: {}",
            publication.id,
            state(&publication)
        );
        out.emit(|| line.clone(), json!({ "publication": publication }));
    };
    match cmd {
        PublishQueueCommand::Queue { site, page } => {
            let site = find_site(p.db(), account, &site).await?;
            let items = queue::queue_view(&p, account, site.id, page).await?;
            out.emit(
                || text(&items, &site.settings.timezone),
                json!({ "site": site.id, "timezone": site.settings.timezone, "items": items }),
            );
        }
        PublishQueueCommand::Hold { id } => {
            one(
                "held",
                queue::hold(&p, account, PublicationId::new(id)).await?,
            );
        }
        PublishQueueCommand::Release { id } => {
            let released = queue::release(&p, account, PublicationId::new(id)).await?;
            one("released", released);
        }
        PublishQueueCommand::Now { id } => {
            let now = queue::publish_now(&p, account, PublicationId::new(id)).await?;
            one(
                "queued to send now (a running worker or `serve` sends it)",
                now,
            );
        }
        PublishQueueCommand::Move { id, before } => {
            let moved = queue::move_before(
                &p,
                account,
                PublicationId::new(id),
                PublicationId::new(before),
            )
            .await?;
            out.emit(
                || format!("{} publications took new slots", moved.len()),
                json!({ "moved": moved }),
            );
        }
    }
    Ok(Exit::Ok)
}

fn state(p: &Publication) -> String {
    if p.held {
        return "held".into();
    }
    match p.scheduled_at {
        Some(at) => format!("{}, slot {}", p.status, utc(at)),
        None => p.status.to_string(),
    }
}

fn utc(at: i64) -> String {
    jiff::Timestamp::from_millisecond(at)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// Day by day: a heading per local date, then time, id, destination, status and title.
fn text(items: &[QueueItem], tz: &str) -> String {
    if items.is_empty() {
        return "nothing queued".into();
    }
    let mut s = format!("times in {tz}\n");
    let mut day: Option<&str> = None;
    for item in items {
        let p = &item.publication;
        let this_day = if p.held {
            "held"
        } else {
            item.local_day.as_deref().unwrap_or("unscheduled")
        };
        if day != Some(this_day) {
            s.push_str(&format!("{this_day}\n"));
            day = Some(this_day);
        }
        s.push_str(&format!(
            "  {:<5} {:>5}  {:<16} {:<11} {}{}\n",
            if p.held {
                "-"
            } else {
                item.local_time.as_deref().unwrap_or("-")
            },
            p.id,
            item.destination,
            p.status.to_string(),
            item.title,
            p.last_error
                .as_deref()
                .map(|e| format!("  ({e})"))
                .unwrap_or_default()
        ));
    }
    s.pop();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use pressroom_domain::*;

    fn item(id: i64, day: &str, time: &str, held: bool) -> QueueItem {
        QueueItem {
            publication: Publication {
                id: PublicationId::new(id),
                account_id: AccountId::new(1),
                site_id: SiteId::new(1),
                content_id: ContentId::new(id),
                destination_id: DestinationId::new(1),
                status: PublicationStatus::Pending,
                scheduled_at: (!held).then_some(0),
                held,
                force_offline: false,
                external_id: None,
                url: None,
                sent_version: None,
                attempts: 0,
                last_error: None,
                seo_report: None,
                live_check: None,
                published_at: None,
                created_at: 0,
                updated_at: 0,
            },
            title: format!("Article {id}"),
            destination: "blog".into(),
            local_day: (!held).then(|| day.to_string()),
            local_time: (!held).then(|| time.to_string()),
        }
    }

    #[test]
    fn the_queue_reads_day_by_day_with_held_last() {
        let items = [
            item(1, "2026-06-10", "09:00", false),
            item(2, "2026-06-10", "15:00", false),
            item(3, "2026-06-11", "09:00", false),
            item(4, "", "", true),
        ];
        let t = text(&items, "Europe/Berlin");
        let lines: Vec<&str> = t.lines().map(str::trim_end).collect();
        assert_eq!(lines[0], "times in Europe/Berlin");
        assert_eq!(lines[1], "2026-06-10");
        assert!(lines[2].starts_with("  09:00     1  blog") && lines[2].ends_with("Article 1"));
        assert!(lines[3].starts_with("  15:00     2"));
        assert_eq!(lines[4], "2026-06-11");
        assert_eq!(lines[6], "held");
        assert!(lines[7].starts_with("  -         4"), "{t}");
        assert_eq!(text(&[], "UTC"), "nothing queued");
    }
}
