//! `pressroom sites set|settings|changes`: a site's settings, changed through the same
//! pipeline function the API and the Settings page call, and their change log.

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Out;

pub(super) async fn set(
    _config: &Config,
    _out: &Out,
    _site: &str,
    _assignments: &[String],
) -> anyhow::Result<Exit> {
    anyhow::bail!("`sites set` is not built yet")
}

pub(super) async fn show(_config: &Config, _out: &Out, _site: &str) -> anyhow::Result<Exit> {
    anyhow::bail!("`sites settings` is not built yet")
}

pub(super) async fn changes(
    _config: &Config,
    _out: &Out,
    _site: &str,
    _limit: u32,
) -> anyhow::Result<Exit> {
    anyhow::bail!("`sites changes` is not built yet")
}
