//! Repositories for the pipeline's work items: clusters, ideas, tasks, content, images. Reads
//! pick stage input by status; writes run inside the caller's transaction so an item's output,
//! its status moves, its usage row and its charge commit together.

mod articles;
mod counts;
mod editing;
mod image_edits;
mod links;
mod planning;
mod revisions;
mod writes;

pub use editing::MergeCounts;
pub use links::{LinkView, NewLink};
use pressroom_domain::*;
pub use revisions::ContentText;

const CLUSTER_COLS: &str = "id, account_id, site_id, name, description, keyword_count, total_volume, method, threshold, status, created_at";
const IDEA_COLS: &str = "id, account_id, site_id, cluster_id, title, description, outline, primary_keyword, secondary_keywords, content_structure, target_words, status, created_at";
const TASK_COLS: &str = "id, account_id, site_id, idea_id, cluster_id, title, brief, keywords, target_words, status, error, created_at";
const CONTENT_COLS: &str = "id, account_id, site_id, task_id, title, slug, meta_title, meta_description, excerpt, body_html, body_markdown, word_count, primary_keyword, secondary_keywords, status, offline, version, checks, created_at, updated_at";
const IMAGE_COLS: &str = "id, account_id, site_id, content_id, image_type, position, prompt, negative_prompt, alt_text, section, generation, provider, model, size, file_path, public_url, bytes, sha256, error, attempts, status, created_at, updated_at";

/// New content ready to store (body already rendered and sanitised by the pipeline).
#[derive(Debug, Clone)]
pub struct NewContent {
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_html: String,
    pub body_markdown: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    /// Written by the built-in offline writer (a sample, not for publishing).
    pub offline: bool,
}

/// A prompt for an image row to create.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub image_type: ImageType,
    pub position: i64,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub alt_text: String,
    /// The H2 an in-article image follows; `None` for the featured image.
    pub section: Option<String>,
    pub size: String,
}

/// What a generated image left behind.
#[derive(Debug, Clone)]
pub struct GeneratedImage {
    pub provider: String,
    pub model: String,
    pub file_path: String,
    pub public_url: Option<String>,
    pub bytes: i64,
    pub sha256: String,
}

/// Counts per status of every pipeline entity of a site, for dashboards and run summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PipelineCounts {
    pub keywords: i64,
    pub keywords_new: i64,
    pub clusters: i64,
    pub clusters_new: i64,
    pub ideas: i64,
    pub ideas_new: i64,
    pub tasks: i64,
    /// Queued or in progress: waiting for Stage 4.
    pub tasks_waiting: i64,
    pub tasks_failed: i64,
    pub content: i64,
    pub content_review: i64,
    pub content_approved: i64,
    pub images: i64,
    pub images_pending: i64,
    pub images_generated: i64,
    pub images_failed: i64,
}

/// `AND status IN (...)` for statuses given by their fixed names (never user text); nothing
/// when there are none.
fn status_in<'a>(statuses: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<String> = statuses.map(|s| format!("'{s}'")).collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("AND status IN ({})", list.join(", "))
    }
}

/// A site's images by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImageCounts {
    pub pending: i64,
    pub generating: i64,
    pub generated: i64,
    pub failed: i64,
}

/// `cols` (a column list constant) with each column qualified by `alias`, for joins.
fn qualified(cols: &str, alias: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ids_sql(ids: &[i64]) -> String {
    // Ids are i64 values, never text: formatting them into the statement cannot inject SQL.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
