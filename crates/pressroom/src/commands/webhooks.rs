//! `pressroom webhooks add|list|remove|deliveries: signed notifications`.

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum WebhooksCommand {
    /// Not built yet.
    List,
}

pub(super) async fn command(
    _config: &Config,
    _out: &Out,
    _cmd: WebhooksCommand,
) -> anyhow::Result<Exit> {
    anyhow::bail!("this command is not built yet")
}
