//! A site's prompt preview: one AI function's template, rendered.

use pressroom_pipeline::prompts::{PreviewVariable, PromptPreview};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PromptPreviewDto {
    /// `auto-cluster`, `generate-ideas`, `generate-content`, `generate-image-prompts`,
    /// `generate-image`.
    pub function: String,
    /// The template: the site's override, or the default.
    pub template: String,
    pub overridden: bool,
    /// The template with the site's real values and samples for the item-specific variables.
    pub rendered: String,
    pub variables: Vec<PromptVariableDto>,
    /// The provider this function's calls go to for the site now.
    pub provider: String,
    /// Voice settings of the site the offline writer cannot honour (when `provider` is
    /// `offline`).
    pub offline_ignores: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PromptVariableDto {
    pub name: String,
    pub description: String,
    pub value: String,
    /// `true`: a sample value (the item a call works on); `false`: the site's own.
    pub sample: bool,
}

impl From<PromptPreview> for PromptPreviewDto {
    fn from(p: PromptPreview) -> PromptPreviewDto {
        PromptPreviewDto {
            function: p.function.as_str().to_string(),
            template: p.template,
            overridden: p.overridden,
            rendered: p.rendered,
            variables: p.variables.into_iter().map(Into::into).collect(),
            provider: p.provider,
            offline_ignores: p.offline_ignores,
        }
    }
}

impl From<PreviewVariable> for PromptVariableDto {
    fn from(v: PreviewVariable) -> PromptVariableDto {
        PromptVariableDto {
            name: v.name,
            description: v.description,
            value: v.value,
            sample: v.sample,
        }
    }
}
