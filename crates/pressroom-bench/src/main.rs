//! `pressroom-bench SUBCOMMAND`: benchmarks that print one JSON line of results.

mod cluster;
mod cluster_methods;
mod import;
mod keyword_lists;
mod mock_pipeline;
mod on_page;
mod publish;
mod queue;
mod run;
mod schedule;
mod stage6;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "pressroom-bench", about = "Pressroom benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Job queue: drain N no-op jobs with W workers; enqueue-to-start latency under load and idle.
    Queue(queue::QueueArgs),
    /// Stage 6: N pending images through the image generation queue against the mock server.
    Stage6(stage6::Stage6Args),
    /// Keyword import: a generated CSV of N rows, time and peak memory.
    Import(import::ImportArgs),
    /// A whole run, stages 1-7, over the OpenAI protocol against the mock server.
    Run(run::RunArgs),
    /// Lexical keyword clustering: quality against a labelled set, or time on N keywords.
    Cluster(cluster::ClusterArgs),
    /// The scheduler: N sites with a due slot, two processes ticking at once.
    Schedule(schedule::ScheduleArgs),
    /// Publishing: the example run's articles to a real WordPress on this machine.
    Publish(publish::PublishArgs),
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Queue(args) => rt.block_on(queue::run(args)),
        Command::Stage6(args) => rt.block_on(stage6::run(args)),
        Command::Import(args) => rt.block_on(import::run(args)),
        Command::Run(args) => rt.block_on(run::run(args)),
        Command::Cluster(args) => cluster::run(args),
        Command::Schedule(args) => rt.block_on(schedule::run(args)),
        Command::Publish(args) => rt.block_on(publish::run(args)),
    }
}
