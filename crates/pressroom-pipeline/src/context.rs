//! The services every use case needs, built once per process and shared.

use pressroom_domain::TimestampMs;
use pressroom_providers::{
    DownloadConfig, DownloadError, MediaStore, ModelKind, ModelRegistry, ModelSpec, ProviderError,
    ProviderKind, Providers, SafeDownloader,
};
use pressroom_queue::{Queue, QueueError};
use pressroom_store::{Db, SecretBox, SecretError, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("image download failed: {0}")]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Domain(#[from] pressroom_domain::DomainError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("the model's answer was unusable: {0}")]
    BadOutput(String),
    /// The model's answer broke its schema twice (first answer and the corrected retry); the
    /// item it was for fails, the rest of the run goes on.
    #[error(transparent)]
    InvalidAnswer(#[from] pressroom_domain::ai::InvalidAnswer),
    #[error("{0}")]
    Refused(String),
    /// The work would take a site past its monthly budget; nothing was spent. Like running out
    /// of credits, it stops a run and leaves the work waiting (not failed) for next month or
    /// a bigger budget.
    #[error("{0}")]
    OverBudget(String),
    /// A person's input that cannot be used, naming the field at fault (`into: a cluster
    /// cannot be merged into itself`); nothing was changed. A 422.
    #[error("{0}")]
    Invalid(String),
    /// The change would clash with another row (a cluster name the site already uses); the
    /// message names that row. A 409.
    #[error("{0}")]
    Conflict(String),
    /// A review move the article's status does not allow (approving a rejected article,
    /// reopening one that was not rejected).
    #[error("{0}")]
    IllegalMove(String),
    /// A bug (a panicked task): never an item's fault, never retried.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PipelineError {
    /// Worth trying again later (rate limits, server errors, timeouts, a busy database).
    pub fn is_transient(&self) -> bool {
        match self {
            PipelineError::Provider(e) => e.is_transient(),
            PipelineError::Download(e) => e.is_transient(),
            PipelineError::Queue(e) => e.is_transient(),
            PipelineError::Store(e) => e.is_transient(),
            _ => false,
        }
    }
}

pub type Result<T, E = PipelineError> = std::result::Result<T, E>;

/// Database, queue, providers, downloader and media store.
#[derive(Clone)]
pub struct Pipeline {
    inner: Arc<Inner>,
}

/// What time it is, in UTC milliseconds. The scheduler and budgets read time only through
/// this, so tests set it instead of sleeping.
pub type Clock = Arc<dyn Fn() -> TimestampMs + Send + Sync>;

#[derive(Clone)]
struct Inner {
    db: Db,
    queue: Queue,
    providers: Providers,
    downloader: SafeDownloader,
    media: MediaStore,
    data_dir: PathBuf,
    clock: Clock,
    /// Seals and opens provider keys and webhook secrets; `None` when no secret key is set.
    secrets: Option<SecretBox>,
}

impl Pipeline {
    pub fn new(
        db: Db,
        providers: Providers,
        data_dir: &Path,
        download: DownloadConfig,
    ) -> Pipeline {
        Pipeline {
            inner: Arc::new(Inner {
                queue: Queue::new(db.clone()),
                db,
                providers,
                downloader: SafeDownloader::new(download),
                media: MediaStore::new(data_dir.join("media")),
                data_dir: data_dir.to_path_buf(),
                clock: Arc::new(pressroom_store::now_ms),
                secrets: None,
            }),
        }
    }

    /// The same services reading time from `clock` (tests).
    pub fn with_clock(self, clock: Clock) -> Pipeline {
        let mut inner = (*self.inner).clone();
        inner.clock = clock;
        Pipeline {
            inner: Arc::new(inner),
        }
    }

    /// The same services sealing secrets with `secrets`.
    pub fn with_secrets(self, secrets: SecretBox) -> Pipeline {
        let mut inner = (*self.inner).clone();
        inner.secrets = Some(secrets);
        Pipeline {
            inner: Arc::new(inner),
        }
    }

    /// Now, by the pipeline's clock.
    pub fn now(&self) -> TimestampMs {
        (self.inner.clock)()
    }

    /// The secret box, or the error that says how to configure one.
    pub fn secrets(&self) -> Result<&SecretBox> {
        self.inner.secrets.as_ref().ok_or(SecretError::NoKey.into())
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }
    pub fn queue(&self) -> &Queue {
        &self.inner.queue
    }
    pub fn providers(&self) -> &Providers {
        &self.inner.providers
    }
    pub fn downloader(&self) -> &SafeDownloader {
        &self.inner.downloader
    }
    pub fn media(&self) -> &MediaStore {
        &self.inner.media
    }
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The registry's entry for `model` as served by the provider named `provider` (a chosen
    /// provider's `name()`); unknown models get the registry's cautious defaults. A provider
    /// name the registry does not know is refused: pricing it as some other provider could
    /// make its calls free.
    pub fn model_spec(&self, provider: &str, kind: ModelKind, model: &str) -> Result<ModelSpec> {
        let registry = self
            .providers()
            .registry()
            .read()
            .unwrap_or_else(|e| e.into_inner());
        Ok(spec_for(&registry, provider, kind, model)?)
    }
}

fn spec_for(
    registry: &ModelRegistry,
    provider: &str,
    kind: ModelKind,
    model: &str,
) -> Result<ModelSpec, ProviderError> {
    let known = ProviderKind::parse(provider).ok_or_else(|| ProviderError::Config {
        provider: "provider",
        message: format!("no price is known for provider {provider:?}; its calls are refused"),
    })?;
    Ok(registry.resolve(known, kind, model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_provider_is_refused_not_priced_as_offline() {
        let registry = ModelRegistry::seeded();
        // Before: any unknown name fell back to the offline provider, whose model is free.
        let e = spec_for(&registry, "acme", ModelKind::Text, "offline-text").unwrap_err();
        assert!(matches!(e, ProviderError::Config { .. }), "{e}");
        assert!(e.to_string().contains("acme"), "{e}");
        let spec = spec_for(&registry, "openai", ModelKind::Text, "gpt-4o").unwrap();
        assert!(spec.credits.per_1k_tokens.0 > 0);
        let unknown = spec_for(&registry, "offline", ModelKind::Image, "no-such-model").unwrap();
        assert_eq!(unknown.provider, ProviderKind::Offline);
    }
}
