//! Pressroom's domain: the vocabulary every other crate speaks. Pure data and rules, no I/O,
//! no async, so it can be tested exhaustively and used from anywhere.

pub mod ai;
pub mod article;
pub mod budget;
pub mod clustering;
pub mod entities;
mod error;
pub mod export;
pub mod ids;
pub mod keyword;
mod kinds;
pub mod money;
pub mod publish;
pub mod schedule;
pub mod settings;
pub mod status;
pub mod template;
pub mod text;
pub mod voice;
pub mod webhook;

pub use ai::AiFunction;
pub use entities::*;
pub use error::DomainError;
pub use ids::*;
pub use keyword::{Intent, KeywordDraft, normalise_phrase};
pub use kinds::*;
pub use money::{Credits, UsdMicros};
pub use publish::{Destination, Publication};
pub use schedule::{Frequency, Schedule, Weekday};
pub use settings::{ClusteringSettings, SiteSettings};
pub use status::*;
pub use template::PromptTemplate;
pub use voice::{BrandVoice, PointOfView};
pub use webhook::{Delivery, Webhook};

/// Milliseconds since the Unix epoch, UTC. Both storage engines keep times as this integer,
/// so they sort and compare the same way.
pub type TimestampMs = i64;
