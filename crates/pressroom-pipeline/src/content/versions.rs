//! An article's earlier texts: regenerate it (a new model call, charged like the first) or put
//! an earlier revision back. Either way the text it replaces is kept as a revision, the
//! version goes up by one, and an approved or rejected article goes back to review.

use crate::article::{recheck, refresh_links};
use crate::context::{Pipeline, PipelineError, Result};
use crate::functions::{draft_article, record_failure, settle};
use crate::html;
use pressroom_domain::*;
use pressroom_store::{ContentText, NewUsage, StoreError, Tx};

/// Writes the article again from its idea, as a new version.
#[tracing::instrument(skip(p), fields(account = account.get(), content = id.get()))]
pub async fn regenerate_content(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
) -> Result<Content> {
    let db = p.db();
    let current = db.content(account, id).await?;
    refuse_published(&current)?;
    let task = db.task(account, current.task_id).await?;
    let (draft, usage) = draft_article(p, account, &task, Some(Subject::Content(id)), None).await?;
    if let Err(e) = replace_text(p, account, id, &draft.into(), Some(&usage)).await {
        // The call was made and answered; its usage is kept (without a charge) even though
        // the text could not be stored (published meanwhile, say).
        record_failure(
            p,
            account,
            NewUsage {
                error: Some(format!("not stored: {e}")),
                ..usage
            },
        )
        .await?;
        return Err(e);
    }
    after_new_text(p, account, id, task.cluster_id).await
}

/// Puts revision `revision` of article `id` back as a new version.
#[tracing::instrument(skip(p), fields(account = account.get(), content = id.get()))]
pub async fn restore_revision(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    revision: RevisionId,
) -> Result<Content> {
    let db = p.db();
    let rev = db.revision(account, revision).await?;
    if rev.content_id != id {
        return Err(StoreError::not_found("revision", revision).into());
    }
    refuse_published(&db.content(account, id).await?)?;
    let text = ContentText {
        title: rev.title,
        slug: rev.slug,
        meta_title: rev.meta_title,
        meta_description: rev.meta_description,
        excerpt: rev.excerpt,
        body_html: html::render_markdown(&rev.body_markdown),
        word_count: html::word_count(&rev.body_markdown),
        body_markdown: rev.body_markdown,
        primary_keyword: rev.primary_keyword,
        offline: rev.offline,
    };
    replace_text(p, account, id, &text, None).await?;
    let cluster = db.cluster_of_content(account, id).await?;
    after_new_text(p, account, id, cluster).await
}

/// A published article is live: replacing its text here would leave the site out of step.
fn refuse_published(current: &Content) -> Result<()> {
    if current.status == ContentStatus::Published {
        return Err(PipelineError::IllegalMove(format!(
            "content {} is published: its text is not replaced here",
            current.id
        )));
    }
    Ok(())
}

/// Keeps the article's text as it is now as a revision and stores `text` as the next version,
/// with its charge when it cost a call, in one transaction. The text kept is read under the
/// row's lock, so an edit or another regenerate that landed meanwhile is kept, not lost.
async fn replace_text(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    text: &ContentText,
    usage: Option<&NewUsage>,
) -> Result<()> {
    let mut tx = p.db().begin().await?;
    let current = tx.content_for_update(account, id).await?;
    refuse_published(&current)?;
    tx.insert_revision(account, &current).await?;
    tx.update_content(account, id, text, true).await?;
    back_to_review(&mut tx, account, &current).await?;
    if let Some(usage) = usage {
        settle(&mut tx, account, usage, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// New text needs a new look: approved and rejected articles go back to review.
async fn back_to_review(tx: &mut Tx, account: AccountId, current: &Content) -> Result<()> {
    if matches!(
        current.status,
        ContentStatus::Approved | ContentStatus::Rejected
    ) {
        tx.move_status(account, current.id, ContentStatus::Review)
            .await?;
    }
    Ok(())
}

async fn after_new_text(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    cluster: ClusterId,
) -> Result<Content> {
    refresh_links(p, account, cluster).await?;
    recheck(p, account, id).await?;
    Ok(p.db().content(account, id).await?)
}
