//! A site's keywords: the filtered list, and imports of keyword exports.

use crate::actions;
use crate::auth::{ApiPath, ApiQuery, Caller};
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
