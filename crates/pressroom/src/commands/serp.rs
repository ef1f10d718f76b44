//! `pressroom serp import`: search results for the SERP clustering method.

use crate::SerpCommand;
use crate::config::{Config, find_site, open};
use crate::exit::Exit;
use crate::output::Out;
use anyhow::Context;
use pressroom_pipeline::serp::import_serp;
use serde_json::json;

pub(super) async fn command(config: &Config, out: &Out, cmd: SerpCommand) -> anyhow::Result<Exit> {
    match cmd {
        SerpCommand::Import { file, site } => {
            let (db, account) = open(config).await?;
            let site = find_site(&db, account, &site).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot open {}", file.display()))?;
            let r = import_serp(&db, account, site.id, bytes)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            out.emit(
                || {
                    format!(
                        "site {:?}: {} rows read, results of {} keywords stored ({} results; {} rows beyond a keyword's top 10 or repeating a URL dropped)",
                        site.name, r.rows, r.keywords, r.results, r.dropped
                    )
                },
                json!({"site": site.name, "import": r, "error": null}),
            );
            Ok(Exit::Ok)
        }
    }
}
