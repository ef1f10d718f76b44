//! The offline text generator: clusters, ideas, articles and image prompts built from the
//! keywords and outlines alone, with no model. Deterministic: the same input gives the same
//! bytes (no hash-map iteration, no clock, a fixed seeded generator).

mod article;
mod clusters;
mod ideas;
mod images;
mod meta;
mod phrases;
mod prompts;
mod voice;
mod words;

pub use article::article;
pub use clusters::cluster;
pub use ideas::ideas;
pub use images::image_prompts;

use pressroom_domain::AiFunction;
use pressroom_domain::ai::{ClusterInput, ContentInput, IdeasInput, ImagePromptsInput};
use prompts::{
    content_input_from_prompt, ideas_input_from_prompt, image_prompts_input_from_prompt,
    last_bullet_block,
};

/// Why the offline generator could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("offline text generator: {0}")]
pub struct OfflineTextError(pub String);

/// The JSON text of the output struct for `function`, built from `input` (the structured
/// input, as JSON) or, when that is `Null` or does not match, from the `- ` bullet lines of
/// `prompt`.
pub fn generate(
    function: AiFunction,
    input: &serde_json::Value,
    prompt: &str,
) -> Result<String, OfflineTextError> {
    let json = match function {
        AiFunction::AutoCluster => {
            let input =
                serde_json::from_value::<ClusterInput>(input.clone()).unwrap_or_else(|_| {
                    ClusterInput {
                        keywords: last_bullet_block(prompt),
                    }
                });
            to_json(&cluster(&input))
        }
        AiFunction::GenerateIdeas => {
            let input = serde_json::from_value::<IdeasInput>(input.clone())
                .unwrap_or_else(|_| ideas_input_from_prompt(prompt));
            to_json(&ideas(&input))
        }
        AiFunction::GenerateContent => {
            let input = serde_json::from_value::<ContentInput>(input.clone())
                .unwrap_or_else(|_| content_input_from_prompt(prompt));
            to_json(&article(&input))
        }
        AiFunction::GenerateImagePrompts => {
            let input = serde_json::from_value::<ImagePromptsInput>(input.clone())
                .unwrap_or_else(|_| image_prompts_input_from_prompt(prompt));
            to_json(&image_prompts(&input))
        }
        AiFunction::GenerateImage => {
            return Err(OfflineTextError(
                "generate-image is answered by an image provider, not a text one".into(),
            ));
        }
    };
    json.map_err(|e| OfflineTextError(e.to_string()))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(v)
}
