//! Who is calling: a bearer API token or a session cookie, and the extractors that make a
//! handler unreachable without one. Every handler acts for `Caller::account()` only.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use pressroom_domain::{AccountId, User};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "pressroom_session";
/// Sessions last two weeks.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;
/// Header carrying the session's CSRF token on cookie-authenticated API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// The session's CSRF token; `None` when the call came with an API token.
    pub csrf: Option<String>,
}

impl Caller {
    pub fn account(&self) -> AccountId {
        self.user.account_id
    }

    /// Owners and editors change things; viewers only read.
    pub fn require_edit(&self) -> ApiResult<()> {
        if self.user.role.can_edit() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "your role ({}) can only read; ask an owner for editor access",
                self.user.role
            )))
        }
    }
}

impl Caller {
    /// Account-wide configuration (webhooks, provider keys, teammates) is the owners'.
    pub fn require_owner(&self) -> ApiResult<()> {
        if self.user.role == pressroom_domain::Role::Owner {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "only an owner can change this; your role is {}",
                self.user.role
            )))
        }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares without an early exit, so timing reveals neither how much of a secret matched nor
/// (beyond the longer of the two lengths) how long it is.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().max(b.len());
    let diff = (0..n).fold(u8::from(a.len() != b.len()), |acc, i| {
        acc | (a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0))
    });
    diff == 0
}

/// The client's IP address: the socket's peer, or with `trust_forwarded_for` the last
/// `X-Forwarded-For` entry (the one the operator's proxy appended). `None` when neither is
/// known (an app served without connection info, as in some tests).
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddr, Self::Rejection> {
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if !state.config.trust_forwarded_for {
            return Ok(ClientAddr(socket));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        Ok(ClientAddr(forwarded.or(socket)))
    }
}

async fn session_caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Caller>> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.pipeline.db().session(token).await?.map(|s| Caller {
        user: s.user,
        csrf: Some(s.csrf_token),
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(ApiError::unauthorized)?;
            let user = state
                .pipeline
                .db()
                .authenticate_api_token(token.trim())
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            return Ok(Caller { user, csrf: None });
        }
        let caller = session_caller(state, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        // A browser session writing through the API must prove it is our page, not a
        // cross-site form: the CSRF token travels in a header a form cannot set.
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !caller.csrf.as_deref().is_some_and(|c| same_secret(c, sent)) {
                return Err(ApiError::forbidden(format!(
                    "missing or wrong {CSRF_HEADER} header for a cookie-authenticated write"
                )));
            }
        }
        Ok(caller)
    }
}

/// The signed-in user of a page; without a session the browser is sent to the sign-in page.
pub struct PageUser(pub Caller);

pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_caller(state, &parts.headers).await {
            Ok(Some(c)) => Ok(PageUser(c)),
            Ok(None) => Err(ToLogin.into_response()),
            Err(e) => Err(crate::error::error_page(e)),
        }
    }
}

/// A form post of a signed-in page: the session must exist and the form's `csrf` field must
/// match the session's token.
pub struct CsrfForm<T>(pub Caller, pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let PageUser(caller) = PageUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 8 * 1024 * 1024)
            .await
            .map_err(|_| crate::error::error_page(ApiError::bad_request("form too large")))?;
        let check: Option<CsrfField> = serde_urlencoded::from_bytes(&bytes).ok();
        let ok = check.is_some_and(|f| {
            caller
                .csrf
                .as_deref()
                .is_some_and(|c| same_secret(c, &f.csrf))
        });
        if !ok {
            return Err(crate::error::error_page(ApiError::forbidden(
                "the form expired or did not come from this site; reload the page and try again",
            )));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let Form(value) = Form::<T>::from_request(req, state)
            .await
            .map_err(|e| crate::error::error_page(ApiError::invalid(e.body_text())))?;
        Ok(CsrfForm(caller, value))
    }
}

/// `Json<T>` whose rejections are API errors naming the bad field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|e: JsonRejection| e.into())
    }
}

/// `Query<T>` with API-error rejections.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| e.into())
    }
}

/// `Path<T>` with API-error rejections.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| e.into())
    }
}
