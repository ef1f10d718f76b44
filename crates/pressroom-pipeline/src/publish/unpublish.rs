//! Taking an article down at one destination: WordPress posts go to draft or the trash; a
//! webhook receiver is told with a signed `article.unpublished` event. The article goes back
//! to `approved` when it is live nowhere any more.

use super::outcome::SendFailure;
use super::send::wordpress_client;
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::*;
use pressroom_publish::UnpublishTo;

pub async fn unpublish(
    p: &Pipeline,
    account: AccountId,
    id: PublicationId,
    trash: bool,
) -> Result<Publication> {
    let record = p.db().publication(account, id).await?;
    if record.status != PublicationStatus::Published {
        return Err(PipelineError::IllegalMove(format!(
            "publication {id} is {}, not published; nothing to take down",
            record.status
        )));
    }
    let d = p.db().destination(account, record.destination_id).await?;
    let note = match d.kind {
        DestinationKind::WordPress => {
            let post: u64 = record
                .external_id
                .as_deref()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    PipelineError::Internal(format!("publication {id} has no post id"))
                })?;
            let client = wordpress_client(p, &d).await.map_err(failure)?;
            let to = if trash {
                UnpublishTo::Trash
            } else {
                UnpublishTo::Draft
            };
            client
                .unpublish(post, to)
                .await
                .map_err(|e| PipelineError::Refused(e.to_string()))?;
            format!(
                "post {post} moved to {}",
                if trash { "the trash" } else { "draft" }
            )
        }
        DestinationKind::Webhook => {
            super::receiver::tell_unpublished(p, &d, &record)
                .await
                .map_err(PipelineError::Refused)?;
            "the receiver was told to take it down".to_string()
        }
    };
    let mut tx = p.db().begin().await?;
    let done = tx.unpublish_publication(account, id, &note).await?;
    let content = tx.content_for_update(account, record.content_id).await?;
    if content.status == ContentStatus::Published
        && tx.published_count(account, content.id).await? == 0
    {
        tx.move_status(account, content.id, ContentStatus::Approved)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(publication = id.get(), "unpublished");
    Ok(done)
}

fn failure(f: SendFailure) -> PipelineError {
    match f {
        SendFailure::Ambiguous(m) | SendFailure::Transient(m) | SendFailure::Permanent(m) => {
            PipelineError::Refused(m)
        }
        SendFailure::RateLimited { message, .. } => PipelineError::Refused(message),
    }
}
