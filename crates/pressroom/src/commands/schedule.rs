//! `pressroom schedule list: sites' schedules and their slots`.

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum ScheduleCommand {
    /// Not built yet.
    List,
}

pub(super) async fn command(
    _config: &Config,
    _out: &Out,
    _cmd: ScheduleCommand,
) -> anyhow::Result<Exit> {
    anyhow::bail!("this command is not built yet")
}
