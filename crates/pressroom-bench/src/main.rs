//! `pressroom-bench SUBCOMMAND`: benchmarks that print one JSON line of results.

mod queue;

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
    }
}
