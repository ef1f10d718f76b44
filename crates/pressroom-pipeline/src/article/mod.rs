//! One article whole: its body as a reader sees it (in-article images after their sections,
//! internal links at their anchors), its links to the other articles of its cluster, and its
//! on-page check. Every write to an article ends in [`recheck`]; every change to which
//! articles a cluster has, or to their text, ends in [`refresh_links`].

mod checks;
mod links;
mod view;

pub use checks::recheck;
pub use links::{refresh_links, remove_link};
pub use view::{ArticleView, Urls, load_article, media_url};
