//! Bodies of the site settings routes: the settings document with every settable key, a
//! patch's result, and the change log.

use pressroom_domain::settings::{Change, KEYS, KeyInfo};
use pressroom_pipeline::settings::SettingsChange;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One settable key.
#[derive(Serialize, ToSchema)]
pub struct SettingKeyDto {
    /// Dotted key (`batch_sizes.tasks`); `prompt_templates` entries are `prompt_templates.NAME`.
    pub key: String,
    /// writing, images, automation or limits.
    pub group: String,
    /// number, opt_number, text, opt_text, choice, opt_choice, list or map.
    pub kind: String,
    /// The allowed values of a choice.
    pub choices: Vec<String>,
    /// Whether `null` is a value of its own (else `null` restores the default).
    pub optional: bool,
    pub help: String,
}

impl From<&KeyInfo> for SettingKeyDto {
    fn from(k: &KeyInfo) -> SettingKeyDto {
        let kind = serde_json::to_value(k.kind)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_string))
            .unwrap_or_default();
        SettingKeyDto {
            key: k.key.into(),
            group: k.group.as_str().into(),
            kind,
            choices: k.kind.choices().iter().map(|c| c.to_string()).collect(),
            optional: k.kind.optional(),
            help: k.help.into(),
        }
    }
}

/// A site's settings (`language` included) and the keys a patch may set.
#[derive(Serialize, ToSchema)]
pub struct SettingsDto {
    pub site_id: i64,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub keys: Vec<SettingKeyDto>,
}

impl SettingsDto {
    pub fn new(site_id: i64, settings: serde_json::Value) -> SettingsDto {
        SettingsDto {
            site_id,
            settings,
            keys: KEYS.iter().map(SettingKeyDto::from).collect(),
        }
    }
}

/// A JSON merge patch of the settings: nested objects, `null` unsets an optional key (and
/// restores any other to its default), e.g. `{"in_article_images": 1, "voice": {"tone": "plain"}}`.
#[derive(Deserialize, ToSchema)]
#[schema(value_type = Object)]
pub struct SettingsPatchBody(pub serde_json::Value);

/// One changed key, old and new as JSON (`null`: unset).
#[derive(Serialize, ToSchema)]
pub struct SettingChangeDto {
    pub key: String,
    #[schema(value_type = Object)]
    pub old: serde_json::Value,
    #[schema(value_type = Object)]
    pub new: serde_json::Value,
}

impl From<Change> for SettingChangeDto {
    fn from(c: Change) -> SettingChangeDto {
        SettingChangeDto {
            key: c.key,
            old: c.old,
            new: c.new,
        }
    }
}

/// The settings after a patch and what it changed (empty: nothing; no log rows).
#[derive(Serialize, ToSchema)]
pub struct SettingsUpdatedDto {
    pub site_id: i64,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub changes: Vec<SettingChangeDto>,
}

/// One logged change.
#[derive(Serialize, ToSchema)]
pub struct SettingsChangeDto {
    pub id: i64,
    /// The user who made it; `null` for the CLI.
    pub user_id: Option<i64>,
    /// `cli`, or the user's email at the time.
    pub actor: String,
    pub key: String,
    #[schema(value_type = Object)]
    pub old_value: serde_json::Value,
    #[schema(value_type = Object)]
    pub new_value: serde_json::Value,
    pub created_at: i64,
}

impl From<SettingsChange> for SettingsChangeDto {
    fn from(c: SettingsChange) -> SettingsChangeDto {
        SettingsChangeDto {
            id: c.id.get(),
            user_id: c.user_id.map(|u| u.get()),
            actor: c.actor,
            key: c.key,
            old_value: c.old_value,
            new_value: c.new_value,
            created_at: c.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// Newest first, at most this many (default 100, at most 1000).
    pub limit: Option<u32>,
}
