//! A site's keywords: the filtered list, imports of keyword exports, and a person's edits
//! (move to another cluster, archive, restore, delete).

use crate::actions::{self, KeywordAction};
use crate::auth::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::input::{MAX_UPLOAD_BYTES, keyword_filter, limit, own_site, upload_name};
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use pressroom_store::Page;

#[utoipa::path(get, path = "/api/v1/sites/{site}/keywords", params(("site" = i64, Path), KeywordQuery),
    responses((status = 200, body = KeywordPage), (status = 404, body = ErrorBody)))]
pub(super) async fn list_keywords(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<KeywordQuery>,
) -> ApiResult<Json<KeywordPage>> {
    let site = own_site(&s, &c, site).await?;
    let filter = keyword_filter(q.status.as_deref(), q.search.as_deref(), q.min_volume)?;
    let page = Page {
        limit: limit(q.limit, 50),
        offset: q.offset.unwrap_or(0),
    };
    let db = s.pipeline.db();
    let items = db.keywords(c.account(), site.id, &filter, page).await?;
    let total = db.count_keywords(c.account(), site.id, &filter).await?;
    Ok(Json(KeywordPage {
        total,
        limit: page.limit,
        offset: page.offset,
        items: items.into_iter().map(KeywordDto::from).collect(),
    }))
}

/// Reads an upload: the raw body (CSV/TSV), or the `file` field of a multipart form.
async fn upload_bytes(req: Request) -> ApiResult<(Vec<u8>, String)> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut form = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?
        {
            if field.name() == Some("file") {
                let name = upload_name(field.file_name())?;
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                return Ok((bytes.to_vec(), name));
            }
        }
        Err(ApiError::invalid(
            "file: the multipart form has no `file` field",
        ))
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_UPLOAD_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("the upload is over {} MiB", MAX_UPLOAD_BYTES >> 20),
                )
            })?;
        Ok((bytes.to_vec(), "upload".to_string()))
    }
}

#[utoipa::path(post, path = "/api/v1/sites/{site}/keywords/import", params(("site" = i64, Path)),
    request_body(content = String, description = "A CSV or TSV export as the raw body, or a multipart form with a `file` field", content_type = "text/csv"),
    responses((status = 200, body = ImportReportDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn import_keywords(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    req: Request,
) -> ApiResult<Json<ImportReportDto>> {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let (bytes, name) = upload_bytes(req).await?;
    Ok(Json(
        actions::import_upload(&s, &c, site.id, bytes, &name).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/keywords/move", request_body = MoveKeywordsBody,
    responses((status = 200, body = MovedDto), (status = 404, body = ErrorBody, description = "A keyword or the cluster is not the caller's"),
              (status = 409, body = ErrorBody, description = "The cluster is archived"),
              (status = 422, body = ErrorBody, description = "A keyword is of another site, or none (or over 1000) were given")))]
pub(super) async fn move_keywords(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<MoveKeywordsBody>,
) -> ApiResult<Json<MovedDto>> {
    Ok(Json(
        actions::move_keywords(&s, &c, &body.keywords, body.cluster)
            .await?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/api/v1/keywords/{id}", params(("id" = i64, Path)), request_body = KeywordEditBody,
    responses((status = 200, body = KeywordDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn edit_keyword(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<KeywordEditBody>,
) -> ApiResult<Json<KeywordDto>> {
    let action = match body.status.trim() {
        "archived" => KeywordAction::Archive,
        "new" | "mapped" => KeywordAction::Restore,
        other => {
            return Err(ApiError::invalid(format!(
                "status: give archived (to archive) or new (to restore), not {other:?}"
            )));
        }
    };
    let edited = actions::edit_keywords(&s, &c, &[id], action).await?;
    let keyword = edited
        .keywords
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(format!("keyword {id} not found")))?;
    Ok(Json(keyword.into()))
}

#[utoipa::path(delete, path = "/api/v1/keywords/{id}", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted; its cluster's counts are recomputed"), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_keyword(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    actions::edit_keywords(&s, &c, &[id], KeywordAction::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}
