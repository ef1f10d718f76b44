//! `pressroom keys add|list|remove: the account's AI provider keys, sealed at rest`.

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Not built yet.
    List,
}

pub(super) async fn command(
    _config: &Config,
    _out: &Out,
    _cmd: KeysCommand,
) -> anyhow::Result<Exit> {
    anyhow::bail!("this command is not built yet")
}
