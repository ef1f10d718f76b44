//! Offline providers: used when no API key is configured. They run on this machine, call no
//! one, cost nothing, and are named "offline" in every response and usage record.

pub mod card;
pub mod text;

use crate::error::ProviderError;
use crate::limits::Limiter;
use crate::registry::{ModelKind, ProviderKind, SharedRegistry, lookup};
use crate::types::{
    BoxFuture, ImageData, ImageProvider, ImageRequest, ImageResponse, Outcome, TextProvider,
    TextRequest, TextResponse, UsageRecord, estimate_tokens,
};
use pressroom_domain::{AiFunction, Credits, UsdMicros};
use std::sync::Arc;
use std::time::Instant;

pub const PROVIDER: &str = "offline";
pub const TEXT_MODEL: &str = "offline-text";
pub const IMAGE_MODEL: &str = "offline-cards";

/// Deterministic text from keywords and outlines (see [`text`]).
pub struct OfflineText {
    registry: SharedRegistry,
}

impl OfflineText {
    pub fn new(registry: SharedRegistry) -> OfflineText {
        OfflineText { registry }
    }
}

impl TextProvider for OfflineText {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn complete<'a>(&'a self, req: &'a TextRequest) -> BoxFuture<'a, Outcome<TextResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.registry,
                ProviderKind::Offline,
                ModelKind::Text,
                TEXT_MODEL,
            );
            let result = text::generate(req.function, &req.input, &req.user).map_err(|e| {
                ProviderError::Config {
                    provider: PROVIDER,
                    message: e.0,
                }
            });
            let tokens_in = estimate_tokens(&req.system) + estimate_tokens(&req.user);
            let tokens_out = result.as_ref().map(|c| estimate_tokens(c)).unwrap_or(0);
            let latency = start.elapsed();
            let usage = UsageRecord {
                function: req.function,
                provider: PROVIDER.into(),
                model: TEXT_MODEL.into(),
                tokens_in,
                tokens_out,
                images: 0,
                cost: spec.text_cost(tokens_in, tokens_out),
                credits: spec.text_credits(tokens_in, tokens_out),
                latency_ms: latency.as_millis() as i64,
                attempts: 0,
                success: result.is_ok(),
                error: result.as_ref().err().map(|e| format!("{}: {e}", e.kind())),
            };
            Outcome {
                result: result.map(|content| TextResponse {
                    content,
                    tokens_in,
                    tokens_out,
                    provider: PROVIDER.into(),
                    model: TEXT_MODEL.into(),
                    latency,
                }),
                usage,
            }
        })
    }
}

/// Title-card PNGs (see [`card`]). Rendering runs on the blocking pool, bounded by the
/// limiter so a big batch does not occupy every core.
pub struct OfflineImages {
    registry: SharedRegistry,
    limiter: Arc<Limiter>,
}

impl OfflineImages {
    pub fn new(registry: SharedRegistry, limiter: Arc<Limiter>) -> OfflineImages {
        OfflineImages { registry, limiter }
    }
}

impl ImageProvider for OfflineImages {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn generate<'a>(&'a self, req: &'a ImageRequest) -> BoxFuture<'a, Outcome<ImageResponse>> {
        Box::pin(async move {
            let start = Instant::now();
            let spec = lookup(
                &self.registry,
                ProviderKind::Offline,
                ModelKind::Image,
                IMAGE_MODEL,
            );
            let (width, height) = spec.sizes.closest(req.width, req.height);
            let permit = self.limiter.acquire().await;
            let subject = req.subject.clone();
            let rendered = tokio::task::spawn_blocking(move || {
                card::render_title_card(&subject, width, height)
            })
            .await;
            drop(permit);
            let result = match rendered {
                Ok(Ok(bytes)) => Ok(bytes),
                Ok(Err(e)) => Err(ProviderError::Render(e.0)),
                Err(e) => Err(ProviderError::Render(format!("render task failed: {e}"))),
            };
            let latency = start.elapsed();
            let ok = result.is_ok();
            let usage = UsageRecord {
                function: AiFunction::GenerateImage,
                provider: PROVIDER.into(),
                model: IMAGE_MODEL.into(),
                tokens_in: 0,
                tokens_out: 0,
                images: i64::from(ok),
                cost: if ok { spec.image_cost(1) } else { UsdMicros(0) },
                credits: if ok {
                    spec.image_credits(1)
                } else {
                    Credits::ZERO
                },
                latency_ms: latency.as_millis() as i64,
                attempts: 0,
                success: ok,
                error: result.as_ref().err().map(|e| format!("{}: {e}", e.kind())),
            };
            Outcome {
                result: result.map(|bytes| ImageResponse {
                    data: ImageData::Bytes(bytes),
                    provider: PROVIDER.into(),
                    model: IMAGE_MODEL.into(),
                    width,
                    height,
                    // What the card shows: the caption of an in-article card, else the title.
                    prompt_sent: if req.subject.caption.trim().is_empty() {
                        req.subject.post_title.clone()
                    } else {
                        req.subject.caption.clone()
                    },
                    revised_prompt: None,
                    reported_cost: None,
                    provider_image_id: None,
                    latency,
                }),
                usage,
            }
        })
    }
}
