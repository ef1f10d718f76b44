//! A site's Settings page: its keys in four groups (Writing, Images, Automation, Limits), one
//! form per group posting only that group's fields, and the change log below. A form's fields
//! become `key=value` pairs parsed exactly as `pressroom sites set` parses them, then go
//! through `actions::update_settings` like the API's PATCH. Viewers see it read-only.

use super::view::{Nav, csrf, fmt_time, nav, render};
use crate::actions;
use crate::auth::{Caller, CsrfForm, PageUser};
use crate::error::{ApiError, PageError, PageResult};
use crate::input::own_site;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::settings::{Group, Kind, keys, parse_assignments, settings_document};
use pressroom_domain::{AiFunction, Role, Site};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// Change-log rows the page shows.
const LOG_ROWS: u32 = 100;

struct Field {
    key: String,
    help: String,
    /// number, text, select, list or template.
    input: &'static str,
    value: String,
    /// For a select: (value, label, selected); an optional choice starts with "" (unset).
    choices: Vec<(String, String, bool)>,
    at_fault: bool,
}

struct GroupView {
    name: &'static str,
    title: &'static str,
    fields: Vec<Field>,
    /// Editors change every group but Limits (budget, caps, keys), which is the owners'.
    editable: bool,
}

struct LogLine {
    time: String,
    actor: String,
    key: String,
    old: String,
    new: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    csrf: String,
    can_edit: bool,
    site_id: i64,
    error: Option<String>,
    groups: Vec<GroupView>,
    log: Vec<LogLine>,
}

#[derive(Deserialize)]
pub(super) struct Saved {
    changed: Option<usize>,
}

pub(super) async fn settings_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
    Query(q): Query<Saved>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let flash = q.changed.map(|n| match n {
        0 => "Saved: nothing changed.".to_string(),
        1 => "Saved: 1 setting changed.".to_string(),
        n => format!("Saved: {n} settings changed."),
    });
    page(&s, &c, &site, flash, None).await
}

/// A group's form: its fields by key, plus `csrf` and `group`.
pub(super) async fn save(
    State(s): State<AppState>,
    Path((site, group)): Path<(i64, String)>,
    CsrfForm(c, form): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let group =
        Group::parse(&group).ok_or_else(|| ApiError::not_found("no such settings group"))?;
    let current = own_site(&s, &c, site).await?;
    // Only this group's keys are taken from the form; any other field is ignored.
    let pairs: Vec<String> = form
        .iter()
        .filter(|(k, _)| key_group(k) == Some(group))
        .map(|(k, v)| form_pair(k, v))
        .collect();
    let outcome = match parse_assignments(&pairs) {
        Ok(patch) => actions::update_settings(&s, &c, site, &patch).await,
        Err(e) => Err(ApiError::invalid(e.message)),
    };
    match outcome {
        Ok((_, changes)) => Ok(Redirect::to(&format!(
            "/sites/{site}/settings?changed={}",
            changes.len()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut res = page(&s, &c, &current, None, Some(e.message)).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError(e)),
    }
}

/// The group of a form field: a listed key, or a prompt template entry (Writing).
fn key_group(key: &str) -> Option<Group> {
    match keys::key_info(key) {
        Some(info) if info.kind != Kind::Map => Some(info.group),
        Some(_) => None,
        None => key
            .strip_prefix("prompt_templates.")
            .and_then(|_| keys::key_info("prompt_templates"))
            .map(|i| i.group),
    }
}

async fn page(
    s: &AppState,
    c: &Caller,
    site: &Site,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let doc = settings_document(&site.language, &site.settings);
    // The field the error names: the longest key the message mentions (`voice.words_max`
    // rather than `voice.words`-like prefixes).
    let groups: Vec<GroupView> = Group::ALL
        .iter()
        .map(|g| GroupView {
            name: g.as_str(),
            title: g.title(),
            editable: c.user.role.can_edit() && (*g != Group::Limits || c.user.role == Role::Owner),
            fields: keys::keys_in(*g)
                .flat_map(|k| fields(k, &doc, site))
                .collect(),
        })
        .collect();
    let fault = error.as_deref().and_then(|e| {
        groups
            .iter()
            .flat_map(|g| g.fields.iter().map(|f| f.key.as_str()))
            .filter(|k| e.contains(k))
            .max_by_key(|k| k.len())
            .map(str::to_string)
    });
    let groups = groups
        .into_iter()
        .map(|mut g| {
            for f in &mut g.fields {
                f.at_fault = fault.as_deref() == Some(f.key.as_str());
            }
            g
        })
        .collect();
    let log = s
        .pipeline
        .db()
        .settings_changes(c.account(), site.id, LOG_ROWS)
        .await?
        .into_iter()
        .map(|ch| LogLine {
            time: fmt_time(ch.created_at),
            actor: ch.actor,
            key: ch.key,
            old: shown(&ch.old_value),
            new: shown(&ch.new_value),
        })
        .collect();
    render(&SettingsTpl {
        nav: Some(nav(c, "settings", Some(site))),
        flash,
        csrf: csrf(c),
        can_edit: c.user.role.can_edit(),
        site_id: site.id.get(),
        error,
        groups,
        log,
    })
}

/// The form fields of one key: one, or one template box per AI function for the map.
fn fields(k: &pressroom_domain::settings::KeyInfo, doc: &Value, site: &Site) -> Vec<Field> {
    let value = doc
        .pointer(&format!("/{}", k.key.replace('.', "/")))
        .cloned()
        .unwrap_or(Value::Null);
    let field = |key: String, help: String, input: &'static str, value: String| Field {
        key,
        help,
        input,
        value,
        choices: Vec::new(),
        at_fault: false,
    };
    match k.kind {
        Kind::Map => AiFunction::ALL
            .iter()
            .map(|f| {
                let text = site
                    .settings
                    .prompt_templates
                    .get(f.as_str())
                    .cloned()
                    .unwrap_or_default();
                field(
                    format!("prompt_templates.{}", f.as_str()),
                    format!("Override of the {} prompt; empty: the default.", f.as_str()),
                    "template",
                    text,
                )
            })
            .collect(),
        Kind::Choice(c) | Kind::OptChoice(c) => {
            let current = value.as_str().unwrap_or("").to_string();
            let mut choices: Vec<(String, String, bool)> = Vec::new();
            if k.kind.optional() {
                choices.push((String::new(), "(default)".into(), current.is_empty()));
            }
            choices.extend(
                c.iter()
                    .map(|v| (v.to_string(), v.to_string(), *v == current)),
            );
            let mut f = field(k.key.into(), k.help.into(), "select", current);
            f.choices = choices;
            vec![f]
        }
        Kind::Number | Kind::OptNumber => vec![field(
            k.key.into(),
            k.help.into(),
            "number",
            form_value(&value),
        )],
        // One phrase per line: a phrase may hold a comma ("free returns, no questions asked").
        Kind::List => vec![field(
            k.key.into(),
            format!("{} One per line.", k.help),
            "list",
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.as_str())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
        )],
        Kind::Text | Kind::OptText => vec![field(
            k.key.into(),
            k.help.into(),
            "text",
            form_value(&value),
        )],
    }
}

/// A posted field as the `key=value` pair `sites set` takes. A list box holds one phrase per
/// line, sent as a JSON array so commas inside a phrase stay; browsers send text areas with
/// CRLF line ends, made LF so an unchanged template is not logged as changed.
fn form_pair(key: &str, value: &str) -> String {
    let value = value.replace("\r\n", "\n");
    if keys::key_info(key).is_some_and(|i| i.kind == Kind::List) {
        let items: Vec<&str> = value
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        return format!("{key}={}", Value::from(items));
    }
    format!("{key}={}", value.trim())
}

/// A value as a person reads it in the log: unset empty, a list comma-separated.
fn form_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A logged value as a person reads it.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(unset)".into(),
        other => form_value(other),
    }
}
