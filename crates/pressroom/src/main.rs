//! The `pressroom` command. Thin by design: it parses arguments, opens the store, calls the
//! pipeline and prints. Exit codes: see [`exit::Exit`]; with `--json`, stdout carries exactly
//! one JSON document whatever happens.

mod commands;
mod config;
mod exit;
mod images;
mod output;
mod progress;

use clap::{Parser, Subcommand};
use exit::Exit;
use output::{note, print_line};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "pressroom",
    version,
    about = "Keywords in, reviewed illustrated articles out."
)]
pub struct Cli {
    /// Where the SQLite database, images and config file live.
    #[arg(
        long,
        global = true,
        env = "PRESSROOM_DATA_DIR",
        default_value = "./pressroom-data"
    )]
    pub data_dir: PathBuf,
    /// postgres://… to use PostgreSQL; default: SQLite in the data directory.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Config file (default: pressroom.toml in the data directory, if present).
    #[arg(long, global = true, env = "PRESSROOM_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print one JSON document on stdout instead of human output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Log lines on stderr as text or as JSON (one object a line, with the run's span fields).
    /// Which lines: PRESSROOM_LOG, else RUST_LOG, else warnings and errors only.
    #[arg(
        long,
        global = true,
        env = "PRESSROOM_LOG_FORMAT",
        value_enum,
        ignore_case = true,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import FILE and run the whole pipeline on it.
    Run {
        file: PathBuf,
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        /// Plan and write only these clusters (ids, comma-separated); new keywords wait.
        #[arg(long, value_delimiter = ',')]
        clusters: Vec<i64>,
        /// Write at most this many articles (with the site's content cap, the lower holds).
        #[arg(long)]
        max_articles: Option<u32>,
    },
    /// Serve the web UI and REST API with embedded workers.
    Serve {
        #[arg(long, env = "PRESSROOM_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Image generations at once in this process's embedded worker.
        #[arg(long, default_value_t = pressroom_pipeline::workers::DEFAULT_IMAGE_CONCURRENCY)]
        image_concurrency: usize,
        /// Served behind HTTPS: mark the session cookie Secure and send HSTS.
        #[arg(long, env = "PRESSROOM_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new())]
        secure_cookies: bool,
        /// Require `Authorization: Bearer TOKEN` on /metrics.
        #[arg(long, env = "PRESSROOM_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Take the client address from X-Forwarded-For (only behind a reverse proxy that sets it).
        #[arg(long, env = "PRESSROOM_TRUST_FORWARDED_FOR", value_parser = clap::builder::BoolishValueParser::new())]
        trust_forwarded_for: bool,
    },
    /// Manage web users (sign-in accounts).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Run background workers only (several processes may share a PostgreSQL database).
    Worker {
        /// Image generations at once in this process.
        #[arg(long, default_value_t = pressroom_pipeline::workers::DEFAULT_IMAGE_CONCURRENCY)]
        image_concurrency: usize,
    },
    /// Apply database migrations.
    Migrate,
    /// Manage sites.
    #[command(subcommand)]
    Sites(SitesCommand),
    /// Import, list, archive, restore and delete keywords.
    #[command(subcommand)]
    Keywords(KeywordsCommand),
    /// List and edit clusters: rename, merge, split, move keywords, archive, restore.
    #[command(subcommand)]
    Clusters(commands::ClustersCommand),
    /// List ideas and delete ones not yet made into tasks.
    #[command(subcommand)]
    Ideas(commands::IdeasCommand),
    /// Import search results for SERP clustering.
    #[command(subcommand)]
    Serp(SerpCommand),
    /// Generate images.
    #[command(subcommand)]
    Images(ImagesCommand),
    /// Start and control automation runs.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Review generated content.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Read, edit and regenerate articles; their revisions and links.
    #[command(subcommand)]
    Content(commands::ContentCommand),
    /// Scheduled runs: each site's schedule, next slot and what came of past slots.
    #[command(subcommand)]
    Schedule(commands::ScheduleCommand),
    /// The account's AI provider keys, sealed at rest; sites choose among them.
    #[command(subcommand)]
    Keys(commands::KeysCommand),
    /// Signed notifications: webhooks and their delivery log.
    #[command(subcommand)]
    Webhooks(commands::WebhooksCommand),
    /// Where a site's articles are published: WordPress sites and webhooks, with a schedule.
    #[command(subcommand)]
    Destinations(commands::DestinationsCommand),
    /// Publishing: send approved articles, see and steer the queue, take articles down.
    #[command(subcommand)]
    Publish(commands::PublishCommand),
    /// Export the site's approved and published articles as Markdown, Hugo or HTML files.
    Export(commands::ExportArgs),
    /// Show the credit balance and the latest ledger entries.
    Credits {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// AI usage totals by function, provider or day.
    Usage {
        #[arg(long, default_value = "function", value_parser = ["function", "provider", "day"])]
        by: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Create a user. The password is read from PRESSROOM_PASSWORD, else from the first line
    /// of standard input.
    Create {
        #[arg(long)]
        email: String,
        /// owner, editor or viewer.
        #[arg(long, default_value = "owner", value_parser = ["owner", "editor", "viewer"])]
        role: String,
        /// Put the user in a new account of this name (default: the local account).
        #[arg(long)]
        new_account: Option<String>,
    },
    /// List the users of the account of --email (default: the local account).
    List {
        #[arg(long)]
        email: Option<String>,
    },
    /// Disable a user: their sessions end and they cannot sign in or use their API tokens
    /// until enabled again (the tokens are not revoked). Refused for the last active owner.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled user.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Change a user's role. Refused if it leaves the account without an active owner.
    Role {
        #[arg(long)]
        email: String,
        #[arg(value_parser = ["owner", "editor", "viewer"])]
        role: String,
    },
    /// Set a user's password (from PRESSROOM_PASSWORD, else standard input); ends their
    /// sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokensCommand {
    /// Create an API token for the user; the token is printed once and only its hash is kept.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List the API tokens of the user's account.
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke a token of the user's account by id.
    Revoke {
        #[arg(long)]
        email: String,
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SitesCommand {
    /// List sites.
    List,
    /// Create a site.
    Create {
        name: String,
        #[arg(long)]
        domain: Option<String>,
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Show a site and its settings.
    Show { name: String },
    /// Change a site's settings: `key=value ...` (keys as `sites settings` lists them; an
    /// empty value unsets an optional one). One bad pair and nothing changes.
    Set {
        name: String,
        #[arg(required = true)]
        assignments: Vec<String>,
    },
    /// A site's settings, every key `sites set` takes, with its value.
    Settings { name: String },
    /// Who changed which of a site's settings, when, from what to what; newest first.
    Changes {
        name: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// The prompt an AI function would be sent for this site (its voice and template
    /// overrides applied to sample values), and the variables the template may use.
    Prompt {
        name: String,
        /// generate-ideas, generate-content, generate-image-prompts ...
        function: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeywordsCommand {
    /// Import a CSV/TSV export (UTF-8 or UTF-16, comma, semicolon or tab).
    Import {
        file: PathBuf,
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
    },
    /// List keywords, highest volume first.
    List {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        /// new, mapped or archived.
        #[arg(long)]
        status: Option<String>,
        /// Only keywords containing this text.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Archive keywords by id, e.g. 4,5: they leave their cluster's counts and the stages.
    Archive { ids: String },
    /// Restore archived keywords: back to their cluster, or to new when they had none.
    Restore { ids: String },
    /// Delete keywords for good; ideas already written from them stay.
    Delete { ids: String },
}

#[derive(Subcommand, Debug)]
pub enum SerpCommand {
    /// Import a rank tracker's export: keyword, position and URL columns (header names such as
    /// query, rank or link too), comma, semicolon or tab. Each keyword keeps its 10 best
    /// positions and replaces what it had; one bad row and nothing is imported.
    Import {
        file: PathBuf,
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImagesCommand {
    /// Generate images by id, e.g. --ids 1,2,3.
    Generate {
        #[arg(long)]
        ids: String,
    },
    /// A site's images, oldest first; `--status failed` shows the failures with their errors.
    List {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        #[arg(long, value_parser = ["pending", "generating", "generated", "failed"])]
        status: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
        /// Only images with an id above this one (the next page).
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
    /// Set an image's alt text (what it shows, at most 125 characters).
    Alt { id: i64, text: String },
    /// A new picture from the provider (charged like the first), worked here until it settles.
    Regenerate { id: i64 },
    /// Replace an image with a PNG, JPEG, WebP or GIF file.
    Upload { id: i64, file: PathBuf },
    /// Queue a site's failed images again and work them here until they settle.
    Retry {
        /// Retry every failed image of the site (the only selection for now).
        #[arg(long, required = true)]
        failed: bool,
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RunsCommand {
    /// Start a run and work it to the end in this process.
    Start {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        /// Only queue the run, for `pressroom worker` processes to work.
        #[arg(long)]
        detach: bool,
    },
    /// A run's status and stage results (default: the latest run).
    Status {
        id: Option<String>,
    },
    /// Follow a run's progress read-only, from now on, until it stops (default: the latest).
    Watch {
        id: Option<String>,
    },
    Pause {
        id: String,
    },
    Resume {
        id: String,
    },
    Cancel {
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReviewCommand {
    /// Content waiting for review.
    List {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
    },
    /// Approve by id (12 or 12,13), or every article whose on-page checks all pass.
    Approve {
        #[arg(
            required_unless_present = "all_passing",
            conflicts_with = "all_passing"
        )]
        ids: Option<String>,
        /// Approve every article of --site in review whose checks all pass (offline samples
        /// are left out: approve those by id with --confirm-offline).
        #[arg(long)]
        all_passing: bool,
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        /// Approve offline samples too (written without a model).
        #[arg(long)]
        confirm_offline: bool,
    },
    Reject {
        ids: String,
    },
    /// Send rejected content back to review.
    Reopen {
        ids: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(&e).into(),
    };
    init_logging(cli.log_format);
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return report_error(
                &anyhow::Error::new(e).context("cannot start the async runtime"),
                json,
            )
            .into();
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(exit) => exit.into(),
        Err(e) => report_error(&e, json).into(),
    }
}

/// Log lines go to stderr: stdout is the command's output (under `--json`, its one document).
/// The filter is PRESSROOM_LOG, else RUST_LOG, else `warn`; a filter that does not parse is
/// said once on stderr instead of being dropped in silence. An empty variable counts as unset.
fn init_logging(format: LogFormat) {
    let set = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    let (var, directives) = match set("PRESSROOM_LOG") {
        Some(v) => ("PRESSROOM_LOG", Some(v)),
        None => ("RUST_LOG", set("RUST_LOG")),
    };
    let filter = match directives.map(|d| tracing_subscriber::EnvFilter::try_new(&d)) {
        Some(Ok(filter)) => filter,
        Some(Err(e)) => {
            note!("warning: {var} is not a log filter ({e}); logging warnings and errors only");
            tracing_subscriber::EnvFilter::new("warn")
        }
        None => tracing_subscriber::EnvFilter::new("warn"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        // Every line carries its span and the spans around it, so the run, account and job
        // ids of the driver's span are on each line logged inside it.
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

/// An error as one JSON document on stdout under `--json`, else a line on stderr.
fn report_error(e: &anyhow::Error, json: bool) -> Exit {
    let (exit, code) = exit::classify(e);
    let message = format!("{e:#}");
    if json {
        print_line(&error_document(code, &message).to_string());
    } else {
        note!("error: {message}");
    }
    exit
}

fn error_document(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({"error": {"code": code, "message": message}})
}

/// What clap could not parse exits 2 (usage); `--help` and `--version` exit 0. Under `--json`
/// (looked for in the raw arguments, since they did not parse) each is one JSON document.
fn parse_failure(e: &clap::Error) -> Exit {
    use clap::error::ErrorKind;
    let json = std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json");
    let text = e.render().to_string();
    let (exit, document) = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            (Exit::Ok, serde_json::json!({"help": text.trim_end()}))
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (
            Exit::Usage,
            error_document("usage", "a subcommand is required; see --help for the list"),
        ),
        _ => {
            // clap's first paragraph is the error; the rest is a usage hint for people.
            let first = text.split("\n\n").next().unwrap_or(&text);
            let message = first.trim().trim_start_matches("error: ");
            (Exit::Usage, error_document("usage", message))
        }
    };
    if json {
        print_line(&document.to_string());
    } else if exit == Exit::Ok {
        print_line(text.trim_end());
    } else {
        note!("{}", text.trim_end());
    }
    exit
}
