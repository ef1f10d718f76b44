//! REST API under `/api/v1`. Each handler authenticates, checks the role for writes, and calls
//! the same store or pipeline function the CLI calls; no pipeline logic lives here.

use crate::AppState;
use crate::auth::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use pressroom_domain::*;
use pressroom_pipeline::{images, import, runs};
use pressroom_store::KeywordFilter;
use std::io::Cursor;
use utoipa::OpenApi;

/// Largest keyword upload accepted (a million-row export fits).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
const MAX_IMAGE_IDS: usize = 500;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/sites", get(list_sites).post(create_site))
        .route("/api/v1/sites/{site}/counts", get(site_counts))
        .route("/api/v1/sites/{site}/keywords", get(list_keywords))
        .route(
            "/api/v1/sites/{site}/keywords/import",
            post(import_keywords).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/sites/{site}/clusters", get(list_clusters))
        .route("/api/v1/sites/{site}/ideas", get(list_ideas))
        .route("/api/v1/sites/{site}/tasks", get(list_tasks))
        .route("/api/v1/sites/{site}/content", get(list_content))
        .route("/api/v1/sites/{site}/images", get(list_site_images))
        .route(
            "/api/v1/sites/{site}/images/retry-failed",
            post(retry_failed_images),
        )
        .route("/api/v1/sites/{site}/runs", get(list_runs).post(start_run))
        .route("/api/v1/sites/{site}/runs/estimate", get(estimate_run))
        .route("/api/v1/content/{id}", get(get_content).patch(edit_content))
        .route("/api/v1/content/{id}/approve", post(approve_content))
        .route("/api/v1/content/{id}/reject", post(reject_content))
        .route("/api/v1/content/{id}/reopen", post(reopen_content))
        .route("/api/v1/content/{id}/images", get(content_images))
        .route("/api/v1/images/generate", post(generate_images))
        .route("/api/v1/runs/{id}", get(get_run))
        .route("/api/v1/runs/{id}/pause", post(pause_run))
        .route("/api/v1/runs/{id}/resume", post(resume_run))
        .route("/api/v1/runs/{id}/cancel", post(cancel_run))
        .route("/api/v1/runs/{id}/events", get(run_events))
        .route("/api/v1/usage", get(usage))
        .route("/api/v1/credits", get(credits))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Pressroom API", description = "Keywords in, reviewed illustrated articles out. Authenticate with `Authorization: Bearer prs_…` (create tokens with `pressroom tokens create` or on the Tokens page). Errors are `{\"error\":{\"code\",\"message\"}}`."),
    paths(me, list_sites, create_site, site_counts, list_keywords, import_keywords, list_clusters, list_ideas,
          list_tasks, list_content, list_site_images, retry_failed_images, list_runs, start_run, estimate_run,
          get_content, edit_content, approve_content, reject_content, reopen_content, content_images, generate_images,
          get_run, pause_run, resume_run, cancel_run, run_events, usage, credits, list_tokens, create_token,
          revoke_token),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

fn limit(l: Option<u32>, default: u32) -> u32 {
    l.unwrap_or(default).clamp(1, 1000)
}

fn parse_status<T: Status>(s: Option<&str>) -> ApiResult<Option<T>> {
    s.filter(|s| !s.is_empty())
        .map(|s| T::parse(s))
        .transpose()
        .map_err(|e| ApiError::invalid(format!("status: {e}")))
}

/// The site, if it belongs to the caller's account (another account's id is a 404).
async fn own_site(s: &AppState, c: &Caller, site: i64) -> ApiResult<Site> {
    Ok(s.pipeline.db().site(c.account(), SiteId::new(site)).await?)
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
async fn me(c: Caller) -> Json<MeDto> {
    Json(MeDto {
        user_id: c.user.id.get(),
        account_id: c.account().get(),
        email: c.user.email.clone(),
        role: c.user.role.to_string(),
    })
}

#[utoipa::path(get, path = "/api/v1/sites", responses((status = 200, body = [SiteDto])))]
async fn list_sites(State(s): State<AppState>, c: Caller) -> ApiResult<Json<Vec<SiteDto>>> {
    let sites = s.pipeline.db().sites(c.account()).await?;
    Ok(Json(sites.into_iter().map(SiteDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/sites", request_body = NewSiteBody,
    responses((status = 201, body = SiteDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_site(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewSiteBody>,
) -> ApiResult<(StatusCode, Json<SiteDto>)> {
    let site = create_site_checked(
        &s,
        &c,
        &body.name,
        body.domain.as_deref(),
        body.language.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

/// Creates a site from form or JSON text: the name a single line, the domain a host name
/// (blank means none), the language a short code (default `en`).
pub async fn create_site_checked(
    s: &AppState,
    c: &Caller,
    name: &str,
    domain: Option<&str>,
    language: Option<&str>,
) -> ApiResult<Site> {
    c.require_edit()?;
    let name = text::line("name", name, text::NAME_MAX_CHARS)?;
    let domain = match domain {
        Some(d) if !d.trim().is_empty() || d.chars().any(char::is_control) => {
            Some(text::host_name("domain", d)?)
        }
        _ => None,
    };
    let language = text::line(
        "language",
        language.unwrap_or("en"),
        text::LANGUAGE_MAX_CHARS,
    )?;
    if !language
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err(ApiError::invalid(
            "language: use a language code such as en or de",
        ));
    }
    Ok(s.pipeline
        .db()
        .create_site(
            c.account(),
            &name,
            domain.as_deref(),
            &language,
            &SiteSettings::default(),
        )
        .await?)
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/counts", params(("site" = i64, Path)),
    responses((status = 200, body = PipelineCountsDto), (status = 404, body = ErrorBody)))]
async fn site_counts(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<PipelineCountsDto>> {
    let site = own_site(&s, &c, site).await?;
    Ok(Json(
        s.pipeline
            .db()
            .pipeline_counts(c.account(), site.id)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/keywords", params(("site" = i64, Path), KeywordQuery),
    responses((status = 200, body = KeywordPage), (status = 404, body = ErrorBody)))]
async fn list_keywords(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<KeywordQuery>,
) -> ApiResult<Json<KeywordPage>> {
    let site = own_site(&s, &c, site).await?;
    let status = parse_status::<KeywordStatus>(q.status.as_deref())?;
    let filter = KeywordFilter {
        status,
        search: text::optional_line("search", q.search.as_deref(), text::SEARCH_MAX_CHARS)?,
        min_volume: q.min_volume,
        limit: limit(q.limit, 50),
        offset: q.offset.unwrap_or(0),
    };
    let db = s.pipeline.db();
    let items = db.keywords(c.account(), site.id, &filter).await?;
    let total = db.count_keywords(c.account(), site.id, status).await?;
    Ok(Json(KeywordPage {
        total,
        limit: filter.limit,
        offset: filter.offset,
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

/// The client's file name, only a label for the keywords' source column: cut to 100
/// characters, "upload" when blank, refused if it holds control characters.
pub fn upload_name(name: Option<&str>) -> ApiResult<String> {
    let name: String = name.unwrap_or("").chars().take(100).collect();
    Ok(text::optional_line("file name", Some(&name), 100)?.unwrap_or_else(|| "upload".into()))
}

/// Imports keywords through the one import path (`pressroom_pipeline::import`).
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

#[utoipa::path(post, path = "/api/v1/sites/{site}/keywords/import", params(("site" = i64, Path)),
    request_body(content = String, description = "A CSV or TSV export as the raw body, or a multipart form with a `file` field", content_type = "text/csv"),
    responses((status = 200, body = ImportReportDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_keywords(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    req: Request,
) -> ApiResult<Json<ImportReportDto>> {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let (bytes, name) = upload_bytes(req).await?;
    Ok(Json(import_upload(&s, &c, site.id, bytes, &name).await?))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/clusters", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [ClusterDto]), (status = 404, body = ErrorBody)))]
async fn list_clusters(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ClusterDto>>> {
    let site = own_site(&s, &c, site).await?;
    let status = parse_status::<ClusterStatus>(q.status.as_deref())?;
    let rows = s
        .pipeline
        .db()
        .clusters(c.account(), site.id, status, limit(q.limit, 200))
        .await?;
    Ok(Json(rows.into_iter().map(ClusterDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/ideas", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [IdeaDto]), (status = 404, body = ErrorBody)))]
async fn list_ideas(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<IdeaDto>>> {
    let site = own_site(&s, &c, site).await?;
    let status = parse_status::<IdeaStatus>(q.status.as_deref())?;
    let rows = s
        .pipeline
        .db()
        .ideas(c.account(), site.id, status, limit(q.limit, 200))
        .await?;
    Ok(Json(rows.into_iter().map(IdeaDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/tasks", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [TaskDto]), (status = 404, body = ErrorBody)))]
async fn list_tasks(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<TaskDto>>> {
    let site = own_site(&s, &c, site).await?;
    let status = parse_status::<TaskStatus>(q.status.as_deref())?;
    let rows = s
        .pipeline
        .db()
        .tasks(c.account(), site.id, status, limit(q.limit, 200))
        .await?;
    Ok(Json(rows.into_iter().map(TaskDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/content", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [ContentDto]), (status = 404, body = ErrorBody)))]
async fn list_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ContentDto>>> {
    let site = own_site(&s, &c, site).await?;
    let status = parse_status::<ContentStatus>(q.status.as_deref())?;
    let rows = s
        .pipeline
        .db()
        .content_list(c.account(), site.id, status, limit(q.limit, 200))
        .await?;
    Ok(Json(rows.into_iter().map(ContentDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/images", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [ImageDto]), (status = 404, body = ErrorBody)))]
async fn list_site_images(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ImageDto>>> {
    let site = own_site(&s, &c, site).await?;
    let status = parse_status::<ImageStatus>(q.status.as_deref())?;
    let rows = s
        .pipeline
        .db()
        .images(c.account(), site.id, status, limit(q.limit, 1000))
        .await?;
    Ok(Json(rows.into_iter().map(ImageDto::from).collect()))
}

/// Queues every failed image of the site again through the image generation queue.
pub async fn retry_failed(
    s: &AppState,
    c: &Caller,
    site: SiteId,
) -> ApiResult<Vec<ImageOutcomeDto>> {
    c.require_edit()?;
    let outcomes = images::retry_failed(&s.pipeline, c.account(), site).await?;
    Ok(outcomes.into_iter().map(ImageOutcomeDto::from).collect())
}

#[utoipa::path(post, path = "/api/v1/sites/{site}/images/retry-failed", params(("site" = i64, Path)),
    responses((status = 200, body = [ImageOutcomeDto]), (status = 404, body = ErrorBody)))]
async fn retry_failed_images(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<Vec<ImageOutcomeDto>>> {
    let site = own_site(&s, &c, site).await?;
    Ok(Json(retry_failed(&s, &c, site.id).await?))
}

#[utoipa::path(post, path = "/api/v1/images/generate", request_body = GenerateImagesBody,
    responses((status = 200, body = [ImageOutcomeDto], description = "One outcome per id; another account's id is reported not_found"),
              (status = 422, body = ErrorBody)))]
async fn generate_images(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<GenerateImagesBody>,
) -> ApiResult<Json<Vec<ImageOutcomeDto>>> {
    c.require_edit()?;
    if body.ids.is_empty() || body.ids.len() > MAX_IMAGE_IDS {
        return Err(ApiError::invalid(format!(
            "ids: give between 1 and {MAX_IMAGE_IDS} image ids"
        )));
    }
    if let Some(bad) = body.ids.iter().find(|i| **i <= 0) {
        return Err(ApiError::invalid(format!("ids: {bad} is not an image id")));
    }
    let ids: Vec<ImageId> = body.ids.iter().map(|i| ImageId::new(*i)).collect();
    let outcomes = images::generate_images(&s.pipeline, c.account(), &ids, None).await?;
    Ok(Json(
        outcomes.into_iter().map(ImageOutcomeDto::from).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/content/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody)))]
async fn get_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        s.pipeline
            .db()
            .content(c.account(), ContentId::new(id))
            .await?
            .into(),
    ))
}

/// Saves a new title and/or body; the markdown is rendered and sanitised by the pipeline's
/// renderer, the same one that made the article.
pub async fn save_content(
    s: &AppState,
    c: &Caller,
    id: ContentId,
    title: Option<&str>,
    markdown: Option<&str>,
) -> ApiResult<Content> {
    c.require_edit()?;
    // Checked before anything is read, so bad text never depends on what is stored.
    let title = title
        .map(|t| text::line("title", t, text::TITLE_MAX_CHARS))
        .transpose()?;
    let markdown = markdown
        .map(|m| text::body("body_markdown", m, text::BODY_MAX_BYTES))
        .transpose()?;
    let db = s.pipeline.db();
    let current = db.content(c.account(), id).await?;
    let title = title.unwrap_or_else(|| current.title.clone());
    let markdown = markdown.unwrap_or_else(|| current.body_markdown.clone());
    let html = pressroom_pipeline::html::render_markdown(&markdown);
    let words = pressroom_pipeline::html::word_count(&markdown);
    Ok(db
        .update_content_text(c.account(), id, &title, &markdown, &html, words)
        .await?)
}

#[utoipa::path(patch, path = "/api/v1/content/{id}", params(("id" = i64, Path)), request_body = ContentEditBody,
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ContentEditBody>,
) -> ApiResult<Json<ContentDto>> {
    if body.title.is_none() && body.body_markdown.is_none() {
        return Err(ApiError::invalid(
            "body: give title and/or body_markdown to change",
        ));
    }
    let content = save_content(
        &s,
        &c,
        ContentId::new(id),
        body.title.as_deref(),
        body.body_markdown.as_deref(),
    )
    .await?;
    Ok(Json(content.into()))
}

/// Approves, rejects or reopens through `pressroom_pipeline::runs::review`, the CLI's path.
pub async fn review(
    s: &AppState,
    c: &Caller,
    id: ContentId,
    to: ContentStatus,
) -> ApiResult<Content> {
    c.require_edit()?;
    let db = s.pipeline.db();
    db.content(c.account(), id).await?;
    let results = runs::review(&s.pipeline, c.account(), &[id], to).await?;
    if let Some((_, Err(message))) = results.into_iter().next() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            message,
        ));
    }
    Ok(db.content(c.account(), id).await?)
}

#[utoipa::path(post, path = "/api/v1/content/{id}/approve", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        review(&s, &c, ContentId::new(id), ContentStatus::Approved)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/reject", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reject_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        review(&s, &c, ContentId::new(id), ContentStatus::Rejected)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/content/{id}/reopen", params(("id" = i64, Path)),
    responses((status = 200, body = ContentDto, description = "A rejected article is back in review"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reopen_content(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContentDto>> {
    Ok(Json(
        review(&s, &c, ContentId::new(id), ContentStatus::Review)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/content/{id}/images", params(("id" = i64, Path)),
    responses((status = 200, body = [ImageDto]), (status = 404, body = ErrorBody)))]
async fn content_images(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ImageDto>>> {
    let db = s.pipeline.db();
    let content = db.content(c.account(), ContentId::new(id)).await?;
    let rows = db.images_of_content(c.account(), content.id).await?;
    Ok(Json(rows.into_iter().map(ImageDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/runs/estimate", params(("site" = i64, Path)),
    responses((status = 200, body = EstimateDto), (status = 404, body = ErrorBody)))]
async fn estimate_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<Json<EstimateDto>> {
    let site = own_site(&s, &c, site).await?;
    Ok(Json(
        runs::estimate(&s.pipeline, c.account(), site.id)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/sites/{site}/runs", params(("site" = i64, Path)),
    responses((status = 201, body = StartedRun), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Another run holds the site, or the estimate exceeds the balance or cap; nothing started")))]
async fn start_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<StartedRun>)> {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let (run, estimate) =
        runs::start_run(&s.pipeline, c.account(), site.id, RunTrigger::Manual).await?;
    Ok((
        StatusCode::CREATED,
        Json(StartedRun {
            run: run.into(),
            estimate: estimate.into(),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/sites/{site}/runs", params(("site" = i64, Path), ListQuery),
    responses((status = 200, body = [RunDto]), (status = 404, body = ErrorBody)))]
async fn list_runs(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(site): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<RunDto>>> {
    let site = own_site(&s, &c, site).await?;
    let rows = s
        .pipeline
        .db()
        .runs(c.account(), Some(site.id), limit(q.limit, 50))
        .await?;
    Ok(Json(rows.into_iter().map(RunDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody)))]
async fn get_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    Ok(Json(
        s.pipeline
            .db()
            .run(c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/pause", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn pause_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    c.require_edit()?;
    Ok(Json(
        runs::pause_run(&s.pipeline, c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/resume", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn resume_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    c.require_edit()?;
    Ok(Json(
        runs::resume_run(&s.pipeline, c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/cancel", params(("id" = i64, Path)),
    responses((status = 200, body = RunDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_run(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RunDto>> {
    c.require_edit()?;
    Ok(Json(
        runs::cancel_run(&s.pipeline, c.account(), RunId::new(id))
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}/events", params(("id" = i64, Path), EventsQuery),
    responses((status = 200, body = [RunEventDto]), (status = 404, body = ErrorBody)))]
async fn run_events(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Json<Vec<RunEventDto>>> {
    let db = s.pipeline.db();
    let run = db.run(c.account(), RunId::new(id)).await?;
    let after = q.after.filter(|a| *a > 0).map(RunEventId::new);
    let rows = db
        .run_events(c.account(), run.id, after, limit(q.limit, 200))
        .await?;
    Ok(Json(rows.into_iter().map(RunEventDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/usage", params(UsageQuery),
    responses((status = 200, body = [UsageRowDto]), (status = 422, body = ErrorBody)))]
async fn usage(
    State(s): State<AppState>,
    c: Caller,
    ApiQuery(q): ApiQuery<UsageQuery>,
) -> ApiResult<Json<Vec<UsageRowDto>>> {
    let by = q.by.as_deref().unwrap_or("function");
    if !matches!(by, "function" | "provider" | "day") {
        return Err(ApiError::invalid("by: use function, provider or day"));
    }
    let rows = s.pipeline.db().usage_summary(c.account(), by).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| UsageRowDto {
                key: r.key,
                calls: r.calls,
                failures: r.failures,
                tokens: r.tokens,
                images: r.images,
                cost_micros: r.cost.0,
                credits: r.credits.0,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/credits", params(ListQuery),
    responses((status = 200, body = CreditsDto)))]
async fn credits(
    State(s): State<AppState>,
    c: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<CreditsDto>> {
    let db = s.pipeline.db();
    let balance = db.account(c.account()).await?.credits;
    let entries = db.credit_entries(c.account(), limit(q.limit, 50)).await?;
    Ok(Json(CreditsDto {
        balance: balance.0,
        entries: entries
            .into_iter()
            .map(|e| CreditEntryDto {
                id: e.id.get(),
                delta: e.delta.0,
                reason: e.reason,
                balance_after: e.balance_after.0,
                created_at: e.created_at,
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = [TokenDto])))]
async fn list_tokens(State(s): State<AppState>, c: Caller) -> ApiResult<Json<Vec<TokenDto>>> {
    let rows = s.pipeline.db().api_tokens(c.account()).await?;
    Ok(Json(rows.into_iter().map(TokenDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenBody,
    responses((status = 201, body = CreatedTokenDto), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(s): State<AppState>,
    c: Caller,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedTokenDto>)> {
    c.require_edit()?;
    let name = text::line("name", &body.name, text::NAME_MAX_CHARS)?;
    let created = s
        .pipeline
        .db()
        .create_api_token(c.account(), c.user.id, &name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenDto {
            token: created.token.into(),
            secret: created.secret,
        }),
    ))
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

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = TokenDto, description = "Revoked"), (status = 403, body = ErrorBody, description = "An editor's try at another user's token"),
              (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(s): State<AppState>,
    c: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TokenDto>> {
    Ok(Json(revoke(&s, &c, ApiTokenId::new(id)).await?.into()))
}
