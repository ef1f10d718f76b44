//! An editor's actions on one article: edit its text, and move it through review. The API and
//! the web pages call these; `pressroom review` calls [`crate::runs::review`] for a batch,
//! which makes each move through [`review_move`] too.

use crate::context::{Pipeline, PipelineError, Result};
use crate::html;
use pressroom_domain::text::{ArticleBody, Title};
use pressroom_domain::{AccountId, Content, ContentId, ContentStatus, DomainError};
use pressroom_store::StoreError;

/// What an editor changes: a field left `None` keeps its stored value.
#[derive(Debug, Clone, Default)]
pub struct ContentEdit {
    pub title: Option<Title>,
    pub body: Option<ArticleBody>,
}

impl ContentEdit {
    /// Parses the fields given; the error names the field at fault.
    pub fn parse(
        title: Option<&str>,
        body: Option<&str>,
    ) -> std::result::Result<ContentEdit, pressroom_domain::text::TextError> {
        Ok(ContentEdit {
            title: title.map(Title::parse).transpose()?,
            body: body.map(ArticleBody::parse).transpose()?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.body.is_none()
    }
}

/// Saves a new title and/or body. The markdown is rendered and sanitised by the renderer that
/// made the article, so an edited body is held to the same rules as a generated one.
pub async fn edit_content(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    edit: ContentEdit,
) -> Result<Content> {
    let db = p.db();
    let current = db.content(account, id).await?;
    let title = edit.title.map_or(current.title, Title::into_string);
    let markdown = edit
        .body
        .map_or(current.body_markdown, ArticleBody::into_string);
    let body_html = html::render_markdown(&markdown);
    let words = html::word_count(&markdown);
    Ok(db
        .update_content_text(account, id, &title, &markdown, &body_html, words)
        .await?)
}

/// Approves, rejects or reopens one article: the API's and the pages' review buttons. An
/// unknown id is `NotFound`; a move its status does not allow is
/// [`PipelineError::IllegalMove`] (a 409); a database failure stays a database error.
pub async fn review_one(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    to: ContentStatus,
) -> Result<Content> {
    review_move(p, account, id, to).await?;
    Ok(p.db().content(account, id).await?)
}

/// One review move through the domain's table of moves, in its own transaction. Only a
/// person's reopen moves content to review here, and only from rejected: a draft gets there
/// when its images settle.
pub(crate) async fn review_move(
    p: &Pipeline,
    account: AccountId,
    id: ContentId,
    to: ContentStatus,
) -> Result<()> {
    let current = p.db().content(account, id).await?;
    if to == ContentStatus::Review && current.status != ContentStatus::Rejected {
        return Err(PipelineError::IllegalMove(format!(
            "content {id} is {}: only rejected content can be reopened",
            current.status
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
    tx.commit().await?;
    Ok(())
}
