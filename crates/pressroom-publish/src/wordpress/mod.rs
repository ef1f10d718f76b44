//! WordPress over its REST API with an application password (Basic auth).
//!
//! [`WordPressClient::publish`] is safe to repeat: the post carries a marker comment naming
//! the Pressroom content id, uploads carry a slug derived from the image and its hash, so a
//! retry, a crash or two workers find what was already made instead of making it again.

mod client;
mod connection;
mod media;
mod publish;
mod seo;
mod terms;

pub use client::{WordPressClient, WordPressTarget, WpPostStatus};
pub use connection::ConnectionReport;
pub use publish::{Published, PublishedMedia, UnpublishTo, marker};
pub use seo::{SeoPlugin, SeoReport};
