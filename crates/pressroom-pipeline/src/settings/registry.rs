//! Settings checks that need the model registry: a named model exists for its provider and
//! kind, and the image sizes are ones the site's image model accepts. Only what a patch
//! touched is checked, so a registry edit never locks a site out of unrelated changes.

use crate::context::Pipeline;
use pressroom_domain::Site;
use pressroom_domain::settings::{Change, SettingsError, parse_size};
use pressroom_providers::factory::{DEFAULT_OPENAI_IMAGE_MODEL, DEFAULT_RUNWARE_IMAGE_MODEL};
use pressroom_providers::{ModelKind, ModelRegistry, ModelSpec, ProviderKind, SizeRule};

pub(super) async fn check(
    p: &Pipeline,
    site: &Site,
    changes: &[Change],
) -> Result<(), SettingsError> {
    let touched = |keys: &[&str]| changes.iter().any(|c| keys.contains(&c.key.as_str()));
    let s = &site.settings;
    let image_spec = {
        let registry = p
            .providers()
            .registry()
            .read()
            .unwrap_or_else(|e| e.into_inner());
        if touched(&["text_model", "text_provider"]) {
            model(
                &registry,
                "text_model",
                s.text_model.as_deref(),
                s.text_provider.as_deref(),
                ModelKind::Text,
            )?;
        }
        if touched(&[
            "clustering.embedding_model",
            "clustering.embedding_provider",
        ]) {
            let c = &s.clustering;
            model(
                &registry,
                "clustering.embedding_model",
                c.embedding_model.as_deref(),
                c.embedding_provider.as_deref(),
                ModelKind::Embedding,
            )?;
        }
        if touched(&["image_model", "image_provider"]) {
            model(
                &registry,
                "image_model",
                s.image_model.as_deref(),
                s.image_provider.as_deref(),
                ModelKind::Image,
            )?;
        }
        // The model the site's images are made with when nothing more is known than its
        // settings: the named model, else the named provider's default.
        match (
            &s.image_model,
            s.image_provider.as_deref().and_then(ProviderKind::parse),
        ) {
            (Some(m), _) => registry.get(m).cloned(),
            (None, Some(ProviderKind::OpenAi)) => registry.get(DEFAULT_OPENAI_IMAGE_MODEL).cloned(),
            (None, Some(ProviderKind::Runware)) => {
                registry.get(DEFAULT_RUNWARE_IMAGE_MODEL).cloned()
            }
            (None, Some(ProviderKind::Offline)) => None,
            (None, None) => None,
        }
    };
    // A key choice can move the site to another provider (its key's), so it counts too.
    let size_keys = [
        "image_model",
        "image_provider",
        "image_key",
        "featured_image_size",
        "in_article_image_size",
    ];
    if !touched(&size_keys) {
        return Ok(());
    }
    // No model or provider named: the one the environment's keys choose, when it can be
    // built (a provider without its key is a run-time error, not a settings one).
    let spec = match image_spec {
        Some(spec) => Some(spec),
        None => match crate::keys::image_for(p, site).await {
            Ok(choice) => {
                let registry = p
                    .providers()
                    .registry()
                    .read()
                    .unwrap_or_else(|e| e.into_inner());
                ProviderKind::parse(choice.provider.name())
                    .map(|k| registry.resolve(k, ModelKind::Image, &choice.model))
            }
            Err(_) => None,
        },
    };
    if let Some(spec) = spec {
        for (key, size) in [
            ("featured_image_size", &s.featured_image_size),
            ("in_article_image_size", &s.in_article_image_size),
        ] {
            check_size(&spec, key, size)?;
        }
    }
    Ok(())
}

/// A named model must be in the registry, of `kind`, and served by the named provider.
fn model(
    registry: &ModelRegistry,
    key: &str,
    model: Option<&str>,
    provider: Option<&str>,
    kind: ModelKind,
) -> Result<(), SettingsError> {
    let Some(id) = model else {
        return Ok(());
    };
    let provider = provider.and_then(ProviderKind::parse);
    let names = |kind: ModelKind| -> String {
        let mut ids: Vec<&str> = registry
            .models()
            .filter(|m| m.kind == kind && provider.is_none_or(|p| m.provider == p))
            .map(|m| m.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.join(", ")
    };
    let wanted = kind_name(kind);
    match registry.get(id) {
        None => Err(SettingsError::at(
            key,
            format!(
                "no {wanted} model {id:?} in the model registry; known: {}",
                names(kind)
            ),
        )),
        Some(spec) if spec.kind != kind => Err(SettingsError::at(
            key,
            format!(
                "{id:?} is {} model, not {} model; known: {}",
                with_article(spec.kind),
                with_article(kind),
                names(kind)
            ),
        )),
        Some(spec) if provider.is_some_and(|p| p != spec.provider) => Err(SettingsError::at(
            key,
            format!(
                "{id:?} is a {} model, not {}; known: {}",
                spec.provider.as_str(),
                provider.map(ProviderKind::as_str).unwrap_or_default(),
                names(kind)
            ),
        )),
        Some(_) => Ok(()),
    }
}

fn kind_name(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Text => "text",
        ModelKind::Image => "image",
        ModelKind::Embedding => "embedding",
    }
}

fn with_article(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Text => "a text",
        ModelKind::Image => "an image",
        ModelKind::Embedding => "an embedding",
    }
}

fn check_size(spec: &ModelSpec, key: &str, size: &str) -> Result<(), SettingsError> {
    let Ok((w, h)) = parse_size(size) else {
        return Ok(()); // the domain check names a malformed size
    };
    let allowed = match &spec.sizes {
        SizeRule::Fixed(sizes) => sizes.contains(&(w, h)),
        SizeRule::Step { step, min, max } => [w, h]
            .iter()
            .all(|v| v % (*step).max(1) == 0 && (*min..=*max).contains(v)),
    };
    if allowed {
        return Ok(());
    }
    let accepts = match &spec.sizes {
        SizeRule::Fixed(sizes) => sizes
            .iter()
            .map(|(w, h)| format!("{w}x{h}"))
            .collect::<Vec<_>>()
            .join(", "),
        SizeRule::Step { step, min, max } => {
            format!("sides that are multiples of {step} from {min} to {max}")
        }
    };
    Err(SettingsError::at(
        key,
        format!("{size} is not a size {} accepts ({accepts})", spec.id),
    ))
}
