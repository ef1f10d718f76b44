//! What a signed-in caller does, checked the same way whether it came from the API or a page:
//! the role check, then the one pipeline or store call. The plan's edits (clusters, keywords,
//! ideas) parse their text here too, so both faces refuse the same input the same way.

use crate::auth::Caller;
use crate::dto::ImportReportDto;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use pressroom_domain::text::ClusterName;
use pressroom_domain::{
    ApiToken, ApiTokenId, Cluster, ClusterId, Content, ContentId, ContentStatus, Idea, IdeaId,
    KeywordId, Role, Site, SiteId, SiteSettings,
};
use pressroom_pipeline::images::{self, ImageRequestOutcome};
use pressroom_pipeline::planning::{self, ClusterEdit, KeywordsEdited, Merged, Moved};
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
pub async fn review(
    s: &AppState,
    c: &Caller,
    id: i64,
    to: ContentStatus,
    confirm_offline: bool,
) -> ApiResult<Content> {
    c.require_edit()?;
    Ok(content::review_one(
        &s.pipeline,
        c.account(),
        ContentId::new(id),
        to,
        confirm_offline,
    )
    .await?)
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

/// Renames, describes, archives or restores a cluster (`planning::edit_cluster`).
pub async fn edit_cluster(
    s: &AppState,
    c: &Caller,
    id: i64,
    name: Option<&str>,
    description: Option<&str>,
    status: Option<&str>,
) -> ApiResult<Cluster> {
    c.require_edit()?;
    let edit = ClusterEdit::parse(name, description, status)?;
    Ok(planning::edit_cluster(&s.pipeline, c.account(), ClusterId::new(id), edit).await?)
}

/// Merges cluster `from` into `into` (`planning::merge_clusters`).
pub async fn merge_clusters(s: &AppState, c: &Caller, from: i64, into: i64) -> ApiResult<Merged> {
    c.require_edit()?;
    Ok(planning::merge_clusters(
        &s.pipeline,
        c.account(),
        ClusterId::new(from),
        ClusterId::new(into),
    )
    .await?)
}

/// Moves the chosen keywords of cluster `from` to a new cluster `name`.
pub async fn split_cluster(
    s: &AppState,
    c: &Caller,
    from: i64,
    keywords: &[i64],
    name: &str,
) -> ApiResult<Cluster> {
    c.require_edit()?;
    let name = ClusterName::parse(name)?;
    Ok(planning::split_cluster(
        &s.pipeline,
        c.account(),
        ClusterId::new(from),
        &keyword_ids(keywords),
        name,
    )
    .await?)
}

/// Moves keywords to cluster `to` of their site.
pub async fn move_keywords(
    s: &AppState,
    c: &Caller,
    keywords: &[i64],
    to: i64,
) -> ApiResult<Moved> {
    c.require_edit()?;
    Ok(planning::move_keywords(
        &s.pipeline,
        c.account(),
        &keyword_ids(keywords),
        ClusterId::new(to),
    )
    .await?)
}

/// What a person does to keywords as a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordAction {
    Archive,
    Restore,
    Delete,
}

/// Archives, restores or deletes keywords (`planning::{archive,restore,delete}_keywords`).
pub async fn edit_keywords(
    s: &AppState,
    c: &Caller,
    keywords: &[i64],
    action: KeywordAction,
) -> ApiResult<KeywordsEdited> {
    c.require_edit()?;
    let (p, account, ids) = (&s.pipeline, c.account(), keyword_ids(keywords));
    Ok(match action {
        KeywordAction::Archive => planning::archive_keywords(p, account, &ids).await?,
        KeywordAction::Restore => planning::restore_keywords(p, account, &ids).await?,
        KeywordAction::Delete => planning::delete_keywords(p, account, &ids).await?,
    })
}

/// Deletes an idea not yet made into a task; returns it as it was.
pub async fn delete_idea(s: &AppState, c: &Caller, id: i64) -> ApiResult<Idea> {
    c.require_edit()?;
    Ok(planning::delete_idea(&s.pipeline, c.account(), IdeaId::new(id)).await?)
}

fn keyword_ids(ids: &[i64]) -> Vec<KeywordId> {
    ids.iter().copied().map(KeywordId::new).collect()
}

/// Applies a settings patch for the caller (`pressroom_pipeline::settings::update`), logged
/// under the caller's user id and email.
pub async fn update_settings(
    s: &AppState,
    c: &Caller,
    site: i64,
    patch: &serde_json::Value,
) -> ApiResult<(Site, Vec<pressroom_domain::settings::Change>)> {
    c.require_edit()?;
    // Limits (budget, caps, which provider keys the site bills) are money: the owners'.
    if pressroom_domain::settings::groups_touched(patch)
        .contains(&pressroom_domain::settings::Group::Limits)
    {
        c.require_owner()?;
    }
    let actor = pressroom_pipeline::settings::Actor::User {
        id: c.user.id,
        email: c.user.email.clone(),
    };
    Ok(pressroom_pipeline::settings::update(
        &s.pipeline,
        c.account(),
        SiteId::new(site),
        &actor,
        patch,
    )
    .await?)
}
