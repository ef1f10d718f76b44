//! Review moves: one article, a chosen batch, or every article whose checks all pass.

use crate::article::{recheck, refresh_links};
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::{AccountId, Content, ContentId, ContentStatus, DomainError, SiteId};
use pressroom_store::StoreError;

/// Articles read per page when approving every passing one.
const PASSING_PAGE: u32 = 200;

/// What happened to one id of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOutcome {
    pub id: ContentId,
    /// `Err` names why this one was refused (unknown, a move its status does not allow, an
    /// offline sample not confirmed); the others went on.
    pub result: std::result::Result<(), String>,
}

/// Approves, rejects or reopens one article: the API's and the pages' review buttons. An
/// unknown id is `NotFound`; a move its status does not allow, or approving an offline sample
/// without `confirm_offline`, is [`PipelineError::IllegalMove`] (a 409); a database failure
/// stays a database error.
pub async fn review_one(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    to: ContentStatus,
    confirm_offline: bool,
) -> Result<Content> {
    review_move(p, account, id, to, confirm_offline).await?;
    Ok(p.db().content(account, id).await?)
}

/// The same move for each id, in order: `pressroom review`, the API's and the content list's
/// bulk buttons. A refused id is reported and the rest go on; a database failure stops the
/// batch with its error.
pub async fn review_many(
    p: &Pipeline,
    account: AccountId,
    ids: &[ContentId],
    to: ContentStatus,
    confirm_offline: bool,
) -> Result<Vec<ReviewOutcome>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let result = match review_move(p, account, *id, to, confirm_offline).await {
            Ok(()) => Ok(()),
            Err(
                e @ (PipelineError::IllegalMove(_)
                | PipelineError::Store(StoreError::NotFound { .. })),
            ) => Err(e.to_string()),
            Err(e) => return Err(e),
        };
        out.push(ReviewOutcome { id: *id, result });
    }
    Ok(out)
}

/// The same move for each of `ids` that is an article of `site`: the bulk buttons of a site's
/// content list and its API. Another site's or an unknown id is reported not found and
/// changes nothing.
pub async fn review_on_site(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    ids: &[ContentId],
    to: ContentStatus,
    confirm_offline: bool,
) -> Result<Vec<ReviewOutcome>> {
    let on_site: std::collections::HashSet<ContentId> = p
        .db()
        .content_by_ids(account, ids)
        .await?
        .into_iter()
        .filter(|c| c.site_id == site)
        .map(|c| c.id)
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if on_site.contains(id) {
            out.extend(review_many(p, account, &[*id], to, confirm_offline).await?);
        } else {
            out.push(ReviewOutcome {
                id: *id,
                result: Err(StoreError::not_found("content", id).to_string()),
            });
        }
    }
    Ok(out)
}

/// Approves every article of `site` in review whose on-page checks all pass, a page at a time.
/// Offline samples are left out: approving one needs the editor to confirm it.
pub async fn review_passing(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> Result<Vec<ReviewOutcome>> {
    p.db().site(account, site).await?;
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let ids = p
            .db()
            .review_content_passing(account, site, after, PASSING_PAGE)
            .await?;
        let Some(last) = ids.last() else {
            return Ok(out);
        };
        after = last.get();
        out.extend(review_many(p, account, &ids, ContentStatus::Approved, false).await?);
    }
}

/// One review move through the domain's table of moves, in its own transaction. Only a
/// person's reopen moves content to review here, and only from rejected: a draft gets there
/// when its images settle. A rejected article leaves its cluster's links; a reopened one
/// rejoins them.
async fn review_move(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    to: ContentStatus,
    confirm_offline: bool,
) -> Result<()> {
    let current = p.db().content(account, id).await?;
    if to == ContentStatus::Review && current.status != ContentStatus::Rejected {
        return Err(PipelineError::IllegalMove(format!(
            "content {id} is {}: only rejected content can be reopened",
            current.status
        )));
    }
    if to == ContentStatus::Approved && current.offline && !confirm_offline {
        return Err(PipelineError::IllegalMove(format!(
            "content {id} is an offline sample, written without a model: confirm to approve it"
        )));
    }
    let mut tx = p.db().begin().await?;
    match tx.move_status(account, id, to).await {
        Ok(_) => {}
        Err(StoreError::Domain(e @ DomainError::IllegalTransition { .. })) => {
            return Err(PipelineError::IllegalMove(e.to_string()));
        }
        Err(e) => return Err(e.into()),
    }
    if to == ContentStatus::Rejected {
        tx.delete_links_touching(account, id).await?;
    }
    tx.commit().await?;
    if to == ContentStatus::Approved {
        crate::publish::queue::auto_publish(p, account, id).await;
    }
    if matches!(to, ContentStatus::Rejected | ContentStatus::Review) {
        refresh_links(p, account, p.db().cluster_of_content(account, id).await?).await?;
        // A rejected article is in no cluster's refresh: its own check is redone here.
        recheck(p, account, id).await?;
    }
    Ok(())
}
