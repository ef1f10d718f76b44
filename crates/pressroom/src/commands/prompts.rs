//! `pressroom sites prompt SITE FUNCTION`: the prompt a function would be sent for the site,
//! rendered with its brand voice and template override, and the variables available.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use pressroom_domain::AiFunction;
use pressroom_pipeline::prompts::{self, PromptPreview};
use serde_json::json;

pub(super) async fn preview(
    config: &Config,
    out: &Out,
    site: &str,
    function: &str,
) -> anyhow::Result<Exit> {
    let function = AiFunction::parse(function)?;
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let preview = prompts::preview(&p, account, site.id, function).await?;
    out.emit(|| human(&preview), json!({"prompt": preview}));
    Ok(Exit::Ok)
}

fn human(p: &PromptPreview) -> String {
    let mut lines = vec![
        format!(
            "{} ({} template; provider {})",
            p.function.as_str(),
            if p.overridden { "site's" } else { "default" },
            p.provider
        ),
        String::new(),
        p.rendered.clone(),
        String::new(),
        "Variables (* sample value):".to_string(),
    ];
    for v in &p.variables {
        let value = v.value.replace('\n', " / ");
        lines.push(format!(
            "  {{{}}}{}  {}: {}",
            v.name,
            if v.sample { "*" } else { "" },
            v.description,
            value
        ));
    }
    if !p.offline_ignores.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "The offline writer ignores: {}",
            p.offline_ignores.join(", ")
        ));
    }
    lines.join("\n")
}
