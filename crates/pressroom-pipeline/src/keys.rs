//! Which provider, model and key a site's calls use. Every call site asks here, so an
//! account's own provider keys (chosen per site by `text_key` / `image_key`) take precedence
//! over the process environment's in one place. Also the keys' use cases: add (sealed with
//! the process's secret key before it reaches the store), list, remove.

use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::{AccountId, ProviderKeyId, Site, SiteSettings};
use pressroom_providers::{EmbeddingChoice, ImageChoice, ProviderKey, ProviderKind, TextChoice};
use pressroom_store::ProviderKeyInfo;

const MIN_KEY_CHARS: usize = 8;
const MAX_KEY_CHARS: usize = 1024;

/// Seals `secret` and stores it as the account's key `name` for `provider` (openai|runware).
/// The answer carries the hint (last four characters), never the key.
pub async fn add_key(
    p: &Pipeline,
    account: AccountId,
    name: &str,
    provider: &str,
    secret: &str,
) -> Result<ProviderKeyInfo> {
    let provider = match ProviderKind::parse(provider) {
        Some(k @ (ProviderKind::OpenAi | ProviderKind::Runware)) => k.as_str(),
        _ => {
            return Err(PipelineError::Invalid(format!(
                "provider: {provider:?} takes no key; use openai or runware"
            )));
        }
    };
    let secret = secret.trim();
    let n = secret.chars().count();
    if !(MIN_KEY_CHARS..=MAX_KEY_CHARS).contains(&n) || secret.chars().any(char::is_whitespace) {
        return Err(PipelineError::Invalid(format!(
            "key: must be {MIN_KEY_CHARS} to {MAX_KEY_CHARS} characters without spaces"
        )));
    }
    let hint: String = secret.chars().skip(n - 4).collect();
    let sealed = p.secrets()?.seal(secret);
    Ok(p.db()
        .add_provider_key(account, name, provider, &sealed, &hint)
        .await?)
}

pub async fn list_keys(p: &Pipeline, account: AccountId) -> Result<Vec<ProviderKeyInfo>> {
    Ok(p.db().provider_keys(account).await?)
}

/// Removes a key; refused while a site uses it (the message names the sites).
pub async fn remove_key(
    p: &Pipeline,
    account: AccountId,
    id: ProviderKeyId,
) -> Result<ProviderKeyInfo> {
    Ok(p.db().remove_provider_key(account, id).await?)
}

/// The key named `name` by the account, `None` if absent.
pub async fn key_named(
    p: &Pipeline,
    account: AccountId,
    name: &str,
) -> Result<Option<ProviderKeyInfo>> {
    Ok(p.db()
        .sealed_provider_key(account, name)
        .await?
        .map(|(info, _)| info))
}

#[derive(Clone, Copy)]
enum Use {
    Text,
    Image,
}

/// Whether a key for `key_provider` may serve the site's `use_` with these settings; the
/// error names the setting.
fn check_kind(settings: &SiteSettings, use_: Use, name: &str, key_provider: &str) -> Result<()> {
    let (field, named, allowed): (&str, &Option<String>, &[&str]) = match use_ {
        Use::Text => ("text_key", &settings.text_provider, &["openai"]),
        Use::Image => (
            "image_key",
            &settings.image_provider,
            &pressroom_store::KEY_PROVIDERS,
        ),
    };
    if !allowed.contains(&key_provider) {
        return Err(PipelineError::Invalid(format!(
            "{field}: key {name:?} is a {key_provider} key; {field} takes a key for {}",
            allowed.join(" or ")
        )));
    }
    if let Some(named) = named {
        let named_kind = ProviderKind::parse(named).map(ProviderKind::as_str);
        if named_kind != Some(key_provider) {
            let setting = &field[..field.len() - 4];
            return Err(PipelineError::Invalid(format!(
                "{field}: key {name:?} is a {key_provider} key but {setting}_provider is {named}"
            )));
        }
    }
    Ok(())
}

/// Validates a site's `text_key` / `image_key`: each names a key of `account` whose provider
/// fits the site's provider for that use. Settings updates call this before saving.
pub async fn check_key_choice(
    p: &Pipeline,
    account: AccountId,
    settings: &SiteSettings,
) -> Result<()> {
    for (use_, field, name) in [
        (Use::Text, "text_key", &settings.text_key),
        (Use::Image, "image_key", &settings.image_key),
    ] {
        let Some(name) = name else { continue };
        let info = key_named(p, account, name).await?.ok_or_else(|| {
            PipelineError::Invalid(format!(
                "{field}: the account has no provider key named {name:?} (see `pressroom keys list`)"
            ))
        })?;
        check_kind(settings, use_, name, &info.provider)?;
    }
    Ok(())
}

/// The site's own key for `use_`, opened, or `None` when the site names none.
async fn site_key(p: &Pipeline, site: &Site, use_: Use) -> Result<Option<ProviderKey>> {
    let (field, name) = match use_ {
        Use::Text => ("text_key", &site.settings.text_key),
        Use::Image => ("image_key", &site.settings.image_key),
    };
    let Some(name) = name else {
        return Ok(None);
    };
    let (info, sealed) = p
        .db()
        .sealed_provider_key(site.account_id, name)
        .await?
        .ok_or_else(|| {
            PipelineError::Invalid(format!(
                "{field}: the account has no provider key named {name:?}"
            ))
        })?;
    check_kind(&site.settings, use_, name, &info.provider)?;
    let provider = ProviderKind::parse(&info.provider).ok_or_else(|| {
        PipelineError::Invalid(format!("{field}: key {name:?} has unknown provider"))
    })?;
    Ok(Some(ProviderKey {
        provider,
        secret: p.secrets()?.open(&sealed)?,
    }))
}

/// The text provider and model for `site`.
pub async fn text_for(p: &Pipeline, site: &Site) -> Result<TextChoice> {
    let key = site_key(p, site, Use::Text).await?;
    Ok(p.providers()
        .text_with_key(site.account_id.get(), &site.settings, key.as_ref())?)
}

/// The image provider and model for `site`.
pub async fn image_for(p: &Pipeline, site: &Site) -> Result<ImageChoice> {
    let key = site_key(p, site, Use::Image).await?;
    Ok(p.providers()
        .image_with_key(site.account_id.get(), &site.settings, key.as_ref())?)
}

/// The embedding provider and model for `site` (embeddings use the text key: OpenAI's).
pub async fn embeddings_for(p: &Pipeline, site: &Site) -> Result<EmbeddingChoice> {
    let key = site_key(p, site, Use::Text).await?;
    Ok(p.providers()
        .embeddings_with_key(site.account_id.get(), &site.settings, key.as_ref())?)
}
