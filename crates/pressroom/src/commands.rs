//! One function per command; each opens the store and calls the same code the API will.

use crate::config::Config;
use crate::{
    Cli, Command, ImagesCommand, KeywordsCommand, ReviewCommand, RunsCommand, SitesCommand,
};
use anyhow::{Context, bail};
use pressroom_domain::{AccountId, KeywordStatus, Site, Status};
use pressroom_pipeline::import::{ImportReport, import_keywords};
use pressroom_store::{Db, KeywordFilter, redact};
use serde_json::json;
use std::path::Path;

/// Prints human text or one JSON document.
struct Out {
    json: bool,
}

impl Out {
    fn emit(&self, human: impl FnOnce() -> String, value: serde_json::Value) {
        if self.json {
            println!("{value}");
        } else {
            println!("{}", human());
        }
    }
}

pub async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let out = Out { json: cli.json };
    let config = Config::resolve(cli.data_dir, cli.database_url, cli.config.as_deref())?;
    match cli.command {
        Command::Migrate => migrate(&config, &out).await,
        Command::Run { file, site } => run(&config, &out, &file, &site).await,
        Command::Sites(cmd) => sites(&config, &out, cmd).await,
        Command::Keywords(KeywordsCommand::Import { file, site }) => {
            let (db, account) = open(&config).await?;
            let site = find_site(&db, account, &site).await?;
            let report = import_file(&db, account, &site, &file).await?;
            print_import(&out, &site, &report);
            Ok(())
        }
        Command::Keywords(KeywordsCommand::List {
            site,
            status,
            search,
            limit,
            offset,
        }) => {
            let (db, account) = open(&config).await?;
            let site = find_site(&db, account, &site).await?;
            let status = status.as_deref().map(KeywordStatus::parse).transpose()?;
            let filter = KeywordFilter {
                status,
                search,
                min_volume: None,
                limit,
                offset,
            };
            let keywords = db.keywords(account, site.id, &filter).await?;
            let total = db.count_keywords(account, site.id, status).await?;
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
            Ok(())
        }
        Command::Credits { limit } => {
            let (db, account) = open(&config).await?;
            let balance = db.account(account).await?.credits;
            let entries = db.credit_entries(account, limit).await?;
            out.emit(
                || {
                    let mut s = format!("balance: {balance} credits\n");
                    for e in &entries {
                        s.push_str(&format!(
                            "{:>+8}  {:>8}  {}\n",
                            e.delta.0, e.balance_after.0, e.reason
                        ));
                    }
                    s.trim_end().to_string()
                },
                json!({"balance": balance, "entries": entries}),
            );
            Ok(())
        }
        Command::Serve { .. } => not_built("serve", "the web UI and REST API"),
        Command::Worker => not_built("worker", "background workers"),
        Command::Images(ImagesCommand::Generate { .. }) => {
            not_built("images generate", "the image generation queue")
        }
        Command::Runs(
            RunsCommand::Start { .. }
            | RunsCommand::Status { .. }
            | RunsCommand::Pause { .. }
            | RunsCommand::Resume { .. }
            | RunsCommand::Cancel { .. },
        ) => not_built("runs", "automation runs"),
        Command::Review(
            ReviewCommand::List | ReviewCommand::Approve { .. } | ReviewCommand::Reject { .. },
        ) => not_built("review", "the review gate"),
    }
}

fn not_built(command: &str, what: &str) -> anyhow::Result<()> {
    bail!(
        "`pressroom {command}` is not built yet: {what} will arrive with a later release; nothing was done"
    )
}

/// Opens the database, applies migrations and returns the local default account.
async fn open(config: &Config) -> anyhow::Result<(Db, AccountId)> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("opening database {}", redact(&config.database_url)))?;
    db.migrate().await?;
    let (account, _) = db.local_default().await?;
    Ok((db, account.id))
}

/// The named site; the local default site is created on first use, others must exist.
async fn find_site(db: &Db, account: AccountId, name: &str) -> anyhow::Result<Site> {
    if name == pressroom_store::LOCAL_SITE_NAME {
        return Ok(db.ensure_site(account, name).await?);
    }
    db.site_by_name(account, name).await?.with_context(|| {
        format!("no site named {name:?}; create it with `pressroom sites create {name:?}`")
    })
}

async fn import_file(
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

fn print_import(out: &Out, site: &Site, r: &ImportReport) {
    if !out.json {
        for e in &r.errors {
            eprintln!("line {}: {} (row skipped)", e.line, e.message);
        }
        if r.skipped > r.errors.len() as u64 {
            eprintln!(
                "... and {} more bad rows",
                r.skipped - r.errors.len() as u64
            );
        }
    }
    out.emit(
        || {
            format!(
                "site {:?}: {} rows read, {} new keywords, {} merged with existing, {} bad rows skipped",
                site.name, r.rows, r.inserted, r.merged, r.skipped
            )
        },
        json!({"site": site.name, "import": r}),
    );
}

async fn migrate(config: &Config, out: &Out) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("opening database {}", redact(&config.database_url)))?;
    db.migrate().await?;
    out.emit(
        || {
            format!(
                "migrations applied ({}: {})",
                db.engine().as_str(),
                redact(&config.database_url)
            )
        },
        json!({"engine": db.engine().as_str(), "migrated": true}),
    );
    Ok(())
}

async fn run(config: &Config, out: &Out, file: &Path, site: &str) -> anyhow::Result<()> {
    let (db, account) = open(config).await?;
    let site = find_site(&db, account, site).await?;
    let report = import_file(&db, account, &site, file).await?;
    let total = db.count_keywords(account, site.id, None).await?;
    if !out.json {
        for e in &report.errors {
            eprintln!("line {}: {} (row skipped)", e.line, e.message);
        }
    }
    out.emit(
        || {
            format!(
                "Data directory: {}\nImported {}: {} new keywords, {} merged, {} bad rows skipped; site {:?} has {total} keywords.\n\
                 Stages 1-7 (clusters, ideas, tasks, content, images, review) are not built yet: only the import ran.",
                config.data_dir.display(),
                file.display(),
                report.inserted,
                report.merged,
                report.skipped,
                site.name
            )
        },
        json!({"site": site.name, "import": report, "counts": {"keywords": total}, "stages": null,
               "note": "stages 1-7 are not built yet: only the import ran"}),
    );
    Ok(())
}

async fn sites(config: &Config, out: &Out, cmd: SitesCommand) -> anyhow::Result<()> {
    let (db, account) = open(config).await?;
    match cmd {
        SitesCommand::List => {
            let sites = db.sites(account).await?;
            out.emit(
                || {
                    sites
                        .iter()
                        .map(|s| {
                            format!(
                                "{:>4}  {}  {}",
                                s.id,
                                s.name,
                                s.domain.as_deref().unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"sites": sites}),
            );
        }
        SitesCommand::Create {
            name,
            domain,
            language,
        } => {
            let site = db
                .create_site(
                    account,
                    &name,
                    domain.as_deref(),
                    &language,
                    &Default::default(),
                )
                .await?;
            out.emit(
                || format!("created site {} ({:?})", site.id, site.name),
                json!({"site": site}),
            );
        }
        SitesCommand::Show { name } => {
            let site = find_site(&db, account, &name).await?;
            out.emit(
                || serde_json::to_string_pretty(&site).unwrap_or_default(),
                json!({"site": site}),
            );
        }
    }
    Ok(())
}
