//! `pressroom sites set|settings|changes`: a site's settings, changed through the same
//! pipeline function the API and the Settings page call, and their change log.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use pressroom_domain::settings::{Group, KEYS, keys, parse_assignments, settings_document};
use pressroom_pipeline::PipelineError;
use pressroom_pipeline::settings::{self, Actor};
use serde_json::{Value, json};

/// `sites set SITE k=v ...`: one patch from every pair; a bad pair changes nothing.
pub(super) async fn set(
    config: &Config,
    out: &Out,
    site: &str,
    assignments: &[String],
) -> anyhow::Result<Exit> {
    // As `invalid_value`, like the pipeline's own refusals (exit 1, the key named).
    let patch = parse_assignments(assignments).map_err(|e| PipelineError::Invalid(e.message))?;
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let (site, changes) = settings::update(&p, account, site.id, &Actor::Cli, &patch).await?;
    out.emit(
        || {
            if changes.is_empty() {
                return format!("site {:?}: nothing changed", site.name);
            }
            changes
                .iter()
                .map(|c| format!("{}: {} -> {}", c.key, shown(&c.old), shown(&c.new)))
                .collect::<Vec<_>>()
                .join("\n")
        },
        json!({"site_id": site.id, "changes": changes,
               "settings": settings_document(&site.language, &site.settings)}),
    );
    Ok(Exit::Ok)
}

/// `sites settings SITE`: every key by group with its value and help.
pub(super) async fn show(config: &Config, out: &Out, site: &str) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let doc = settings_document(&site.language, &site.settings);
    out.emit(
        || {
            let mut lines = Vec::new();
            for group in Group::ALL {
                lines.push(format!("{}:", group.title()));
                for k in keys::keys_in(*group) {
                    let value = value_at(&doc, k.key);
                    lines.push(format!("  {:<32} {:<24}  {}", k.key, shown(&value), k.help));
                    // A map's entries are keys of their own (`prompt_templates.generate-ideas`).
                    if let Value::Object(entries) = &value {
                        for (name, v) in entries {
                            let key = format!("{}.{name}", k.key);
                            lines.push(format!("    {key:<30} {}", shown(v)));
                        }
                    }
                }
            }
            lines.join("\n")
        },
        json!({"site_id": site.id, "settings": doc, "keys": KEYS}),
    );
    Ok(Exit::Ok)
}

/// `sites changes SITE`: the change log, newest first.
pub(super) async fn changes(
    config: &Config,
    out: &Out,
    site: &str,
    limit: u32,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let log = settings::changes(&p, account, site.id, limit).await?;
    out.emit(
        || {
            if log.is_empty() {
                return format!("site {:?}: no settings changes yet", site.name);
            }
            log.iter()
                .map(|c| {
                    format!(
                        "{}  {}  {}: {} -> {}",
                        when(c.created_at),
                        c.actor,
                        c.key,
                        shown(&c.old_value),
                        shown(&c.new_value)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
        json!({"site_id": site.id, "changes": log}),
    );
    Ok(Exit::Ok)
}

fn value_at(doc: &Value, key: &str) -> Value {
    doc.pointer(&format!("/{}", key.replace('.', "/")))
        .cloned()
        .unwrap_or(Value::Null)
}

/// A value as a person reads it: text without quotes, unset as `(unset)`.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(unset)".into(),
        Value::String(s) => s.clone(),
        Value::Object(m) if m.is_empty() => "(none)".into(),
        Value::Array(a) if a.is_empty() => "(none)".into(),
        other => other.to_string(),
    }
}

/// UTC `YYYY-MM-DD HH:MM:SS`.
fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| ms.to_string())
}
