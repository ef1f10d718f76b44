//! `pressroom keywords import|list`, and the import report `pressroom run` prints too;
//! `keywords archive|restore|delete` are plan edits, in `clusters.rs`.

use super::clusters::{KeywordEdit, edit_keywords};
use crate::KeywordsCommand;
use crate::config::{Config, find_site, open};
use crate::exit::Exit;
use crate::output::{Out, note, outcome_error};
use anyhow::Context;
use pressroom_domain::*;
use pressroom_pipeline::import::{ImportReport, import_keywords};
use pressroom_store::{Db, KeywordFilter, Page};
use serde_json::json;
use std::path::Path;

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: KeywordsCommand,
) -> anyhow::Result<Exit> {
    match cmd {
        KeywordsCommand::Import { file, site } => {
            let (db, account) = open(config).await?;
            let site = find_site(&db, account, &site).await?;
            let report = import_file(&db, account, &site, &file).await?;
            Ok(print_import(out, &site, &report))
        }
        KeywordsCommand::List {
            site,
            status,
            search,
            limit,
            offset,
        } => {
            let (db, account) = open(config).await?;
            let site = find_site(&db, account, &site).await?;
            let status = status.as_deref().map(KeywordStatus::parse).transpose()?;
            let filter = KeywordFilter {
                status,
                search,
                min_volume: None,
            };
            let keywords = db
                .keywords(account, site.id, &filter, Page { limit, offset })
                .await?;
            let total = db.count_keywords(account, site.id, &filter).await?;
            out.emit(
                || {
                    let mut s = format!(
                        "{:>8}  {:>6}  {:>3}  {:<9} {}\n",
                        "id", "volume", "kd", "status", "keyword"
                    );
                    for k in &keywords {
                        s.push_str(&format!(
                            "{:>8}  {:>6}  {:>3}  {:<9} {}\n",
                            k.id,
                            k.volume
                                .map(|v| v.to_string())
                                .unwrap_or_else(|| "-".into()),
                            k.difficulty
                                .map(|v| v.to_string())
                                .unwrap_or_else(|| "-".into()),
                            k.status.as_str(),
                            k.phrase
                        ));
                    }
                    s.push_str(&format!("{} of {total} keywords", keywords.len()));
                    s
                },
                json!({"site": site.name, "total": total, "keywords": keywords}),
            );
            Ok(Exit::Ok)
        }
        KeywordsCommand::Archive { ids } => {
            edit_keywords(config, out, &ids, KeywordEdit::Archive).await
        }
        KeywordsCommand::Restore { ids } => {
            edit_keywords(config, out, &ids, KeywordEdit::Restore).await
        }
        KeywordsCommand::Delete { ids } => {
            edit_keywords(config, out, &ids, KeywordEdit::Delete).await
        }
    }
}

pub(super) async fn import_file(
    db: &Db,
    account: AccountId,
    site: &Site,
    file: &Path,
) -> anyhow::Result<ImportReport> {
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    import_keywords(db, account, site.id, &source, reader)
        .await
        .with_context(|| format!("importing {}", file.display()))
}

/// Prints an import's report; exits 3 when rows were skipped or metrics left empty.
pub(super) fn print_import(out: &Out, site: &Site, r: &ImportReport) -> Exit {
    print_row_errors(out, r);
    let exit = import_exit(r);
    out.emit(
        || {
            let mut s = format!(
                "site {:?}: {} rows read, {} new keywords, {} merged with existing, {} bad rows skipped",
                site.name, r.rows, r.inserted, r.merged, r.skipped
            );
            if r.incomplete > 0 {
                s.push_str(&format!(", {} kept with a metric left empty", r.incomplete));
            }
            s
        },
        json!({"site": site.name, "import": r, "error": outcome_error(exit, || import_problems(r))}),
    );
    exit
}

pub(super) fn import_exit(r: &ImportReport) -> Exit {
    if r.skipped > 0 || r.incomplete > 0 {
        Exit::Failures
    } else {
        Exit::Ok
    }
}

pub(super) fn import_problems(r: &ImportReport) -> String {
    format!(
        "{} rows skipped, {} kept with a metric left empty",
        r.skipped, r.incomplete
    )
}

pub(super) fn print_row_errors(out: &Out, r: &ImportReport) {
    if out.json {
        return;
    }
    let mut lines: Vec<(u64, String)> = r
        .errors
        .iter()
        .map(|e| (e.line, format!("{} (row skipped)", e.message)))
        .chain(r.warnings.iter().map(|w| (w.line, w.message.clone())))
        .collect();
    lines.sort_by_key(|(line, _)| *line);
    for (line, message) in lines {
        note!("line {line}: {message}");
    }
    if r.skipped > r.errors.len() as u64 {
        note!(
            "... and {} more bad rows",
            r.skipped - r.errors.len() as u64
        );
    }
}
