//! Static export: a site's approved and published articles as files in a directory, in one
//! of the formats of [`pressroom_domain::export`] (which also holds the layouts, the front
//! matter and the pages). Articles are named from pages of ids and slugs, then read whole one
//! at a time, so an export of any size holds one article in memory.
//!
//! - `article`: one article's page and images.
//! - `files`: atomic writes and the manifest rule (what a re-export may overwrite or delete).
//! - `archive`: the export's files as one zip.

mod archive;
mod article;
mod files;

pub use archive::zip_export;

use crate::context::{Pipeline, PipelineError};
use article::{Names, export_article};
use files::{Writer, prepare_out_dir};
use pressroom_domain::export::{ExportFormat, html_index, unique_stems};
use pressroom_domain::{AccountId, ClusterId, ContentStatus, SiteId};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The statuses an export includes.
pub const EXPORTED: [ContentStatus; 2] = [ContentStatus::Approved, ContentStatus::Published];
/// Ids and slugs read per query.
const PAGE: u32 = 200;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("cannot export to {}: {reason}", path.display())]
    OutDir { path: PathBuf, reason: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the export manifest {} cannot be used ({reason}); move it away to export afresh (files of the earlier export will then be treated as someone else's)",
        path.display()
    )]
    Manifest { path: PathBuf, reason: String },
}

impl ExportError {
    fn io(path: &Path, source: std::io::Error) -> ExportError {
        ExportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<pressroom_store::StoreError> for ExportError {
    fn from(e: pressroom_store::StoreError) -> Self {
        ExportError::Pipeline(e.into())
    }
}

pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// What an export did. Paths are relative to the output directory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub format: Option<ExportFormat>,
    pub articles: usize,
    /// Files written (new or changed).
    pub files_written: usize,
    /// Files already there with the same bytes.
    pub files_unchanged: usize,
    /// Files of the earlier export no longer part of it (an article unapproved), deleted.
    pub removed: Vec<String>,
    /// Files of an earlier export a person edited since: left as they are.
    pub kept_edited: Vec<String>,
    /// Paths the export would write that hold someone else's file: left as they are.
    pub conflicts: Vec<String>,
    /// Images whose stored file is gone (`stem: path`); the article is exported without them.
    pub missing_images: Vec<String>,
}

/// Exports `site`'s approved and published articles into `out_dir` as `format`. See
/// [`files`] for what a re-export overwrites and deletes.
#[tracing::instrument(skip(p, out_dir), fields(account = account.get(), site = site.get(), format = format.as_str()))]
pub async fn export_site(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    format: ExportFormat,
    out_dir: &Path,
) -> Result<ExportReport> {
    let db = p.db();
    let site = db.site(account, site).await?;
    prepare_out_dir(out_dir).await?;
    let mut writer = Writer::open(out_dir, format).await?;
    let mut report = ExportReport {
        format: Some(format),
        ..Default::default()
    };

    // Names first: every link between exported articles needs its target's file name.
    let mut named = Vec::new();
    let mut after = 0;
    loop {
        let page = db
            .content_slugs_after(account, site.id, &EXPORTED, after, PAGE)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0.get();
        named.extend(page);
    }
    let stems = unique_stems(named.iter().map(|(id, slug)| (*id, slug.as_str())));
    let names = Names {
        format,
        stems: &stems,
    };

    let mut cluster_names: HashMap<ClusterId, String> = HashMap::new();
    let mut index = Vec::new();
    for (id, _) in &named {
        let content = match db.content(account, *id).await {
            Ok(c) => c,
            Err(pressroom_store::StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        // Unapproved since its name was read: not part of this export.
        if !EXPORTED.contains(&content.status) {
            continue;
        }
        let categories = match db.cluster_of_content(account, content.id).await {
            Ok(cluster) => {
                let name = match cluster_names.get(&cluster) {
                    Some(name) => name.clone(),
                    None => {
                        let name = db.cluster(account, cluster).await?.name;
                        cluster_names.insert(cluster, name.clone());
                        name
                    }
                };
                vec![name]
            }
            Err(pressroom_store::StoreError::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let entry = export_article(
            p,
            account,
            &content,
            categories,
            &names,
            &mut writer,
            &mut report,
        )
        .await?;
        report.articles += 1;
        if format == ExportFormat::Html {
            index.push(entry);
        }
    }
    if format == ExportFormat::Html {
        writer
            .write(
                "index.html",
                html_index(&site.name, &index).as_bytes(),
                &mut report,
            )
            .await?;
    }
    writer.finish(&mut report).await?;
    tracing::info!(
        articles = report.articles,
        written = report.files_written,
        removed = report.removed.len(),
        "site exported"
    );
    Ok(report)
}
