//! `pressroom keys add|list|remove`: the account's AI provider keys, sealed at rest. The key
//! itself is read from PRESSROOM_KEY_VALUE or standard input, never from the command line
//! (where `ps` and shell history would keep it), and never printed.

use crate::config::{Config, pipeline};
use crate::exit::{Exit, Missing};
use crate::output::Out;
use anyhow::Context;
use clap::Subcommand;
use pressroom_store::ProviderKeyInfo;
use serde_json::{Value, json};
use std::io::Write;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Store a provider key under NAME (unique in the account). The key is read from
    /// PRESSROOM_KEY_VALUE, else the first line of standard input.
    Add {
        name: String,
        /// openai or runware.
        #[arg(long, value_parser = ["openai", "runware"])]
        provider: String,
    },
    /// The account's keys: name, provider, last four characters, created, sites using it.
    List,
    /// Remove a key; refused while a site uses it (its text_key or image_key).
    Remove { name: String },
}

fn key_json(k: &ProviderKeyInfo) -> Value {
    json!({
        "id": k.id, "name": k.name, "provider": k.provider, "hint": k.hint,
        "created_at": k.created_at, "used_by": k.used_by,
    })
}

pub(super) async fn command(config: &Config, out: &Out, cmd: KeysCommand) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    match cmd {
        KeysCommand::Add { name, provider } => {
            let secret = read_key()?;
            let k =
                pressroom_pipeline::keys::add_key(&p, account, &name, &provider, &secret).await?;
            out.emit(
                || {
                    format!(
                        "key {} ({}, ending {}) stored sealed; choose it for a site with `pressroom sites set SITE text_key={}`",
                        k.name, k.provider, k.hint, k.name
                    )
                },
                json!({"key": key_json(&k)}),
            );
        }
        KeysCommand::List => {
            let keys = pressroom_pipeline::keys::list_keys(&p, account).await?;
            out.emit(
                || {
                    if keys.is_empty() {
                        return "no provider keys; add one with `pressroom keys add NAME --provider openai`".into();
                    }
                    keys.iter()
                        .map(|k| {
                            format!(
                                "{:<20} {:<8} …{}  {}  sites: {}",
                                k.name,
                                k.provider,
                                k.hint,
                                day(k.created_at),
                                if k.used_by.is_empty() { "-".into() } else { k.used_by.join(", ") }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"keys": keys.iter().map(key_json).collect::<Vec<_>>()}),
            );
        }
        KeysCommand::Remove { name } => {
            let info = pressroom_pipeline::keys::key_named(&p, account, &name)
                .await?
                .ok_or_else(|| Missing(format!("no provider key named {name:?}")))?;
            let k = pressroom_pipeline::keys::remove_key(&p, account, info.id).await?;
            out.emit(
                || format!("key {} removed", k.name),
                json!({"removed": key_json(&k)}),
            );
        }
    }
    Ok(Exit::Ok)
}

/// "2026-12-01" (UTC) of a timestamp in ms.
fn day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The key from PRESSROOM_KEY_VALUE, else the first line of standard input.
fn read_key() -> anyhow::Result<String> {
    if let Ok(k) = std::env::var("PRESSROOM_KEY_VALUE") {
        return Ok(k);
    }
    let _ = write!(std::io::stderr(), "provider key: ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the key from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
