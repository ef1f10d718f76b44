//! `pressroom sites prompt SITE FUNCTION`: the prompt a function would be sent for the site,
//! rendered with its brand voice and template override, and the variables available.

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Out;

pub(super) async fn preview(
    _config: &Config,
    _out: &Out,
    _site: &str,
    _function: &str,
) -> anyhow::Result<Exit> {
    anyhow::bail!("`sites prompt` is not built yet")
}
