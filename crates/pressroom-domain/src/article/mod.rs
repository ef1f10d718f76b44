//! An article as an editor and a search engine read it: the on-page checks, generated text
//! fitted to their limits, internal links between a cluster's articles, and the body with its
//! images and links in place. Pure functions over stored fields; the pipeline does the I/O.

pub mod check;
pub mod compose;
pub mod fit;
pub mod links;
mod markdown;
mod words;

pub use check::{ArticleFacts, Check, CheckName, OnPageReport, check_article};
pub use compose::{Composed, PlacedImage, PlacedLink, compose_markdown};
pub use links::{LinkArticle, PlannedLink, find_anchor, plan_links};
