//! `pressroom export SITE --format markdown|hugo|html --out DIR`: the site's approved and
//! published articles as files, re-exportable in place.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use anyhow::Context;
use pressroom_domain::export::ExportFormat;
use pressroom_pipeline::export::{export_site, zip_export};
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The site (name or id).
    pub site: String,
    /// markdown: one .md per article with YAML front matter; hugo: page bundles under
    /// content/posts/; html: a standalone page per article and an index.html.
    #[arg(long, value_parser = ["markdown", "hugo", "html"])]
    pub format: String,
    /// The output directory (created if missing). A re-export overwrites the files it wrote
    /// and removes those it no longer writes; files it did not write are never touched.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the export's files (those its manifest lists) into this zip file.
    #[arg(long)]
    pub zip: Option<PathBuf>,
}

pub(super) async fn command(config: &Config, out: &Out, args: ExportArgs) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, &args.site).await?;
    let format = ExportFormat::parse(&args.format)?;
    let r = export_site(&p, account, site.id, format, &args.out)
        .await
        .with_context(|| format!("exporting site {:?}", site.name))?;
    let zipped = match &args.zip {
        Some(zip) => Some(
            zip_export(&args.out, zip)
                .await
                .with_context(|| format!("writing {}", zip.display()))?,
        ),
        None => None,
    };
    let mut notes = Vec::new();
    if let (Some(zip), Some(n)) = (&args.zip, zipped) {
        notes.push(format!("{n} files zipped into {}", zip.display()));
    }
    for (what, list) in [
        ("kept (edited since the last export)", &r.kept_edited),
        ("left alone (not written by an export)", &r.conflicts),
        ("images missing from the media store", &r.missing_images),
    ] {
        if !list.is_empty() {
            notes.push(format!("{} {what}: {}", list.len(), list.join(", ")));
        }
    }
    out.emit(
        || {
            let mut s = format!(
                "site {:?}: {} articles exported as {} to {} ({} files written, {} unchanged, {} removed)",
                site.name,
                r.articles,
                format.as_str(),
                args.out.display(),
                r.files_written,
                r.files_unchanged,
                r.removed.len()
            );
            for n in &notes {
                s.push_str("\n  ");
                s.push_str(n);
            }
            s
        },
        json!({"site": site.name, "out": args.out, "zip": args.zip, "zipped": zipped, "export": r, "error": null}),
    );
    // Articles exported, but some of their files are not what this export would write.
    if r.conflicts.is_empty() && r.kept_edited.is_empty() && r.missing_images.is_empty() {
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Failures)
    }
}
