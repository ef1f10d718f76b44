//! `pressroom-mock-ai`: serves the OpenAI chat/images and Runware wire formats on a local port
//! for tests and benchmarks. Prints `listening on http://ADDR` once bound.

use clap::Parser;
use pressroom_mock_ai::{ImageMode, MockConfig, spawn};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Local mock of the OpenAI and Runware APIs for Pressroom tests"
)]
struct Args {
    /// Address to bind; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Delay added to every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction of API requests answered with HTTP 500 (0.0 - 1.0).
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Requests per minute before answering 429 with retry-after.
    #[arg(long)]
    rate_limit_rpm: Option<u32>,
    /// How images are returned: as the request asks, always URLs, or always base64.
    #[arg(long, value_parser = ["request", "url", "b64"], default_value = "request")]
    image_mode: String,
    /// Behave like a server without structured outputs (400 on json_schema).
    #[arg(long)]
    no_json_schema: bool,
    /// Seed for the fail-rate dice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    if !(0.0..=1.0).contains(&args.fail_rate) {
        eprintln!("--fail-rate must be between 0 and 1");
        std::process::exit(2);
    }
    let config = MockConfig {
        addr: args.addr,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        rate_limit_rpm: args.rate_limit_rpm,
        image_mode: match args.image_mode.as_str() {
            "url" => ImageMode::Url,
            "b64" => ImageMode::B64,
            _ => ImageMode::Request,
        },
        json_schema_supported: !args.no_json_schema,
        seed: args.seed,
    };
    let (addr, handle) = spawn(config).await?;
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}
