//! One function per command; each opens the store and calls the same pipeline code the API
//! calls. No pipeline logic lives here.

use crate::config::Config;
use crate::exit::{Exit, Missing};
use crate::output::{note, print_line};
use crate::progress::{RunWatch, watch_run};
use crate::{
    Cli, Command, KeywordsCommand, ReviewCommand, RunsCommand, SitesCommand, TokensCommand,
    UsersCommand,
};
use anyhow::{Context, bail};
use pressroom_domain::ids::parse_id_list;
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::import::{ImportReport, import_keywords};
use pressroom_pipeline::runs;
use pressroom_providers::{DownloadConfig, Providers};
use pressroom_queue::{CancellationToken, WorkerConfig, shutdown_on_signal};
use pressroom_store::{Db, KeywordFilter, Page, redact};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Prints human text or one JSON document; a command calls it once.
pub struct Out {
    pub json: bool,
}

impl Out {
    pub(crate) fn emit(&self, human: impl FnOnce() -> String, value: serde_json::Value) {
        if self.json {
            print_line(&value.to_string());
        } else {
            print_line(&human());
        }
    }
}

/// The `error` member of a document whose command exits non-zero without failing outright
/// (items failed, ids not found); `null` when the exit is 0.
pub(crate) fn outcome_error(exit: Exit, message: impl FnOnce() -> String) -> serde_json::Value {
    match exit {
        Exit::Ok => serde_json::Value::Null,
        Exit::Failures => json!({"code": "finished_with_failures", "message": message()}),
        Exit::NotFound => json!({"code": "not_found", "message": message()}),
        Exit::Error | Exit::Usage => json!({"code": "error", "message": message()}),
    }
}

pub async fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
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
            Ok(print_import(&out, &site, &report))
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
            Ok(Exit::Ok)
        }
        Command::Usage { by } => {
            let (db, account) = open(&config).await?;
            let rows = db.usage_summary(account, &by).await?;
            out.emit(
                || {
                    let mut s = format!(
                        "{:<24} {:>6} {:>6} {:>9} {:>6} {:>12} {:>8}\n",
                        by, "calls", "failed", "tokens", "images", "cost", "credits"
                    );
                    for r in &rows {
                        s.push_str(&format!(
                            "{:<24} {:>6} {:>6} {:>9} {:>6} {:>12} {:>8}\n",
                            r.key,
                            r.calls,
                            r.failures,
                            r.tokens,
                            r.images,
                            r.cost.to_string(),
                            r.credits.0
                        ));
                    }
                    s.trim_end().to_string()
                },
                json!({"by": by, "usage": rows}),
            );
            Ok(Exit::Ok)
        }
        Command::Worker { image_concurrency } => {
            let (p, _) = pipeline(&config).await?;
            note!(
                "worker started ({}); stop with Ctrl-C",
                p.db().engine().as_str()
            );
            let metrics =
                pressroom_pipeline::workers::worker(&p, image_concurrency, WorkerConfig::default())
                    .run(shutdown_on_signal())
                    .await?;
            out.emit(
                || format!("worker stopped: {metrics:?}"),
                json!({"stopped": true}),
            );
            Ok(Exit::Ok)
        }
        Command::Images(cmd) => crate::images::command(&config, &out, cmd).await,
        Command::Runs(cmd) => runs_command(&config, &out, cmd).await,
        Command::Review(cmd) => review_command(&config, &out, cmd).await,
        Command::Serve {
            addr,
            image_concurrency,
            secure_cookies,
            metrics_token,
            trust_forwarded_for,
        } => {
            let web = pressroom_web::WebConfig {
                secure_cookies,
                metrics_token: metrics_token.filter(|t| !t.trim().is_empty()),
                trust_forwarded_for,
                ..Default::default()
            };
            serve(&config, &addr, image_concurrency, web)
                .await
                .map(|()| Exit::Ok)
        }
        Command::Users(cmd) => users_command(&config, &out, cmd).await,
        Command::Tokens(cmd) => tokens_command(&config, &out, cmd).await,
    }
}

/// The web UI, the REST API and an embedded worker in one process, until Ctrl-C or SIGTERM.
async fn serve(
    config: &Config,
    addr: &str,
    image_concurrency: usize,
    web: pressroom_web::WebConfig,
) -> anyhow::Result<()> {
    let (p, account) = pipeline(config).await?;
    if p.db().users(account).await?.is_empty() {
        note!(
            "no users in the local account yet: create the first owner with\n  pressroom users create --email you@example.com"
        );
    }
    pressroom_web::serve_with(p, addr, image_concurrency, web, shutdown_on_signal(), |bound| {
        eprintln!("Pressroom is serving on http://{bound} (web UI, /api/v1, embedded worker); stop with Ctrl-C");
    })
    .await?;
    eprintln!("stopped");
    Ok(())
}

/// A password from PRESSROOM_PASSWORD, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("PRESSROOM_PASSWORD") {
        return Ok(p);
    }
    // A prompt without a newline; a closed stderr only loses the prompt.
    let _ = write!(
        std::io::stderr(),
        "password (at least {} characters): ",
        pressroom_store::MIN_PASSWORD_CHARS
    );
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn users_command(config: &Config, out: &Out, cmd: UsersCommand) -> anyhow::Result<Exit> {
    let (db, local) = open(config).await?;
    match cmd {
        UsersCommand::Create {
            email,
            role,
            new_account,
        } => {
            let role = Role::parse(&role)?;
            let account = match new_account {
                Some(name) => {
                    db.create_account(&name, pressroom_store::LOCAL_STARTING_CREDITS)
                        .await?
                        .id
                }
                None => local,
            };
            let password = read_password()?;
            let user = db.create_user(account, &email, &password, role).await?;
            out.emit(
                || {
                    format!(
                        "user {} ({}) created in account {}; sign in with `pressroom serve`",
                        user.email, user.role, user.account_id
                    )
                },
                json!({"user": user}),
            );
        }
        UsersCommand::List { email } => {
            let account = match email {
                Some(e) => db.user_by_email(&e).await?.account_id,
                None => local,
            };
            let users = db.users(account).await?;
            out.emit(
                || {
                    users
                        .iter()
                        .map(|u| format!("{:>6}  {:<7} {:<8} {}", u.id, u.role, u.status, u.email))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"users": users}),
            );
        }
    }
    Ok(Exit::Ok)
}

async fn tokens_command(config: &Config, out: &Out, cmd: TokensCommand) -> anyhow::Result<Exit> {
    let (db, _) = open(config).await?;
    match cmd {
        TokensCommand::Create { email, name } => {
            let user = db.user_by_email(&email).await?;
            let created = db.create_api_token(user.account_id, user.id, &name).await?;
            out.emit(
                || {
                    format!(
                        "token {} created for {}; copy it now, it is not shown again:\n{}",
                        created.token.id, user.email, created.secret
                    )
                },
                json!({"token": created.token, "secret": created.secret}),
            );
        }
        TokensCommand::List { email } => {
            let user = db.user_by_email(&email).await?;
            let tokens = db.api_tokens(user.account_id).await?;
            out.emit(
                || {
                    tokens
                        .iter()
                        .map(|t| {
                            format!("{:>6}  {:<14} {:<8} {}", t.id, t.prefix, t.status, t.name)
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"tokens": tokens}),
            );
        }
        TokensCommand::Revoke { email, id } => {
            let user = db.user_by_email(&email).await?;
            let token = db
                .revoke_api_token(user.account_id, id.parse::<ApiTokenId>()?)
                .await?;
            out.emit(
                || format!("token {} ({}) revoked", token.id, token.prefix),
                json!({"token": token}),
            );
        }
    }
    Ok(Exit::Ok)
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

pub(crate) async fn pipeline(config: &Config) -> anyhow::Result<(Pipeline, AccountId)> {
    let (db, account) = open(config).await?;
    // Loopback downloads are for local test servers (the mock provider); off unless asked.
    let allow_loopback =
        std::env::var("PRESSROOM_ALLOW_LOOPBACK_DOWNLOADS").is_ok_and(|v| v == "1" || v == "true");
    let download = DownloadConfig {
        allow_loopback,
        ..DownloadConfig::default()
    };
    Ok((
        Pipeline::new(db, Providers::from_env(), &config.data_dir, download),
        account,
    ))
}

/// Runs an embedded worker until `done` says so (or Ctrl-C).
pub(crate) async fn work_until<F, Fut>(p: &Pipeline, done: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let stop = CancellationToken::new();
    let worker = pressroom_pipeline::workers::worker(
        p,
        pressroom_pipeline::workers::DEFAULT_IMAGE_CONCURRENCY,
        embedded_config(),
    );
    let handle = tokio::spawn(worker.run(stop.clone()));
    let signal = shutdown_on_signal();
    let result = loop {
        match done().await {
            Ok(true) => break Ok(()),
            Ok(false) => {}
            Err(e) => break Err(e),
        }
        if signal.is_cancelled() {
            break Err(anyhow::anyhow!(
                "interrupted; the work is saved and resumes on the next run"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    stop.cancel();
    handle.await.context("worker task")??;
    result
}

/// Embedded workers use a short lease, so a run killed with its process is picked up again
/// within seconds when the command is repeated.
fn embedded_config() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(200),
        ..WorkerConfig::default().with_lease(Duration::from_secs(10))
    }
}

/// The named site; the local default site is created on first use, others must exist.
pub(crate) async fn find_site(db: &Db, account: AccountId, name: &str) -> anyhow::Result<Site> {
    if name == pressroom_store::LOCAL_SITE_NAME {
        return Ok(db.ensure_site(account, name).await?);
    }
    db.site_by_name(account, name).await?.ok_or_else(|| {
        Missing(format!(
            "no site named {name:?}; create it with `pressroom sites create {name:?}`"
        ))
        .into()
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

/// Prints an import's report; exits 3 when rows were skipped or metrics left empty.
fn print_import(out: &Out, site: &Site, r: &ImportReport) -> Exit {
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

fn import_exit(r: &ImportReport) -> Exit {
    if r.skipped > 0 || r.incomplete > 0 {
        Exit::Failures
    } else {
        Exit::Ok
    }
}

fn import_problems(r: &ImportReport) -> String {
    format!(
        "{} rows skipped, {} kept with a metric left empty",
        r.skipped, r.incomplete
    )
}

fn print_row_errors(out: &Out, r: &ImportReport) {
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

async fn migrate(config: &Config, out: &Out) -> anyhow::Result<Exit> {
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
    Ok(Exit::Ok)
}

/// The main job: import, then run stages 1-7 with embedded workers, then summarise.
async fn run(config: &Config, out: &Out, file: &Path, site: &str) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let report = import_file(p.db(), account, &site, file).await?;
    print_row_errors(out, &report);
    if !out.json {
        note!(
            "imported {}: {} new keywords, {} merged, {} bad rows skipped, {} kept with a metric left empty",
            file.display(),
            report.inserted,
            report.merged,
            report.skipped,
            report.incomplete
        );
    }
    // A run another live process drives is watched, read-only; one left active by a killed
    // process is resumed here, not duplicated.
    let run = match p.db().active_run(account, site.id).await? {
        Some(active) => {
            if let Some(owner) = runs::driven_by(&p, active.id).await? {
                note!(
                    "run {} on site {:?} is being worked by another process ({owner}); watching it read-only from now on (Ctrl-C stops watching, not the run)",
                    active.id,
                    site.name
                );
                if !watch_only(&p, account, active.id, out.json).await? {
                    return summarise(&p, account, &site, active.id, out, Some(&report)).await;
                }
                note!(
                    "the process driving run {} stopped; resuming it here",
                    active.id
                );
            }
            if !out.json {
                note!("resuming run {} ({})", active.id, active.status);
            }
            runs::resume_run(&p, account, active.id).await?
        }
        None => {
            runs::start_run(&p, account, site.id, RunTrigger::Cli)
                .await?
                .0
        }
    };
    drive_to_end(&p, account, run.id, out.json).await?;
    summarise(&p, account, &site, run.id, out, Some(&report)).await
}

/// Follows a run another process drives, from its newest event, until it stops or pauses,
/// or until no live process drives it any more (its driver's lease lapsed: the process died);
/// starts no worker. Returns true in that last case.
async fn watch_only(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    quiet: bool,
) -> anyhow::Result<bool> {
    let watch = RunWatch::after(quiet, p.db().last_run_event(account, run).await?);
    let signal = shutdown_on_signal();
    let orphaned = loop {
        let status = watch_run(p, account, run, &watch).await?;
        if !status.is_active() || status == RunStatus::Paused {
            break false;
        }
        if runs::driven_by(p, run).await?.is_none() {
            break true;
        }
        if signal.is_cancelled() {
            bail!("stopped watching; run {run} goes on in the process that drives it");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    watch.finish();
    Ok(orphaned)
}

/// Works the run here until it stops or pauses, showing its events from the newest one on
/// (a resumed run's earlier log is not replayed).
async fn drive_to_end(
    p: &Pipeline,
    account: AccountId,
    run: RunId,
    quiet: bool,
) -> anyhow::Result<()> {
    let watch = RunWatch::after(quiet, p.db().last_run_event(account, run).await?);
    let watch_ref = &watch;
    work_until(p, || {
        let p = p.clone();
        async move {
            let status = watch_run(&p, account, run, watch_ref).await?;
            Ok(!status.is_active() || status == RunStatus::Paused)
        }
    })
    .await?;
    watch.finish();
    Ok(())
}

async fn summarise(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    run: RunId,
    out: &Out,
    import: Option<&ImportReport>,
) -> anyhow::Result<Exit> {
    let run = p.db().run(account, run).await?;
    let failed_items = run.failed_items();
    let exit = crate::exit::run_exit(&run).worst(import.map(import_exit).unwrap_or(Exit::Ok));
    let error = match exit {
        Exit::Error => {
            json!({"code": "run_failed", "message": format!("run {} failed: {}", run.id, run.error.as_deref().unwrap_or(""))})
        }
        _ => outcome_error(exit, || {
            let mut m = format!("{failed_items} items failed in the run");
            if let Some(r) = import.filter(|r| import_exit(r) != Exit::Ok) {
                m.push_str(&format!("; import: {}", import_problems(r)));
            }
            m
        }),
    };
    let counts = p.db().pipeline_counts(account, site.id).await?;
    // What the run used, recorded by its driver (which may be another process with other keys);
    // "not started" before a driver first took it.
    let not_started = || "not started".to_string();
    let (text, text_model, image, image_model) = match run.providers.clone() {
        Some(u) => (
            u.text_provider,
            u.text_model,
            u.image_provider,
            u.image_model,
        ),
        None => (not_started(), not_started(), not_started(), not_started()),
    };
    let stages: Vec<serde_json::Value> = Stage::ALL
        .iter()
        .zip(&run.stage_results)
        .map(|(s, r)| json!({"stage": s.number(), "name": s.name(), "processed": r.processed, "created": r.created, "failed": r.failed, "skipped": r.skipped, "credits": r.credits, "elapsed_ms": r.elapsed_ms}))
        .collect();
    let value = json!({
        "run_id": run.id,
        "status": run.status.as_str(),
        "stages": stages,
        "credits_used": run.credits_used,
        "counts": {
            "keywords": counts.keywords, "clusters": counts.clusters, "ideas": counts.ideas, "tasks": counts.tasks,
            "content": counts.content, "content_in_review": counts.content_review, "images_generated": counts.images_generated,
            "images_failed": counts.images_failed,
        },
        "providers": {"text": text, "text_model": text_model, "image": image, "image_model": image_model},
        "import": import,
        "error": error,
        "data_dir": p.data_dir(),
    });
    out.emit(
        || {
            let mut s = format!("\nRun {} on site {:?}: {}   (text: {text} {text_model}, images: {image} {image_model})\n", run.id, site.name, run.status.as_str().replace('_', " "));
            s.push_str(&format!("{:<2} {:<26} {:>9} {:>8} {:>7} {:>8} {:>8} {:>8}\n", "#", "stage", "processed", "created", "failed", "skipped", "credits", "ms"));
            for (st, r) in Stage::ALL.iter().zip(&run.stage_results) {
                s.push_str(&format!("{:<2} {:<26} {:>9} {:>8} {:>7} {:>8} {:>8} {:>8}\n", st.number(), st.name(), r.processed, r.created, r.failed, r.skipped, r.credits.0, r.elapsed_ms));
            }
            s.push_str(&format!(
                "\n{} keywords, {} clusters, {} ideas, {} articles ({} awaiting review), {} images generated, {} failed; {} credits used.\nImages are in {}.",
                counts.keywords, counts.clusters, counts.ideas, counts.content, counts.content_review, counts.images_generated, counts.images_failed, run.credits_used, p.media().root().display()
            ));
            s
        },
        value,
    );
    if !out.json && exit != Exit::Ok {
        note!(
            "{}: {}",
            if exit == Exit::Error {
                "error"
            } else {
                "warning"
            },
            error["message"].as_str().unwrap_or("")
        );
    }
    Ok(exit)
}

async fn runs_command(config: &Config, out: &Out, cmd: RunsCommand) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let parse = |s: &str| -> anyhow::Result<RunId> { Ok(s.parse::<RunId>()?) };
    match cmd {
        RunsCommand::Start { site, detach } => {
            let site = find_site(p.db(), account, &site).await?;
            let (run, est) = runs::start_run(&p, account, site.id, RunTrigger::Cli).await?;
            if detach {
                out.emit(
                    || format!("run {} queued (estimated {} credits)", run.id, est.credits),
                    json!({"run": run, "estimate": est}),
                );
                return Ok(Exit::Ok);
            }
            drive_to_end(&p, account, run.id, out.json).await?;
            summarise(&p, account, &site, run.id, out, None).await
        }
        RunsCommand::Status { id } => {
            let run = match id {
                Some(id) => p.db().run(account, parse(&id)?).await?,
                None => latest_run(&p, account).await?,
            };
            let site = p.db().site(account, run.site_id).await?;
            summarise(&p, account, &site, run.id, out, None).await
        }
        RunsCommand::Watch { id } => {
            let run = match id {
                Some(id) => p.db().run(account, parse(&id)?).await?,
                None => latest_run(&p, account).await?,
            };
            let site = p.db().site(account, run.site_id).await?;
            if run.status.is_active()
                && run.status != RunStatus::Paused
                && watch_only(&p, account, run.id, out.json).await?
            {
                note!(
                    "no process drives run {} now; `pressroom runs resume {}` continues it here",
                    run.id,
                    run.id
                );
            }
            summarise(&p, account, &site, run.id, out, None).await
        }
        RunsCommand::Pause { id } => {
            let run = runs::pause_run(&p, account, parse(&id)?).await?;
            out.emit(
                || format!("run {} {}", run.id, run.status),
                json!({"run": run}),
            );
            Ok(Exit::Ok)
        }
        RunsCommand::Cancel { id } => {
            let run = runs::cancel_run(&p, account, parse(&id)?).await?;
            out.emit(
                || format!("run {} {}", run.id, run.status),
                json!({"run": run}),
            );
            Ok(Exit::Ok)
        }
        RunsCommand::Resume { id } => {
            let run = runs::resume_run(&p, account, parse(&id)?).await?;
            let site = p.db().site(account, run.site_id).await?;
            drive_to_end(&p, account, run.id, out.json).await?;
            summarise(&p, account, &site, run.id, out, None).await
        }
    }
}

async fn latest_run(p: &Pipeline, account: AccountId) -> anyhow::Result<AutomationRun> {
    Ok(p.db()
        .runs(account, None, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Missing("no runs yet".into()))?)
}

async fn review_command(config: &Config, out: &Out, cmd: ReviewCommand) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let (ids, to) = match cmd {
        ReviewCommand::List { site } => {
            let site = find_site(p.db(), account, &site).await?;
            let waiting = p
                .db()
                .content_list(account, site.id, Some(ContentStatus::Review), 1000)
                .await?;
            out.emit(
                || {
                    let mut s: Vec<String> = waiting.iter().map(|c| format!("{:>6}  {:>5} words  {}", c.id, c.word_count, c.title)).collect();
                    s.push(format!("{} articles wait for review", waiting.len()));
                    s.join("\n")
                },
                json!({"content": waiting.iter().map(|c| json!({"id": c.id, "title": c.title, "slug": c.slug, "word_count": c.word_count, "excerpt": c.excerpt})).collect::<Vec<_>>()}),
            );
            return Ok(Exit::Ok);
        }
        ReviewCommand::Approve { ids } => (ids, ContentStatus::Approved),
        ReviewCommand::Reject { ids } => (ids, ContentStatus::Rejected),
        ReviewCommand::Reopen { ids } => (ids, ContentStatus::Review),
    };
    let ids: Vec<ContentId> = parse_id_list(&ids)?;
    if ids.is_empty() {
        bail!("give at least one content id, e.g. 12 or 12,13");
    }
    let results = runs::review(&p, account, &ids, to).await?;
    // The pipeline reports each failure as text; whether the id exists is asked directly.
    let mut rows = Vec::with_capacity(results.len());
    for (id, result) in &results {
        let outcome = match result {
            Ok(()) => to.as_str(),
            Err(_) => match p.db().content(account, *id).await {
                Err(pressroom_store::StoreError::NotFound { .. }) => "not_found",
                _ => "failed",
            },
        };
        rows.push((*id, outcome, result.as_ref().err()));
    }
    let missing = rows.iter().filter(|r| r.1 == "not_found").count();
    let failed = rows.iter().filter(|r| r.1 == "failed").count();
    let exit = Exit::of_batch(missing, failed);
    let message = || {
        format!(
            "{} of {} could not be moved to {to}: {missing} not found, {failed} refused",
            missing + failed,
            rows.len()
        )
    };
    let error = outcome_error(exit, message);
    out.emit(
        || rows.iter().map(|(id, outcome, e)| match e {
            None => format!("content {id}: {outcome}"),
            Some(e) => format!("content {id}: {e}"),
        }).collect::<Vec<_>>().join("\n"),
        json!({
            "results": rows.iter().map(|(id, outcome, e)| json!({"id": id, "ok": e.is_none(), "outcome": outcome, "error": e})).collect::<Vec<_>>(),
            "error": error,
        }),
    );
    if !out.json && exit != Exit::Ok {
        note!("{}", message());
    }
    Ok(exit)
}

async fn sites(config: &Config, out: &Out, cmd: SitesCommand) -> anyhow::Result<Exit> {
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
    Ok(Exit::Ok)
}
