//! `pressroom destinations add|list|edit|test|remove`: where a site's articles are published,
//! through the same pipeline functions as the API and the Publishing page.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use anyhow::Context;
use clap::{Args, Subcommand};
use pressroom_domain::publish::{
    DestinationOptions, ImagesInWebhook, PublishMode, PublishSchedule, WpPostStatus,
};
use pressroom_domain::{Destination, DestinationId, DestinationKind};
use pressroom_pipeline::publish::{self, DestinationChange, DestinationInput};
use serde_json::json;
use std::io::Write;

#[derive(Subcommand, Debug)]
pub enum DestinationsCommand {
    /// Add a WordPress site (`--wordpress URL --user NAME`; the application password from
    /// PRESSROOM_DESTINATION_SECRET or standard input, never the command line) or a webhook
    /// (`--webhook URL`; its signing secret is generated and shown once).
    Add {
        site: String,
        #[arg(long)]
        name: String,
        #[arg(long, conflicts_with = "webhook", required_unless_present = "webhook")]
        wordpress: Option<String>,
        #[arg(long)]
        webhook: Option<String>,
        /// The WordPress user the application password belongs to.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        options: OptionFlags,
        #[command(flatten)]
        schedule: ScheduleFlags,
    },
    /// The site's destinations (removed ones too).
    List { site: String },
    /// Change a destination; flags not given keep their value. `--new-secret` reads a new
    /// application password or signing secret like `add`.
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        new_secret: bool,
        #[command(flatten)]
        options: OptionFlags,
        #[command(flatten)]
        schedule: ScheduleFlags,
    },
    /// Check the connection and say exactly what is wrong (address, TLS, password, REST API,
    /// capabilities) or what was found (WordPress user, SEO plugin).
    Test { id: i64 },
    /// Stop publishing there; its records stay.
    Remove { id: i64 },
}

#[derive(Args, Debug, Default)]
pub struct OptionFlags {
    /// WordPress: publish, draft or pending.
    #[arg(long)]
    post_status: Option<String>,
    /// WordPress: the author's user id.
    #[arg(long)]
    author: Option<u64>,
    /// The destination is on a private network (10.x, 192.168.x): allow its address.
    #[arg(long)]
    allow_private: Option<bool>,
    /// Ping IndexNow with this key after a post goes live.
    #[arg(long)]
    indexnow_key: Option<String>,
    /// Webhook: inline (base64 in the body) or none.
    #[arg(long)]
    images: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct ScheduleFlags {
    /// immediate, slots or stagger.
    #[arg(long)]
    mode: Option<String>,
    /// Slots: local times, comma-separated (09:00,15:00).
    #[arg(long)]
    times: Option<String>,
    /// Stagger: minutes between two articles.
    #[arg(long)]
    every: Option<u32>,
    /// Stagger: the local window, HH:MM-HH:MM.
    #[arg(long)]
    window: Option<String>,
    /// At most this many a local day / week; 0 removes the cap.
    #[arg(long)]
    daily_cap: Option<u32>,
    #[arg(long)]
    weekly_cap: Option<u32>,
}

impl OptionFlags {
    fn apply(self, mut o: DestinationOptions) -> anyhow::Result<DestinationOptions> {
        if let Some(s) = self.post_status {
            o.post_status = WpPostStatus::parse(&s)?;
        }
        if self.author.is_some() {
            o.author = self.author;
        }
        if let Some(a) = self.allow_private {
            o.allow_private = a;
        }
        if let Some(k) = self.indexnow_key {
            o.indexnow_key = (!k.is_empty()).then_some(k);
        }
        if let Some(i) = self.images {
            o.images = match i.as_str() {
                "inline" => ImagesInWebhook::Inline,
                "none" => ImagesInWebhook::None,
                _ => anyhow::bail!("--images: inline or none, not {i:?}"),
            };
        }
        Ok(o)
    }

    fn any(&self) -> bool {
        self.post_status.is_some()
            || self.author.is_some()
            || self.allow_private.is_some()
            || self.indexnow_key.is_some()
            || self.images.is_some()
    }
}

impl ScheduleFlags {
    fn apply(self, mut s: PublishSchedule) -> anyhow::Result<PublishSchedule> {
        if let Some(m) = self.mode {
            s.mode = match m.as_str() {
                "immediate" => PublishMode::Immediate,
                "slots" => PublishMode::Slots,
                "stagger" => PublishMode::Stagger,
                _ => anyhow::bail!("--mode: immediate, slots or stagger, not {m:?}"),
            };
        }
        if let Some(t) = self.times {
            s.times = t
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
        }
        if let Some(e) = self.every {
            s.every_minutes = e;
        }
        if let Some(w) = self.window {
            let (a, b) = w
                .split_once('-')
                .with_context(|| format!("--window: HH:MM-HH:MM, not {w:?}"))?;
            (s.window_start, s.window_end) = (a.trim().to_string(), b.trim().to_string());
        }
        if let Some(c) = self.daily_cap {
            s.daily_cap = (c > 0).then_some(c);
        }
        if let Some(c) = self.weekly_cap {
            s.weekly_cap = (c > 0).then_some(c);
        }
        Ok(s)
    }

    fn any(&self) -> bool {
        self.mode.is_some()
            || self.times.is_some()
            || self.every.is_some()
            || self.window.is_some()
            || self.daily_cap.is_some()
            || self.weekly_cap.is_some()
    }
}

/// The secret from PRESSROOM_DESTINATION_SECRET, else the first line of standard input.
fn read_secret(what: &str) -> anyhow::Result<String> {
    if let Ok(s) = std::env::var("PRESSROOM_DESTINATION_SECRET") {
        return Ok(s);
    }
    let _ = write!(std::io::stderr(), "{what}: ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .with_context(|| format!("reading the {what} from standard input"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: DestinationsCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    match cmd {
        DestinationsCommand::Add {
            site,
            name,
            wordpress,
            webhook,
            user,
            options,
            schedule,
        } => {
            let site = find_site(p.db(), account, &site).await?;
            let (kind, url) = match (wordpress, webhook) {
                (Some(u), None) => (DestinationKind::WordPress, u),
                (None, Some(u)) => (DestinationKind::Webhook, u),
                _ => anyhow::bail!("give one of --wordpress URL or --webhook URL"),
            };
            let secret = match kind {
                DestinationKind::WordPress => Some(read_secret("application password")?),
                DestinationKind::Webhook => std::env::var("PRESSROOM_DESTINATION_SECRET").ok(),
            };
            let input = DestinationInput {
                name,
                kind,
                url,
                username: user,
                secret,
                options: options.apply(DestinationOptions::default())?,
                schedule: schedule.apply(PublishSchedule::default())?,
            };
            let added = publish::add_destination(&p, account, site.id, input).await?;
            let d = &added.destination;
            out.emit(
                || {
                    let mut s = format!("added destination {} ({} {})", d.id, d.kind, d.url);
                    if let Some(secret) = &added.signing_secret {
                        s.push_str(&format!(
                            "\nsigning secret (shown once; store it now): {secret}"
                        ));
                    }
                    s.push_str(&format!(
                        "\ncheck it with `pressroom destinations test {}`",
                        d.id
                    ));
                    s
                },
                json!({"destination": d, "secret": added.signing_secret}),
            );
        }
        DestinationsCommand::List { site } => {
            let site = find_site(p.db(), account, &site).await?;
            let list = publish::list_destinations(&p, account, site.id).await?;
            out.emit(|| list_text(&list), json!({"destinations": list}));
        }
        DestinationsCommand::Edit {
            id,
            name,
            url,
            user,
            new_secret,
            options,
            schedule,
        } => {
            let id = DestinationId::new(id);
            let current = p.db().destination(account, id).await?;
            let secret = if new_secret {
                Some(read_secret("new secret")?)
            } else {
                None
            };
            let change = DestinationChange {
                name,
                url,
                username: user,
                secret,
                options: if options.any() {
                    Some(options.apply(current.options.clone())?)
                } else {
                    None
                },
                schedule: if schedule.any() {
                    Some(schedule.apply(current.schedule.clone())?)
                } else {
                    None
                },
            };
            let d = publish::change_destination(&p, account, id, change).await?;
            out.emit(
                || format!("destination {} changed", d.id),
                json!({"destination": d}),
            );
        }
        DestinationsCommand::Test { id } => {
            let report = publish::test_destination(&p, account, DestinationId::new(id)).await?;
            let ok = report.ok;
            out.emit(|| report.text(), json!({"test": report}));
            if !ok {
                return Ok(Exit::Error);
            }
        }
        DestinationsCommand::Remove { id } => {
            publish::remove_destination(&p, account, DestinationId::new(id)).await?;
            out.emit(
                || format!("destination {id} removed; its records stay"),
                json!({"removed": id}),
            );
        }
    }
    Ok(Exit::Ok)
}

fn list_text(list: &[Destination]) -> String {
    if list.is_empty() {
        return "no destinations; add one with `pressroom destinations add SITE --name NAME --wordpress URL --user USER`".into();
    }
    list.iter()
        .map(|d| {
            format!(
                "{:>4}  {:<8} {:<9} {:<20} {}  ({})",
                d.id,
                d.status,
                d.kind,
                d.name,
                d.url,
                schedule_text(&d.schedule)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn schedule_text(s: &PublishSchedule) -> String {
    s.describe()
}
