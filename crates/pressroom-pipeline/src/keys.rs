//! Which provider, model and key a site's calls use. Every call site asks here, so an
//! account's own provider keys (chosen per site by `text_key` / `image_key`) take precedence
//! over the process environment's in one place.

use crate::context::{Pipeline, Result};
use pressroom_domain::Site;
use pressroom_providers::{EmbeddingChoice, ImageChoice, TextChoice};

/// The text provider and model for `site`.
pub async fn text_for(p: &Pipeline, site: &Site) -> Result<TextChoice> {
    Ok(p.providers().text(site.account_id.get(), &site.settings)?)
}

/// The image provider and model for `site`.
pub async fn image_for(p: &Pipeline, site: &Site) -> Result<ImageChoice> {
    Ok(p.providers().image(site.account_id.get(), &site.settings)?)
}

/// The embedding provider and model for `site`.
pub async fn embeddings_for(p: &Pipeline, site: &Site) -> Result<EmbeddingChoice> {
    Ok(p.providers()
        .embeddings(site.account_id.get(), &site.settings)?)
}
