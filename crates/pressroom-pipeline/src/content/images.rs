//! An article's images as an editor changes them: alt text, a new picture from the provider
//! (charged like the first), or a picture of their own.

use crate::article::recheck;
use crate::context::{Pipeline, PipelineError, Result};
use crate::images::{ImageRequestOutcome, generate_images, job_key, stored_file};
use pressroom_domain::ai::bounds::ALT_TEXT_MAX;
use pressroom_domain::text::line;
use pressroom_domain::{AccountId, Image, ImageId, ImageStatus};
use pressroom_providers::download::verify_image;

/// Who made an uploaded picture, in place of a provider and model.
pub const UPLOAD_PROVIDER: &str = "upload";

/// Sets an image's alt text: one line of at most 125 characters.
pub async fn set_image_alt(
    p: &Pipeline,
    account: AccountId,
    id: ImageId,
    alt: &str,
) -> Result<Image> {
    let alt = line("alt_text", alt, ALT_TEXT_MAX as usize)
        .map_err(|e| PipelineError::Invalid(e.to_string()))?;
    let mut tx = p.db().begin().await?;
    let image = tx.set_image_alt(account, id, &alt).await?;
    tx.commit().await?;
    recheck(p, account, image.content_id).await?;
    Ok(image)
}

/// Asks the provider for a new picture: a generated or failed image goes back to pending with
/// its generation counted up (so this picture is charged once, like the first) and is queued.
/// A pending image is only queued; one being generated is refused.
pub async fn regenerate_image(
    p: &Pipeline,
    account: AccountId,
    id: ImageId,
) -> Result<ImageRequestOutcome> {
    let image = p.db().image(account, id).await?;
    // A job still working on the image (an upload settled it mid-call) would swallow the new
    // one's queueing, leaving the image pending with no job.
    if !p.queue().live_dedupe_keys(&[job_key(id)]).await?.is_empty() {
        return Err(PipelineError::IllegalMove(format!(
            "image {id} is being generated now; try again when it settles"
        )));
    }
    // The budget first: a refusal after the restart would leave the picture gone and the image
    // pending with no job.
    let wanted = Image {
        status: ImageStatus::Pending,
        ..image.clone()
    };
    crate::budget::ensure_images_within_budget(p, account, std::slice::from_ref(&wanted)).await?;
    match image.status {
        ImageStatus::Generated | ImageStatus::Failed => {
            let mut tx = p.db().begin().await?;
            tx.restart_image(account, id).await?;
            tx.commit().await?;
        }
        ImageStatus::Pending => {}
        ImageStatus::Generating => {
            return Err(PipelineError::IllegalMove(format!(
                "image {id} is being generated now; try again when it settles"
            )));
        }
    }
    let outcomes = generate_images(p, account, &[id], None).await?;
    outcomes.into_iter().next().ok_or_else(|| {
        PipelineError::Internal(format!("no outcome for image {id} it was asked for"))
    })
}

/// Replaces an image with a picture an editor uploaded: checked like a provider's (a real
/// PNG, JPEG, WebP or GIF within the size limits), stored, no charge.
pub async fn upload_image(
    p: &Pipeline,
    account: AccountId,
    id: ImageId,
    bytes: Vec<u8>,
) -> Result<Image> {
    // Found (and the account's) before anything is stored.
    p.db().image(account, id).await?;
    // Decoding a large picture is CPU work: off the async threads.
    let verified = tokio::task::spawn_blocking(move || verify_image(bytes))
        .await
        .map_err(|e| PipelineError::Internal(format!("checking an upload panicked: {e}")))?
        .map_err(|e| PipelineError::Invalid(format!("file: {e}")))?;
    let stored = p.media().store(&verified).await?;
    let file = stored_file(UPLOAD_PROVIDER, UPLOAD_PROVIDER, &stored);
    let mut tx = p.db().begin().await?;
    let image = tx.upload_image(account, id, &file).await?;
    tx.review_if_images_settled(account, image.content_id)
        .await?;
    tx.commit().await?;
    recheck(p, account, image.content_id).await?;
    Ok(image)
}
