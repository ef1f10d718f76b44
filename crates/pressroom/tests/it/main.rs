//! The `pressroom` binary's integration tests, linked as one binary.

mod cli;
mod cli_clusters;
mod cli_content;
mod cli_prompts;
mod cli_providers;
mod serp_cli;
mod support;
