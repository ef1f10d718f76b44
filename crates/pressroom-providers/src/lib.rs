//! Pressroom's AI providers.
//!
//! - [`TextProvider`] / [`ImageProvider`]: object-safe traits; every call returns an
//!   [`Outcome`]: the result plus a [`UsageRecord`], on success and failure alike.
//! - Real providers: [`openai::OpenAiChat`] (any OpenAI-compatible server),
//!   [`openai::OpenAiImages`], [`runware::Runware`]; retried per [`RetryPolicy`] and limited
//!   per (service, account) by a process-wide [`Limits`].
//! - Offline providers ([`offline`]): deterministic text and title-card PNGs, chosen when no
//!   key is configured.
//! - [`embeddings`]: phrases to vectors (OpenAI-compatible `/embeddings`, or offline hashed
//!   n-grams) for keyword clustering.
//! - [`ModelRegistry`]: prompt limits, sizes, prices, credit rates; [`shorten_prompt`].
//! - [`download::SafeDownloader`] and [`download::MediaStore`]: SSRF-guarded image fetches.
//! - [`Providers`]: picks providers from the environment and a site's settings.

pub mod download;
pub mod embeddings;
pub mod error;
pub mod factory;
pub mod http;
pub mod limits;
pub mod offline;
pub mod openai;
pub mod registry;
pub mod retry;
pub mod runware;
pub mod types;

pub use download::{
    DownloadConfig, Downloaded, MediaStore, Posted, SafeDownloader, StoredImage, VerifiedImage,
    verify_image,
};
pub use embeddings::{EmbeddingProvider, EmbeddingRequest, EmbeddingResponse};
pub use error::{DownloadError, ProviderError};
pub use factory::{EmbeddingChoice, ImageChoice, ProviderEnv, ProviderKey, Providers, TextChoice};
pub use http::ProviderDeps;
pub use limits::{LimitConfig, Limits};
pub use registry::{
    ModelKind, ModelRegistry, ModelSpec, ProviderKind, SharedRegistry, SizeRule, shorten_prompt,
};
pub use retry::RetryPolicy;
pub use types::{
    BoxFuture, Correction, ImageData, ImageProvider, ImageRequest, ImageResponse, JsonSchema,
    Outcome, TextProvider, TextRequest, TextResponse, UsageRecord,
};
