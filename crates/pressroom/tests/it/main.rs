//! The `pressroom` binary's integration tests, linked as one binary.

mod cli;
mod cli_clusters;
mod cli_content;
mod cli_export;
mod cli_keys;
mod cli_prompts;
mod cli_providers;
mod cli_schedule;
mod cli_settings;
mod cli_webhooks;
mod serp_cli;
mod support;
