//! The AI functions of SPEC 4.1. Each follows the same phases: validate input, load data, build
//! the prompt from the site's template, check credits, call the model, parse its JSON strictly,
//! sanitise, and save the output together with its usage row and credit charge in one
//! transaction. Inputs are typed by entity: `generate_content` takes `TaskId`s and nothing else.
//!
//! - `call`: the phases every function shares: the model call, usage rows, credit checks.
//! - `grouping`: keywords -> clusters, over the site's whole list (Stage 1).
//! - `ideas`: clusters -> ideas (one per search intent) -> tasks.
//! - `articles`: tasks -> articles, fitted to the on-page limits.
//! - `image_prompts`: articles -> image prompts with alt text, one per chosen section.
//! - `embeddings`: phrases to vectors for the embedding clustering method, cached per model.
//!
//! Each function has a span named after it with `account`, `site`, `run` and the id of the
//! item it works on (`cluster`, `task`, `content`), so its log lines can be told apart.

mod articles;
mod call;
mod embeddings;
mod grouping;
mod ideas;
mod image_prompts;

pub(crate) use articles::draft_article;
pub use articles::generate_content;
pub(crate) use call::{ensure_credits, record_failure, settle, site_values, usage_row};
pub use embeddings::{EMBED_BATCH, embed_phrases};
pub use grouping::{
    ClusterReport, Grouping, NewGroup, cluster_keywords, group_new_keywords, join_clusters,
    make_clusters, model_names_clusters, phrases_to_embed,
};
pub use ideas::{IdeasReport, create_tasks, generate_ideas};
pub use image_prompts::generate_image_prompts;
