//! The one way settings change: a JSON merge patch (RFC 7396 shape) applied key by key. A
//! patch is a nested object (`{"voice": {"tone": "plain"}}`); `null` unsets an optional key
//! and puts any other back to its default. Each leaf is checked as it is applied, so an error
//! names the key at fault; the result is validated as a whole; nothing is returned half-done.
//! The site's `language` column travels with the settings as the key `language`.

use super::keys::{Group, KEYS, Kind, Lookup, lookup, unknown_key_message};
use crate::{AiFunction, DomainError, PromptTemplate, SiteSettings, text};
use serde::Serialize;
use serde_json::{Map, Value};
use thiserror::Error;

/// A patch that cannot be applied; the message names the key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct SettingsError {
    /// The dotted key at fault (`batch_sizes.tasks`), or the CLI argument that is no pair.
    pub key: String,
    pub message: String,
}

impl SettingsError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> SettingsError {
        SettingsError {
            key: key.into(),
            message: message.into(),
        }
    }

    /// `key: message`.
    pub fn at(key: &str, message: impl std::fmt::Display) -> SettingsError {
        SettingsError::new(key, format!("{key}: {message}"))
    }
}

/// One leaf that changed, with its JSON values before and after (`null`: unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub key: String,
    pub old: Value,
    pub new: Value,
}

/// The settings and language after a patch, and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub language: String,
    pub settings: SiteSettings,
    pub changes: Vec<Change>,
}

/// The settings as one JSON document, `language` included: what the API returns and what a
/// patch applies to.
pub fn settings_document(language: &str, settings: &SiteSettings) -> Value {
    let mut doc = serde_json::to_value(settings).unwrap_or_else(|_| Value::Object(Map::new()));
    if let Value::Object(m) = &mut doc {
        m.insert("language".into(), Value::String(language.to_string()));
    }
    doc
}

/// Applies `patch` to a site's language and settings.
pub fn apply_patch(
    language: &str,
    settings: &SiteSettings,
    patch: &Value,
) -> Result<Applied, SettingsError> {
    let Value::Object(_) = patch else {
        return Err(SettingsError::new(
            "",
            "settings patch: expected a JSON object of keys",
        ));
    };
    let mut leaves = Vec::new();
    flatten("", patch, &mut leaves)?;
    let before = settings_document(language, settings);
    let defaults = settings_document("en", &SiteSettings::default());
    let mut doc = before.clone();
    for (key, value) in &leaves {
        set_leaf(&mut doc, &defaults, key, value)?;
        // Parsing after every leaf names the key whose value does not fit its field.
        parse(&doc).map_err(|e| type_error(key, value, &e))?;
        // Provider names are plain strings to serde; the catalogue holds the choices.
        if let (Lookup::Key(info), Value::String(v)) = (lookup(key), value)
            && !info.kind.choices().is_empty()
            && !info.kind.choices().contains(&v.as_str())
        {
            return Err(SettingsError::at(
                key,
                format!("expected {}, got {value}", info.kind.expected()),
            ));
        }
    }
    let language = match doc.get("language") {
        Some(Value::String(l)) => {
            text::language_code("language", l).map_err(|e| SettingsError::at("language", e))?
        }
        _ => return Err(SettingsError::at("language", "expected a language code")),
    };
    let settings = parse(&doc).map_err(|e| SettingsError::new("", e.to_string()))?;
    validate(&settings)?;
    let after = settings_document(&language, &settings);
    Ok(Applied {
        changes: diff(&before, &after),
        language,
        settings,
    })
}

/// Checks a whole settings value, naming the key at fault (sizes and templates by their own
/// keys, before the generic check whose messages are coarser for them).
pub fn validate(settings: &SiteSettings) -> Result<(), SettingsError> {
    for (key, size) in [
        ("featured_image_size", &settings.featured_image_size),
        ("in_article_image_size", &settings.in_article_image_size),
    ] {
        crate::settings::parse_size(size).map_err(|_| {
            SettingsError::at(
                key,
                format!("expected WIDTHxHEIGHT (64-4096 each), got {size:?}"),
            )
        })?;
    }
    for (name, text) in &settings.prompt_templates {
        let key = format!("prompt_templates.{name}");
        let function = AiFunction::parse(name).map_err(|_| {
            let known: Vec<&str> = AiFunction::ALL.iter().map(|f| f.as_str()).collect();
            SettingsError::at(
                &key,
                format!("no AI function {name:?}; one of {}", known.join(", ")),
            )
        })?;
        PromptTemplate::new(function, text).map_err(|e| SettingsError::at(&key, e))?;
    }
    settings.validate().map_err(|e| {
        let key = domain_key(&e).unwrap_or_default();
        SettingsError::new(key, e.to_string())
    })
}

/// The key a domain error names, when it names one.
fn domain_key(e: &DomainError) -> Option<String> {
    match e {
        DomainError::InvalidValue { field, .. }
        | DomainError::InvalidNumber { field, .. }
        | DomainError::TooLong { field, .. }
        | DomainError::OutOfRange { field, .. } => Some((*field).to_string()),
        DomainError::UnknownTemplateVariable { function, .. } => {
            Some(format!("prompt_templates.{function}"))
        }
        _ => None,
    }
}

fn parse(doc: &Value) -> Result<SiteSettings, serde_json::Error> {
    let mut doc = doc.clone();
    if let Value::Object(m) = &mut doc {
        m.remove("language");
    }
    serde_json::from_value(doc)
}

fn type_error(key: &str, value: &Value, e: &serde_json::Error) -> SettingsError {
    let expected = match lookup(key) {
        Lookup::Key(info) => info.kind.expected(),
        Lookup::Entry(_) => "a template text".into(),
        _ => e.to_string(),
    };
    SettingsError::at(key, format!("expected {expected}, got {value}"))
}

/// The patch's leaves as `(dotted key, value)`, in patch order; an unknown key is an error.
/// The groups whose keys a patch sets (a Limits key in it makes it an owner's change). An
/// invalid patch touches nothing: applying it fails and changes nothing.
pub fn groups_touched(patch: &Value) -> Vec<Group> {
    let mut leaves = Vec::new();
    if flatten("", patch, &mut leaves).is_err() {
        return Vec::new();
    }
    let mut groups = Vec::new();
    for (key, _) in &leaves {
        if let Lookup::Key(info) | Lookup::Entry(info) = lookup(key)
            && !groups.contains(&info.group)
        {
            groups.push(info.group);
        }
    }
    groups
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) -> Result<(), SettingsError> {
    let Value::Object(members) = v else {
        return Err(SettingsError::at(prefix, "expected an object of keys"));
    };
    for (name, value) in members {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match lookup(&key) {
            Lookup::Key(info) if info.kind == Kind::Map => match value {
                Value::Object(entries) => {
                    for (entry, text) in entries {
                        out.push((format!("{key}.{entry}"), text.clone()));
                    }
                }
                // `null` clears every entry.
                Value::Null => out.push((key, Value::Null)),
                other => {
                    return Err(SettingsError::at(
                        &key,
                        format!("expected {}, got {other}", info.kind.expected()),
                    ));
                }
            },
            Lookup::Key(_) | Lookup::Entry(_) => out.push((key, value.clone())),
            Lookup::Section => flatten(&key, value, out)?,
            Lookup::Unknown => return Err(SettingsError::new(&key, unknown_key_message(&key))),
        }
    }
    Ok(())
}

/// Sets one leaf in the settings document: `null` removes a map entry, unsets an optional
/// key, and puts any other key back to its default.
fn set_leaf(
    doc: &mut Value,
    defaults: &Value,
    key: &str,
    value: &Value,
) -> Result<(), SettingsError> {
    let optional = match lookup(key) {
        Lookup::Key(info) => info.kind.optional(),
        _ => true,
    };
    let value = match value {
        Value::Null if !optional && !matches!(lookup(key), Lookup::Entry(_)) => {
            pointer(defaults, key).cloned().unwrap_or(Value::Null)
        }
        v => v.clone(),
    };
    let mut parts: Vec<&str> = key.split('.').collect();
    if matches!(lookup(key), Lookup::Entry(_)) {
        // A map entry's name may itself hold a dot; only the first one separates.
        let (map, name) = key.split_once('.').unwrap_or((key, ""));
        parts = vec![map, name];
    }
    let Some((last, path)) = parts.split_last() else {
        return Ok(());
    };
    let mut node = doc;
    for part in path {
        let Value::Object(m) = node else {
            return Err(SettingsError::at(key, "is not a section"));
        };
        node = m
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let Value::Object(m) = node else {
        return Err(SettingsError::at(key, "is not a section"));
    };
    if value.is_null() && matches!(lookup(key), Lookup::Entry(_)) {
        m.remove(*last);
    } else if value.is_null() && key == "prompt_templates" {
        m.insert(last.to_string(), Value::Object(Map::new()));
    } else {
        m.insert(last.to_string(), value);
    }
    Ok(())
}

fn pointer<'a>(doc: &'a Value, key: &str) -> Option<&'a Value> {
    doc.pointer(&format!("/{}", key.replace('.', "/")))
}

/// Leaves that differ between two documents, in key order; map entries one by one.
fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    for info in KEYS {
        let old = pointer(before, info.key).cloned().unwrap_or(Value::Null);
        let new = pointer(after, info.key).cloned().unwrap_or(Value::Null);
        if info.kind == Kind::Map {
            let empty = Map::new();
            let (o, n) = (
                old.as_object().unwrap_or(&empty),
                new.as_object().unwrap_or(&empty),
            );
            let mut names: Vec<&String> = o.keys().chain(n.keys()).collect();
            names.sort();
            names.dedup();
            for name in names {
                let (a, b) = (
                    o.get(name).cloned().unwrap_or(Value::Null),
                    n.get(name).cloned().unwrap_or(Value::Null),
                );
                if a != b {
                    out.push(Change {
                        key: format!("{}.{name}", info.key),
                        old: a,
                        new: b,
                    });
                }
            }
        } else if old != new {
            out.push(Change {
                key: info.key.to_string(),
                old,
                new,
            });
        }
    }
    out
}

/// `key=value` CLI pairs as the same patch the API takes. The value is JSON when it parses
/// and fits the key's kind, else the text as typed; empty unsets; a list is a JSON array or
/// comma-separated.
pub fn parse_assignments<S: AsRef<str>>(pairs: &[S]) -> Result<Value, SettingsError> {
    let mut patch = Value::Object(Map::new());
    for pair in pairs {
        let pair = pair.as_ref();
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(SettingsError::new(
                pair,
                format!("{pair:?} is not key=value (see `pressroom sites settings SITE`)"),
            ));
        };
        let key = key.trim();
        let value = match lookup(key) {
            Lookup::Key(info) => {
                value_for(info.kind, raw).map_err(|m| SettingsError::at(key, m))?
            }
            Lookup::Entry(_) => text_or_null(raw),
            Lookup::Section => serde_json::from_str::<Value>(raw)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| SettingsError::at(key, "expected a JSON object of its keys"))?,
            Lookup::Unknown => return Err(SettingsError::new(key, unknown_key_message(key))),
        };
        insert_dotted(&mut patch, key, value);
    }
    Ok(patch)
}

fn text_or_null(raw: &str) -> Value {
    if raw.is_empty() {
        Value::Null
    } else {
        Value::String(raw.to_string())
    }
}

fn value_for(kind: Kind, raw: &str) -> Result<Value, String> {
    if raw.trim().is_empty() {
        return Ok(Value::Null);
    }
    let json = serde_json::from_str::<Value>(raw.trim()).ok();
    Ok(match kind {
        Kind::List => match json {
            Some(v @ Value::Array(_)) => v,
            _ if raw.trim_start().starts_with('[') => {
                return Err(format!("expected a JSON array of texts, got {raw}"));
            }
            _ => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
        },
        Kind::Map => json
            .filter(Value::is_object)
            .ok_or_else(|| format!("expected {}", kind.expected()))?,
        Kind::Number | Kind::OptNumber => match json {
            Some(v @ Value::Number(_)) => v,
            Some(Value::Null) if kind.optional() => Value::Null,
            _ => Value::String(raw.to_string()),
        },
        _ => match json {
            Some(v @ Value::String(_)) => v,
            Some(Value::Null) => Value::Null,
            _ => Value::String(raw.to_string()),
        },
    })
}

/// Puts `value` at the dotted `key` of a nested object (a map entry's name keeps its dots).
fn insert_dotted(patch: &mut Value, key: &str, value: Value) {
    let parts: Vec<&str> = match lookup(key) {
        Lookup::Entry(_) => {
            let (map, name) = key.split_once('.').unwrap_or((key, ""));
            vec![map, name]
        }
        _ => key.split('.').collect(),
    };
    let mut node = patch;
    for part in &parts[..parts.len() - 1] {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(m) = node else { return };
        node = m
            .entry(part.to_string())
            .and_modify(|v| {
                if !v.is_object() {
                    *v = Value::Object(Map::new());
                }
            })
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let (Value::Object(m), Some(last)) = (node, parts.last()) {
        m.insert(last.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(patch: Value) -> Result<Applied, SettingsError> {
        apply_patch("en", &SiteSettings::default(), &patch)
    }

    #[test]
    fn a_patch_changes_leaves_and_lists_them() {
        let a = apply(json!({"in_article_images": 1, "batch_sizes": {"tasks": 4},
            "voice": {"tone": "plain", "always_say": ["free returns"]}, "language": "de",
            "prompt_templates": {"generate-ideas": "Ideas in {language}"}}))
        .unwrap();
        assert_eq!(a.settings.in_article_images, 1);
        assert_eq!(a.settings.batch_sizes.tasks, 4);
        assert_eq!(
            a.settings.batch_sizes.ideas, 20,
            "siblings keep their values"
        );
        assert_eq!(a.language, "de");
        let keys: Vec<&str> = a.changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "language",
                "voice.tone",
                "voice.always_say",
                "prompt_templates.generate-ideas",
                "in_article_images",
                "batch_sizes.tasks"
            ]
        );
        assert_eq!(a.changes[0].old, json!("en"));
        assert_eq!(a.changes[1].old, Value::Null);
        assert_eq!(a.changes[1].new, json!("plain"));
    }

    #[test]
    fn null_unsets_optionals_and_restores_defaults() {
        let mut s = SiteSettings {
            text_model: Some("gpt-4o".into()),
            in_article_images: 5,
            ..Default::default()
        };
        s.prompt_templates
            .insert("generate-ideas".into(), "x {language}".into());
        let a = apply_patch(
            "en",
            &s,
            &json!({"text_model": null, "in_article_images": null,
                "prompt_templates": {"generate-ideas": null}}),
        )
        .unwrap();
        assert_eq!(a.settings.text_model, None);
        assert_eq!(a.settings.in_article_images, 2);
        assert!(a.settings.prompt_templates.is_empty());
        assert_eq!(a.changes.len(), 3);
        assert!(apply(json!({})).unwrap().changes.is_empty());
    }

    #[test]
    fn every_error_names_its_key() {
        let cases = [
            (json!({"in_article_imagez": 1}), "in_article_imagez"),
            (json!({"voice": {"colour": "x"}}), "voice.colour"),
            (json!({"in_article_images": 99}), "in_article_images"),
            (json!({"in_article_images": "two"}), "in_article_images"),
            (json!({"batch_sizes": {"tasks": 0}}), "batch_sizes.tasks"),
            (json!({"batch_sizes": 3}), "batch_sizes"),
            (json!({"review_mode": "sometimes"}), "review_mode"),
            (json!({"text_provider": "acme"}), "text_provider"),
            (json!({"image_provider": "midjourney"}), "image_provider"),
            (json!({"text_provider": "runware"}), "text_provider"),
            (json!({"schedule": {"time": "25:00"}}), "schedule.time"),
            (json!({"timezone": "Mars/Olympus"}), "timezone"),
            (
                json!({"featured_image_size": "huge"}),
                "featured_image_size",
            ),
            (
                json!({"prompt_templates": {"generate-image": "{bogus}"}}),
                "prompt_templates.generate-image",
            ),
            (
                json!({"prompt_templates": {"write-poem": "x"}}),
                "prompt_templates.write-poem",
            ),
            (json!({"language": "not a code"}), "language"),
            (
                json!({"voice": {"words_min": 5000, "words_max": 4000}}),
                "voice.words_max",
            ),
        ];
        for (patch, key) in cases {
            let e = apply(patch.clone()).unwrap_err();
            assert_eq!(e.key, key, "{patch}: {e}");
            assert!(e.to_string().contains(key), "{patch}: {e}");
        }
    }

    #[test]
    fn cli_pairs_make_the_same_patch() {
        let p = parse_assignments(&[
            "in_article_images=1",
            "batch_sizes.tasks=4",
            "voice.tone=friendly, plain",
            "voice.never_say=cheap, knock-off",
            "text_model=",
            "schedule.time=06:30",
            "prompt_templates.generate-image=A {prompt}",
            "caps.credits=null",
        ])
        .unwrap();
        assert_eq!(
            p,
            json!({"in_article_images": 1, "batch_sizes": {"tasks": 4},
                "voice": {"tone": "friendly, plain", "never_say": ["cheap", "knock-off"]},
                "text_model": null, "schedule": {"time": "06:30"},
                "prompt_templates": {"generate-image": "A {prompt}"}, "caps": {"credits": null}})
        );
        let e = parse_assignments(&["in_article_imagse=1"]).unwrap_err();
        assert!(
            e.to_string().contains("did you mean \"in_article_images\""),
            "{e}"
        );
        assert!(parse_assignments(&["nonsense"]).is_err());
        // A number typed for a text key stays text; text for a number fails when applied.
        assert_eq!(
            parse_assignments(&["text_model=4"]).unwrap(),
            json!({"text_model": "4"})
        );
        let e = apply(parse_assignments(&["in_article_images=two"]).unwrap()).unwrap_err();
        assert_eq!(e.key, "in_article_images");
        assert!(e.to_string().contains("whole number"), "{e}");
    }

    #[test]
    fn a_patch_touches_the_groups_of_its_leaves() {
        use serde_json::json;
        let g = |v: Value| groups_touched(&v);
        assert_eq!(g(json!({"caps": {"credits": 5}})), vec![Group::Limits]);
        assert_eq!(g(json!({"monthly_budget": 10})), vec![Group::Limits]);
        assert_eq!(
            g(json!({"prompt_templates": {"generate-ideas": "x"}})),
            vec![Group::Writing]
        );
        assert_eq!(
            g(json!({"in_article_images": 1, "text_key": null})),
            vec![Group::Images, Group::Limits]
        );
        assert!(
            g(json!({"bogus": 1})).is_empty(),
            "invalid: refused when applied"
        );
    }
}
