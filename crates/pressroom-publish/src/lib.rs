//! The places articles go. Clients only: no database, no queue. The pipeline builds an
//! [`OutgoingArticle`], a destination client sends it and says exactly what happened.

pub mod article;
pub mod error;
pub mod live;
pub mod outbound;
pub mod wordpress;

pub use article::{OutgoingArticle, OutgoingImage};
pub use error::PublishError;
pub use live::{LiveCheck, check_live};
pub use outbound::{GuardRefused, OutboundPolicy, guarded_client};
pub use wordpress::{
    ConnectionReport, Published, PublishedMedia, SeoPlugin, SeoReport, UnpublishTo,
    WordPressClient, WordPressTarget, WpPostStatus, marker,
};
