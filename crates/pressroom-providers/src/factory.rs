//! Choosing providers: from the environment (keys, base URLs, default models) and a site's
//! settings. With no key configured everything falls back to the offline providers.

use crate::embeddings::{self, EmbeddingProvider, OfflineEmbeddings, OpenAiEmbeddings};
use crate::error::ProviderError;
use crate::http::ProviderDeps;
use crate::limits::{LimitConfig, Limits};
use crate::offline::{self, OfflineImages, OfflineText};
use crate::openai::{self, OpenAiChat, OpenAiConfig, OpenAiImages, ResponseFormat};
use crate::registry::{ModelRegistry, ProviderKind, SharedRegistry};
use crate::runware::{self, Runware, RunwareConfig};
use crate::types::{ImageProvider, TextProvider};
use pressroom_domain::SiteSettings;
use std::sync::Arc;

pub const DEFAULT_TEXT_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_OPENAI_IMAGE_MODEL: &str = "dall-e-3";
pub const DEFAULT_RUNWARE_IMAGE_MODEL: &str = "runware:101@1";

/// Provider settings from the environment. Keys are never printed (see `Debug`).
#[derive(Clone, Default)]
pub struct ProviderEnv {
    pub openai_api_key: Option<String>,
    pub openai_base_url: String,
    pub runware_api_key: Option<String>,
    pub runware_base_url: String,
    /// Default models when a site names none (`PRESSROOM_TEXT_MODEL`, `PRESSROOM_IMAGE_MODEL`).
    pub text_model: Option<String>,
    pub image_model: Option<String>,
    /// `PRESSROOM_OPENAI_IMAGE_FORMAT=b64_json` asks dall-e for base64 instead of URLs.
    pub openai_image_format: ResponseFormat,
    /// `PRESSROOM_RUNWARE_OUTPUT=base64`.
    pub runware_base64: bool,
    /// Overrides of the per-service limits: (service, config), from
    /// `PRESSROOM_LIMIT_<SERVICE>=rpm:max_in_flight`, e.g. `PRESSROOM_LIMIT_OPENAI_IMAGES=5:2`.
    pub limits: Vec<(String, LimitConfig)>,
}

impl std::fmt::Debug for ProviderEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |k: &Option<String>| if k.is_some() { "set" } else { "unset" };
        f.debug_struct("ProviderEnv")
            .field("openai_api_key", &set(&self.openai_api_key))
            .field("openai_base_url", &self.openai_base_url)
            .field("runware_api_key", &set(&self.runware_api_key))
            .field("runware_base_url", &self.runware_base_url)
            .field("text_model", &self.text_model)
            .field("image_model", &self.image_model)
            .finish()
    }
}

impl ProviderEnv {
    pub fn from_env() -> ProviderEnv {
        ProviderEnv::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get` (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ProviderEnv {
        let non_empty = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut limits = Vec::new();
        for service in ["openai-chat", "openai-images", "runware", "offline"] {
            let var = format!(
                "PRESSROOM_LIMIT_{}",
                service.replace('-', "_").to_ascii_uppercase()
            );
            if let Some(v) = non_empty(&var)
                && let Some((rpm, inflight)) = v.split_once(':')
                && let Ok(inflight) = inflight.trim().parse::<usize>()
            {
                let rpm = rpm.trim().parse::<u32>().ok().filter(|&r| r > 0);
                limits.push((service.to_string(), LimitConfig::new(rpm, inflight.max(1))));
            }
        }
        ProviderEnv {
            openai_api_key: non_empty("OPENAI_API_KEY"),
            openai_base_url: non_empty("OPENAI_BASE_URL")
                .unwrap_or_else(|| openai::DEFAULT_BASE_URL.into()),
            runware_api_key: non_empty("RUNWARE_API_KEY"),
            runware_base_url: non_empty("RUNWARE_BASE_URL")
                .unwrap_or_else(|| runware::DEFAULT_BASE_URL.into()),
            text_model: non_empty("PRESSROOM_TEXT_MODEL"),
            image_model: non_empty("PRESSROOM_IMAGE_MODEL"),
            openai_image_format: match non_empty("PRESSROOM_OPENAI_IMAGE_FORMAT").as_deref() {
                Some("b64_json") | Some("b64") | Some("base64") => ResponseFormat::B64Json,
                _ => ResponseFormat::Url,
            },
            runware_base64: matches!(
                non_empty("PRESSROOM_RUNWARE_OUTPUT").as_deref(),
                Some("base64") | Some("b64") | Some("base64Data")
            ),
            limits,
        }
    }
}

/// A chosen text provider and the model to ask it for.
#[derive(Clone)]
pub struct TextChoice {
    pub provider: Arc<dyn TextProvider>,
    pub model: String,
}

#[derive(Clone)]
pub struct ImageChoice {
    pub provider: Arc<dyn ImageProvider>,
    pub model: String,
}

/// A chosen embedding provider and the model to ask it for.
#[derive(Clone)]
pub struct EmbeddingChoice {
    pub provider: Arc<dyn EmbeddingProvider>,
    pub model: String,
}

/// A key an account chose for a site (its own, not the environment's), for one provider.
/// `Debug` never prints the secret.
#[derive(Clone)]
pub struct ProviderKey {
    pub provider: ProviderKind,
    pub secret: String,
}

impl std::fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProviderKey({}, ..)", self.provider.as_str())
    }
}

/// Builds providers for sites. One per process: it owns the shared registry, limits and
/// HTTP client.
#[derive(Clone)]
pub struct Providers {
    env: ProviderEnv,
    deps: ProviderDeps,
}

impl Providers {
    pub fn new(env: ProviderEnv, registry: SharedRegistry, limits: Arc<Limits>) -> Providers {
        for (service, config) in &env.limits {
            limits.set_default(service, *config);
        }
        Providers {
            env,
            deps: ProviderDeps::new(registry, limits),
        }
    }

    /// From the process environment, seeded registry and default limits.
    pub fn from_env() -> Providers {
        Providers::new(
            ProviderEnv::from_env(),
            ModelRegistry::seeded().shared(),
            Limits::new(),
        )
    }

    pub fn with_deps(env: ProviderEnv, deps: ProviderDeps) -> Providers {
        Providers { env, deps }
    }

    pub fn deps(&self) -> &ProviderDeps {
        &self.deps
    }

    pub fn registry(&self) -> &SharedRegistry {
        &self.deps.registry
    }

    pub fn env(&self) -> &ProviderEnv {
        &self.env
    }

    /// The text provider for a site of `account`: the site's provider if it names one (an
    /// error if that needs a key that is not set), else OpenAI when a key is set, else
    /// offline.
    pub fn text(&self, account: i64, settings: &SiteSettings) -> Result<TextChoice, ProviderError> {
        let named = settings.text_provider.as_deref().map(|p| {
            ProviderKind::parse(p).ok_or_else(|| ProviderError::Config {
                provider: "provider",
                message: format!("unknown text provider {p:?}; use openai or offline"),
            })
        });
        let kind = match named.transpose()? {
            Some(ProviderKind::Runware) => {
                return Err(ProviderError::Config {
                    provider: runware::PROVIDER,
                    message: "Runware generates images, not text".into(),
                });
            }
            Some(k) => k,
            None if self.env.openai_api_key.is_some() => ProviderKind::OpenAi,
            None => ProviderKind::Offline,
        };
        match kind {
            ProviderKind::OpenAi => {
                let key = self
                    .env
                    .openai_api_key
                    .clone()
                    .ok_or_else(|| ProviderError::Config {
                        provider: openai::PROVIDER,
                        message: "the site uses OpenAI but OPENAI_API_KEY is not set".into(),
                    })?;
                let model = settings
                    .text_model
                    .clone()
                    .or_else(|| self.env.text_model.clone())
                    .unwrap_or_else(|| DEFAULT_TEXT_MODEL.into());
                Ok(TextChoice {
                    provider: Arc::new(self.openai_chat(account, key, None)),
                    model,
                })
            }
            _ => Ok(TextChoice {
                provider: Arc::new(OfflineText::new(self.deps.registry.clone())),
                model: offline::TEXT_MODEL.into(),
            }),
        }
    }

    /// The embedding provider for a site: `clustering.embedding_provider` if named (an error
    /// if it needs a key that is not set), else the text provider's kind, else offline. The
    /// model is `clustering.embedding_model`, else `text-embedding-3-small` on OpenAI.
    pub fn embeddings(
        &self,
        account: i64,
        settings: &SiteSettings,
    ) -> Result<EmbeddingChoice, ProviderError> {
        let c = &settings.clustering;
        let kind = match c.embedding_provider.as_deref() {
            Some(p) => match ProviderKind::parse(p) {
                Some(ProviderKind::Runware) | None => {
                    return Err(ProviderError::Config {
                        provider: "provider",
                        message: format!("unknown embedding provider {p:?}; use openai or offline"),
                    });
                }
                Some(k) => k,
            },
            None => match self.text(account, settings)?.provider.name() {
                openai::PROVIDER => ProviderKind::OpenAi,
                _ => ProviderKind::Offline,
            },
        };
        match kind {
            ProviderKind::OpenAi => {
                let key = self
                    .env
                    .openai_api_key
                    .clone()
                    .ok_or_else(|| ProviderError::Config {
                        provider: openai::PROVIDER,
                        message: "the site embeds with OpenAI but OPENAI_API_KEY is not set".into(),
                    })?;
                Ok(EmbeddingChoice {
                    provider: Arc::new(OpenAiEmbeddings::new(
                        OpenAiConfig {
                            base_url: self.env.openai_base_url.clone(),
                            api_key: key,
                            account,
                        },
                        self.deps.clone(),
                    )),
                    model: c
                        .embedding_model
                        .clone()
                        .unwrap_or_else(|| embeddings::DEFAULT_OPENAI_MODEL.into()),
                })
            }
            _ => Ok(EmbeddingChoice {
                provider: Arc::new(OfflineEmbeddings::new(self.deps.registry.clone())),
                model: embeddings::OFFLINE_MODEL.into(),
            }),
        }
    }

    /// The image provider for a site: the site's provider if named, else the provider of the
    /// site's (or the environment's) model when its key is set, else Runware, then OpenAI,
    /// by which key is set, else offline title cards.
    pub fn image(
        &self,
        account: i64,
        settings: &SiteSettings,
    ) -> Result<ImageChoice, ProviderError> {
        let model = settings
            .image_model
            .clone()
            .or_else(|| self.env.image_model.clone());
        let named = match settings.image_provider.as_deref() {
            Some(p) => Some(ProviderKind::parse(p).ok_or_else(|| ProviderError::Config {
                provider: "provider",
                message: format!("unknown image provider {p:?}; use openai, runware or offline"),
            })?),
            None => None,
        };
        let model_provider = model.as_deref().and_then(|m| {
            let r = self.deps.registry.read().unwrap_or_else(|p| p.into_inner());
            r.get(m).map(|s| s.provider)
        });
        let has_key = |k: ProviderKind| match k {
            ProviderKind::OpenAi => self.env.openai_api_key.is_some(),
            ProviderKind::Runware => self.env.runware_api_key.is_some(),
            ProviderKind::Offline => true,
        };
        let kind = match (named, model_provider) {
            (Some(k), _) => k,
            (None, Some(k)) if has_key(k) => k,
            _ if has_key(ProviderKind::Runware) => ProviderKind::Runware,
            _ if has_key(ProviderKind::OpenAi) => ProviderKind::OpenAi,
            _ => ProviderKind::Offline,
        };
        // A model of another provider is not sent to this one.
        let model = model.filter(|_| model_provider.is_none_or(|p| p == kind));
        let missing = |name: &'static str, var: &str| ProviderError::Config {
            provider: name,
            message: format!("the site uses {name} but {var} is not set"),
        };
        match kind {
            ProviderKind::OpenAi => {
                let key = self
                    .env
                    .openai_api_key
                    .clone()
                    .ok_or_else(|| missing(openai::PROVIDER, "OPENAI_API_KEY"))?;
                Ok(ImageChoice {
                    provider: Arc::new(self.openai_images(account, key, None)),
                    model: model.unwrap_or_else(|| DEFAULT_OPENAI_IMAGE_MODEL.into()),
                })
            }
            ProviderKind::Runware => {
                let key = self
                    .env
                    .runware_api_key
                    .clone()
                    .ok_or_else(|| missing(runware::PROVIDER, "RUNWARE_API_KEY"))?;
                Ok(ImageChoice {
                    provider: Arc::new(self.runware(account, key, None)),
                    model: model.unwrap_or_else(|| DEFAULT_RUNWARE_IMAGE_MODEL.into()),
                })
            }
            ProviderKind::Offline => Ok(ImageChoice {
                provider: Arc::new(self.offline_images(account)),
                model: offline::IMAGE_MODEL.into(),
            }),
        }
    }

    /// These providers with `key` in place of the environment's key for its provider.
    fn keyed(&self, key: Option<&ProviderKey>) -> std::borrow::Cow<'_, Providers> {
        let Some(k) = key else {
            return std::borrow::Cow::Borrowed(self);
        };
        let mut p = self.clone();
        match k.provider {
            ProviderKind::OpenAi => p.env.openai_api_key = Some(k.secret.clone()),
            ProviderKind::Runware => p.env.runware_api_key = Some(k.secret.clone()),
            ProviderKind::Offline => {}
        }
        std::borrow::Cow::Owned(p)
    }

    /// `text` with the site's own key, if any, used instead of the environment's. A site that
    /// names a key but no provider uses the key's provider.
    pub fn text_with_key(
        &self,
        account: i64,
        settings: &SiteSettings,
        key: Option<&ProviderKey>,
    ) -> Result<TextChoice, ProviderError> {
        match key {
            Some(k) if settings.text_provider.is_none() => {
                let mut s = settings.clone();
                s.text_provider = Some(k.provider.as_str().into());
                self.keyed(key).text(account, &s)
            }
            _ => self.keyed(key).text(account, settings),
        }
    }

    /// `image` with the site's own key, if any (as `text_with_key`).
    pub fn image_with_key(
        &self,
        account: i64,
        settings: &SiteSettings,
        key: Option<&ProviderKey>,
    ) -> Result<ImageChoice, ProviderError> {
        match key {
            Some(k) if settings.image_provider.is_none() => {
                let mut s = settings.clone();
                s.image_provider = Some(k.provider.as_str().into());
                self.keyed(key).image(account, &s)
            }
            _ => self.keyed(key).image(account, settings),
        }
    }

    /// `embeddings` with the site's own OpenAI key, if any, instead of the environment's.
    pub fn embeddings_with_key(
        &self,
        account: i64,
        settings: &SiteSettings,
        key: Option<&ProviderKey>,
    ) -> Result<EmbeddingChoice, ProviderError> {
        self.keyed(key).embeddings(account, settings)
    }

    /// An OpenAI-compatible chat provider with an explicit key and base URL (per-site
    /// credentials); `base_url` `None` uses the environment's.
    pub fn openai_chat(
        &self,
        account: i64,
        api_key: String,
        base_url: Option<String>,
    ) -> OpenAiChat {
        OpenAiChat::new(
            OpenAiConfig {
                base_url: base_url.unwrap_or_else(|| self.env.openai_base_url.clone()),
                api_key,
                account,
            },
            self.deps.clone(),
        )
    }

    pub fn openai_images(
        &self,
        account: i64,
        api_key: String,
        base_url: Option<String>,
    ) -> OpenAiImages {
        OpenAiImages::new(
            OpenAiConfig {
                base_url: base_url.unwrap_or_else(|| self.env.openai_base_url.clone()),
                api_key,
                account,
            },
            self.deps.clone(),
            self.env.openai_image_format,
        )
    }

    pub fn runware(&self, account: i64, api_key: String, base_url: Option<String>) -> Runware {
        Runware::new(
            RunwareConfig {
                base_url: base_url.unwrap_or_else(|| self.env.runware_base_url.clone()),
                api_key,
                account,
                base64: self.env.runware_base64,
            },
            self.deps.clone(),
        )
    }

    pub fn offline_images(&self, account: i64) -> OfflineImages {
        OfflineImages::new(
            self.deps.registry.clone(),
            self.deps.limits.limiter("offline", account),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn providers(vars: &[(&str, &str)]) -> Providers {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Providers::new(
            ProviderEnv::from_lookup(|k| map.get(k).cloned()),
            ModelRegistry::seeded().shared(),
            Limits::new(),
        )
    }

    #[test]
    fn no_keys_means_offline() {
        let p = providers(&[]);
        let s = SiteSettings::default();
        let t = p.text(1, &s).unwrap();
        assert_eq!(
            (t.provider.name(), t.model.as_str()),
            ("offline", "offline-text")
        );
        let i = p.image(1, &s).unwrap();
        assert_eq!(
            (i.provider.name(), i.model.as_str()),
            ("offline", "offline-cards")
        );
        // A model named by the site without its key still runs offline, not half-configured.
        let s = SiteSettings {
            text_model: Some("gpt-4o".into()),
            image_model: Some("dall-e-3".into()),
            ..SiteSettings::default()
        };
        assert_eq!(p.text(1, &s).unwrap().provider.name(), "offline");
        assert_eq!(p.image(1, &s).unwrap().provider.name(), "offline");
    }

    #[test]
    fn keys_pick_real_providers_and_named_providers_need_keys() {
        let p = providers(&[("OPENAI_API_KEY", "sk-test"), ("RUNWARE_API_KEY", "rw")]);
        let s = SiteSettings::default();
        assert_eq!(p.text(1, &s).unwrap().provider.name(), "openai");
        assert_eq!(p.text(1, &s).unwrap().model, "gpt-4o-mini");
        let i = p.image(1, &s).unwrap();
        assert_eq!(
            (i.provider.name(), i.model.as_str()),
            ("runware", "runware:101@1")
        );
        let s = SiteSettings {
            image_model: Some("gpt-image-1".into()),
            ..SiteSettings::default()
        };
        let i = p.image(1, &s).unwrap();
        assert_eq!(
            (i.provider.name(), i.model.as_str()),
            ("openai", "gpt-image-1")
        );

        let p = providers(&[]);
        let s = SiteSettings {
            text_provider: Some("openai".into()),
            ..SiteSettings::default()
        };
        let err = p.text(1, &s).err().unwrap();
        assert!(err.to_string().contains("OPENAI_API_KEY"));
        let dbg = format!(
            "{:?}",
            ProviderEnv::from_lookup(|k| (k == "OPENAI_API_KEY").then(|| "sk-secret".to_string()))
        );
        assert!(!dbg.contains("sk-secret"));
    }

    #[test]
    fn a_site_key_beats_the_environment_and_picks_its_provider() {
        let p = providers(&[("RUNWARE_API_KEY", "rw-env")]);
        let s = SiteSettings::default();
        let openai = ProviderKey {
            provider: ProviderKind::OpenAi,
            secret: "sk-site".into(),
        };
        assert_eq!(p.text(1, &s).unwrap().provider.name(), "offline");
        let t = p.text_with_key(1, &s, Some(&openai)).unwrap();
        assert_eq!(t.provider.name(), "openai");
        // The environment's runware key would win by default; the site's openai key decides.
        assert_eq!(p.image(1, &s).unwrap().provider.name(), "runware");
        let i = p.image_with_key(1, &s, Some(&openai)).unwrap();
        assert_eq!(
            (i.provider.name(), i.model.as_str()),
            ("openai", "dall-e-3")
        );
        let e = p.embeddings_with_key(1, &s, Some(&openai)).unwrap();
        assert_eq!(e.provider.name(), "openai");
        assert!(!format!("{openai:?}").contains("sk-site"));
        assert_eq!(
            p.text_with_key(1, &s, None).unwrap().provider.name(),
            "offline"
        );
    }

    #[test]
    fn embeddings_follow_the_setting_then_the_text_provider() {
        let mut s = SiteSettings::default();
        let offline = providers(&[]).embeddings(1, &s).unwrap();
        assert_eq!(
            (offline.provider.name(), offline.model.as_str()),
            ("offline", "offline-embeddings")
        );
        let p = providers(&[("OPENAI_API_KEY", "sk-test")]);
        let e = p.embeddings(1, &s).unwrap();
        assert_eq!(
            (e.provider.name(), e.model.as_str()),
            ("openai", "text-embedding-3-small")
        );
        s.clustering.embedding_provider = Some("offline".into());
        assert_eq!(p.embeddings(1, &s).unwrap().provider.name(), "offline");
        s.clustering.embedding_provider = Some("openai".into());
        s.clustering.embedding_model = Some("text-embedding-3-large".into());
        assert_eq!(p.embeddings(1, &s).unwrap().model, "text-embedding-3-large");
        let err = providers(&[]).embeddings(1, &s).err().unwrap();
        assert!(err.to_string().contains("OPENAI_API_KEY"), "{err}");
        s.clustering.embedding_provider = Some("runware".into());
        assert!(p.embeddings(1, &s).is_err());
    }
}
