//! Changing a site's settings: the one function the CLI (`sites set`), the API (`PATCH
//! /api/v1/sites/{site}/settings`) and the Settings page call. The patch is applied by the
//! domain ([`pressroom_domain::settings::apply_patch`]), checked against the model registry
//! here, and written with its change-log rows in one transaction under the site's row lock.

mod registry;

use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::settings::{Change, SettingsError, apply_patch};
use pressroom_domain::{AccountId, Site, SiteId};
pub use pressroom_store::{Actor, SettingsChange};

/// Applies the JSON merge `patch` to `site`'s settings for `actor`. Any invalid key or value
/// fails with [`PipelineError::Invalid`] naming the key, and nothing is written. Returns the
/// site as stored and the changed keys (empty when the patch changed nothing: no log rows).
pub async fn update(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    actor: &Actor,
    patch: &serde_json::Value,
) -> Result<(Site, Vec<Change>)> {
    let mut tx = p.db().begin().await?;
    let current = tx.site_for_update(account, site).await?;
    let applied = apply_patch(&current.language, &current.settings, patch).map_err(invalid)?;
    if applied.changes.is_empty() {
        tx.rollback().await?;
        return Ok((current, Vec::new()));
    }
    let after = Site {
        language: applied.language.clone(),
        settings: applied.settings.clone(),
        ..current.clone()
    };
    registry::check(p, &after, &applied.changes)
        .await
        .map_err(invalid)?;
    // A named key must be one of the account's, for the provider the site calls with it.
    // Checked when the patch touches a key or a provider, so a removed registry entry or key
    // never locks a site out of unrelated changes (removing a key in use is refused anyway).
    let keyed = ["text_key", "image_key", "text_provider", "image_provider"];
    if applied
        .changes
        .iter()
        .any(|c| keyed.contains(&c.key.as_str()))
    {
        crate::keys::check_key_choice(p, account, &after.settings).await?;
    }
    tx.write_site_settings(account, site, &applied.language, &applied.settings)
        .await?;
    tx.log_settings_changes(account, site, actor, &applied.changes, p.now())
        .await?;
    crate::scheduler::reschedule_in(&mut tx, account, site, &applied.settings, p.now()).await?;
    tx.commit().await?;
    Ok((p.db().site(account, site).await?, applied.changes))
}

/// The site's logged setting changes, newest first.
pub async fn changes(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    limit: u32,
) -> Result<Vec<SettingsChange>> {
    Ok(p.db().settings_changes(account, site, limit).await?)
}

fn invalid(e: SettingsError) -> PipelineError {
    PipelineError::Invalid(e.message)
}
