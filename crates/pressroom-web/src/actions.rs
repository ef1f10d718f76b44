//! What a signed-in caller does, checked the same way whether it came from the API or a page:
//! the role check, then the one pipeline or store call.

use crate::auth::Caller;
use crate::dto::ImportReportDto;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use pressroom_domain::{
    ApiToken, ApiTokenId, Content, ContentId, ContentStatus, Role, Site, SiteId, SiteSettings,
};
use pressroom_pipeline::images::{self, ImageRequestOutcome};
use pressroom_pipeline::{content, import};
use std::io::Cursor;

/// Imports an uploaded keyword file through the one import path (`pressroom_pipeline::import`).
pub async fn import_upload(
    s: &AppState,
    c: &Caller,
    site: SiteId,
    bytes: Vec<u8>,
    source: &str,
) -> ApiResult<ImportReportDto> {
    c.require_edit()?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file: the upload is empty"));
    }
    let report = import::import_keywords(
        s.pipeline.db(),
        c.account(),
        site,
        source,
        Cursor::new(bytes),
    )
    .await?;
    Ok(report.into())
}

/// Revokes a token of the caller's account: owners revoke any, editors only their own.
pub async fn revoke(s: &AppState, c: &Caller, id: ApiTokenId) -> ApiResult<ApiToken> {
    c.require_edit()?;
    let db = s.pipeline.db();
    let token = db.api_token(c.account(), id).await?;
    if c.user.role != Role::Owner && token.user_id != c.user.id {
        return Err(ApiError::forbidden(
            "editors can revoke only their own tokens; ask an owner",
        ));
    }
    Ok(db.revoke_api_token(c.account(), id).await?)
}

/// Creates a site with default settings; the store holds every caller to the text rules and
/// names the field at fault.
pub async fn create_site(
    s: &AppState,
    c: &Caller,
    name: &str,
    domain: Option<&str>,
    language: &str,
) -> ApiResult<Site> {
    c.require_edit()?;
    Ok(s.pipeline
        .db()
        .create_site(
            c.account(),
            name,
            domain,
            language,
            &SiteSettings::default(),
        )
        .await?)
}

/// Approves, rejects or reopens one article (`pressroom_pipeline::content::review_one`).
pub async fn review(s: &AppState, c: &Caller, id: i64, to: ContentStatus) -> ApiResult<Content> {
    c.require_edit()?;
    Ok(content::review_one(&s.pipeline, c.account(), ContentId::new(id), to).await?)
}

/// Queues every failed image of the caller's `site` again.
pub async fn retry_failed_images(
    s: &AppState,
    c: &Caller,
    site: SiteId,
) -> ApiResult<Vec<ImageRequestOutcome>> {
    c.require_edit()?;
    Ok(images::retry_failed(&s.pipeline, c.account(), site).await?)
}
