//! `pressroom sites list|create|show`.

use crate::SitesCommand;
use crate::config::{Config, find_site, open};
use crate::exit::Exit;
use crate::output::Out;
use serde_json::json;

pub(super) async fn command(config: &Config, out: &Out, cmd: SitesCommand) -> anyhow::Result<Exit> {
    let (db, account) = open(config).await?;
    match cmd {
        SitesCommand::List => {
            let sites = db.sites(account).await?;
            out.emit(
                || {
                    sites
                        .iter()
                        .map(|s| {
                            format!(
                                "{:>4}  {}  {}",
                                s.id,
                                s.name,
                                s.domain.as_deref().unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"sites": sites}),
            );
        }
        SitesCommand::Create {
            name,
            domain,
            language,
        } => {
            let site = db
                .create_site(
                    account,
                    &name,
                    domain.as_deref(),
                    &language,
                    &Default::default(),
                )
                .await?;
            out.emit(
                || format!("created site {} ({:?})", site.id, site.name),
                json!({"site": site}),
            );
        }
        SitesCommand::Show { name } => {
            let site = find_site(&db, account, &name).await?;
            out.emit(
                // A site is strings, numbers and settings with string keys, which always
                // serialise; the JSON document below is built from the same value.
                || serde_json::to_string_pretty(&site).unwrap_or_default(),
                json!({"site": site}),
            );
        }
        SitesCommand::Set { name, assignments } => {
            return super::settings::set(config, out, &name, &assignments).await;
        }
        SitesCommand::Settings { name } => return super::settings::show(config, out, &name).await,
        SitesCommand::Changes { name, limit } => {
            return super::settings::changes(config, out, &name, limit).await;
        }
        SitesCommand::Prompt { name, function } => {
            return super::prompts::preview(config, out, &name, &function).await;
        }
    }
    Ok(Exit::Ok)
}
