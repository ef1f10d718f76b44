//! Pressroom's use cases. The CLI, the REST API and the web pages are thin: each user action
//! calls one function here, so the three interfaces behave the same.

pub mod article;
// Issue 14, H3: per-site monthly budgets.
pub mod budget;
pub mod content;
pub mod context;
pub mod export;
pub mod functions;
pub mod html;
pub mod images;
pub mod import;
pub mod keys;
pub mod notify;
pub mod planning;
pub mod prompts;
pub mod publish;
pub mod runs;
pub mod scheduler;
pub mod serp;
pub mod settings;
pub mod workers;

pub use context::{Pipeline, PipelineError};
