//! The one error type of the web crate, and its two faces: the API answers
//! `{"error":{"code","message"}}` with a status that says what went wrong; pages answer an
//! error page with the same status and message. Internal failures are logged in full and
//! answered with a generic message, so database or provider details never reach a client.
//! A leaf: it depends on no other module of this crate.

use askama::Template;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use pressroom_pipeline::PipelineError;
use pressroom_pipeline::import::ImportError;
use pressroom_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `not_found`, `invalid_body`, `unauthorized`…
    pub code: String,
    /// A human sentence; names the field at fault for invalid input.
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in or send a valid API token (Authorization: Bearer prs_…)",
        )
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", message)
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    fn internal(what: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %what, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::AlreadyExists { .. } => {
                ApiError::new(StatusCode::CONFLICT, "already_exists", e.to_string())
            }
            StoreError::Conflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            StoreError::Domain(pressroom_domain::DomainError::IllegalTransition { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", e.to_string())
            }
            StoreError::Domain(_) => ApiError::invalid(e.to_string()),
            StoreError::Refused(m) => ApiError::new(StatusCode::CONFLICT, "refused", m),
            StoreError::InsufficientCredits { .. } => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "insufficient_credits",
                e.to_string(),
            ),
            StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::BadUrl(_)
            | StoreError::Io(_)
            | StoreError::Corrupt { .. } => ApiError::internal(&e),
        }
    }
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> ApiError {
        match e {
            PipelineError::Store(s) => s.into(),
            PipelineError::Domain(d) => StoreError::Domain(d).into(),
            PipelineError::Refused(m) => ApiError::new(StatusCode::CONFLICT, "refused", m),
            PipelineError::OverBudget(m) => ApiError::new(StatusCode::CONFLICT, "over_budget", m),
            PipelineError::Invalid(m) => ApiError::invalid(m),
            PipelineError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "already_exists", m),
            PipelineError::IllegalMove(m) => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", m)
            }
            // The server's secret key is missing or does not open what was sealed: an
            // operator's fix, said plainly (the message holds no secret).
            PipelineError::Secret(e) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "secret_key", e.to_string())
            }
            PipelineError::Provider(p) => {
                tracing::warn!(error = %p, "provider failed");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "provider_error",
                    "the AI provider failed or is misconfigured; see the server log",
                )
            }
            other => ApiError::internal(&other),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> ApiError {
        match e {
            ImportError::Store(s) => s.into(),
            ImportError::Empty
            | ImportError::NoKeywordColumn { .. }
            | ImportError::Unreadable { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_file",
                e.to_string(),
            ),
            ImportError::Io(_) => ApiError::bad_request(e.to_string()),
        }
    }
}

/// Text that broke a field's rules (control characters, length, host name): the message
/// names the field.
impl From<pressroom_domain::text::TextError> for ApiError {
    fn from(e: pressroom_domain::text::TextError) -> ApiError {
        ApiError::invalid(e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        // axum's message carries serde's path to the bad field ("name: invalid type…").
        let status = r.status();
        ApiError::new(status, "invalid_body", r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", r.body_text())
    }
}

/// A failed page action, answered as an error page (pages never answer JSON).
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.0)
    }
}

pub type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    status: u16,
    message: String,
}

/// An error as a page.
pub fn error_page(e: ApiError) -> Response {
    let tpl = ErrorTpl {
        status: e.status.as_u16(),
        message: e.message,
    };
    match tpl.render() {
        Ok(html) => (e.status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "error page template failed");
            (e.status, "error").into_response()
        }
    }
}
