//! What a site's prompts look like: each AI function's template (the site's override or the
//! default) rendered with the site's real name, language and voice and sample values for the
//! item a call works on, the variables it may use, and what the offline writer ignores. The
//! CLI (`sites prompt`), the API and the web page all show this.

use crate::context::{Pipeline, Result};
use crate::functions::site_values;
use pressroom_domain::template::{bullet_list, variable_docs};
use pressroom_domain::*;
use pressroom_providers::offline::PROVIDER as OFFLINE_PROVIDER;
use serde::Serialize;

/// One function's prompt as the site would send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptPreview {
    pub function: AiFunction,
    /// The template text: the site's override, or the default.
    pub template: String,
    pub overridden: bool,
    /// The template with every variable filled in.
    pub rendered: String,
    pub variables: Vec<PreviewVariable>,
    /// The provider the site's calls of this function go to now.
    pub provider: String,
    /// Voice fields the offline writer cannot honour, set on this site (empty for image
    /// generation, which has no voice). Applies when `provider` is `offline`.
    pub offline_ignores: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewVariable {
    pub name: String,
    pub description: String,
    /// The site's real value, or a sample for the item-specific ones (`sample` is set).
    pub value: String,
    pub sample: bool,
}

/// The preview of `function`'s prompt for the account's `site`.
pub async fn preview(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    function: AiFunction,
) -> Result<PromptPreview> {
    let site = p.db().site(account, site).await?;
    let template = site.settings.template(function)?;
    let overridden = site
        .settings
        .prompt_templates
        .contains_key(function.as_str());
    let provider = match function {
        AiFunction::GenerateImage => crate::keys::image_for(p, &site)
            .await?
            .provider
            .name()
            .to_string(),
        _ => crate::keys::text_for(p, &site)
            .await?
            .provider
            .name()
            .to_string(),
    };
    Ok(build(&site, function, template, overridden, provider))
}

/// The previews of every function, in the order a run calls them.
pub async fn preview_all(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> Result<Vec<PromptPreview>> {
    let mut out = Vec::with_capacity(AiFunction::ALL.len());
    for f in AiFunction::ALL {
        out.push(preview(p, account, site, *f).await?);
    }
    Ok(out)
}

fn build(
    site: &Site,
    function: AiFunction,
    template: PromptTemplate,
    overridden: bool,
    provider: String,
) -> PromptPreview {
    let real = site_values(site);
    let mut values: Vec<(&str, String)> = Vec::new();
    let mut variables = Vec::new();
    for v in variable_docs(function) {
        let (value, sample) = match real.iter().find(|(n, _)| *n == v.name) {
            Some((_, value)) if v.from_site => (value.clone(), false),
            _ => (sample_value(site, v.name), true),
        };
        values.push((v.name, value.clone()));
        variables.push(PreviewVariable {
            name: v.name.to_string(),
            description: v.description.to_string(),
            value,
            sample,
        });
    }
    let offline_ignores = match function {
        AiFunction::GenerateImage => Vec::new(),
        _ => site.settings.voice.offline_ignores(&site.language),
    };
    PromptPreview {
        function,
        rendered: template.render(&values),
        template: template.text().to_string(),
        overridden,
        variables,
        provider,
        offline_ignores,
    }
}

/// A stand-in for an item-specific variable: plausible text of the right shape.
fn sample_value(site: &Site, name: &str) -> String {
    let voice = &site.settings.voice;
    let headings = [
        "What to Look For",
        "How to Choose",
        "Common Mistakes",
        "Frequently Asked Questions",
    ];
    match name {
        "keywords" => bullet_list(&[
            "example keyword",
            "best example keyword",
            "example keyword price",
        ]),
        "cluster_name" => "Example Topic".into(),
        "cluster_description" => "Articles about the example topic.".into(),
        "min_ideas" => "1".into(),
        "max_ideas" => "3".into(),
        "title" | "post_title" => "The Complete Guide to Example Keywords".into(),
        "brief" => "Help readers choose with confidence.".into(),
        "outline" => bullet_list(&headings),
        "headings" => {
            bullet_list(&headings[..(site.settings.in_article_images as usize).min(headings.len())])
        }
        "in_article_count" => site
            .settings
            .in_article_images
            .min(headings.len() as u32)
            .to_string(),
        "primary_keyword" => "example keyword".into(),
        "secondary_keywords" => "best example keyword, example keyword price".into(),
        "related_keywords" => "example keyword guide, example keyword tips".into(),
        "content_structure" => ContentStructure::Guide.as_str().into(),
        "target_words" => ((voice.words_min + voice.words_max) / 2).to_string(),
        "excerpt" => "A short guide to choosing an example keyword.".into(),
        "image_type" => "featured".into(),
        "image_prompt" => "a bright, uncluttered scene showing the example product".into(),
        _ => String::new(),
    }
}

/// The warning a run records once when the site's text provider is the offline writer and
/// the voice sets fields it cannot honour; `None` otherwise.
pub fn offline_voice_note(site: &Site, text_provider: &str) -> Option<String> {
    if text_provider != OFFLINE_PROVIDER {
        return None;
    }
    let ignored = site.settings.voice.offline_ignores(&site.language);
    if ignored.is_empty() {
        return None;
    }
    Some(format!(
        "the offline writer ignores these brand voice settings: {} (it honours the word range and always/never say)",
        ignored.join(", ")
    ))
}
