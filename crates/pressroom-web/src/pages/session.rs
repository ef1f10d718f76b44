//! Signing in and out. Before a session exists the sign-in form is protected by a
//! double-submit token; sign-ins are throttled per email and per client address.

use super::view::{Empty, Nav, render};
use crate::auth::{ClientAddr, CsrfForm, SESSION_COOKIE, SESSION_TTL_MS, cookie, same_secret};
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::text;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    email: String,
    csrf: String,
}

/// Before a session exists the sign-in form is protected by a double-submit token: a random
/// value in a SameSite=Strict cookie that the form must repeat.
const LOGIN_COOKIE: &str = "pressroom_login";

fn login_form(
    s: &AppState,
    error: Option<String>,
    email: String,
    status: StatusCode,
) -> PageResult {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let mut res = render(&LoginTpl {
        nav: None,
        flash: None,
        error,
        email,
        csrf: token.clone(),
    })?;
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn login_page(State(s): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && s.pipeline.db().session(token).await?.is_some()
    {
        return Ok(Redirect::to("/").into_response());
    }
    login_form(&s, None, String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    csrf: String,
}

fn session_cookie(s: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    // The value is hex we generated, so the header is always valid.
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("pressroom_session=; Path=/; Max-Age=0"))
}

/// Signs in, throttled per email and per client address (see [`crate::throttle`]).
pub(super) async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_secret(expected, &f.csrf) {
        return login_form(
            &s,
            Some("The sign-in form expired; please try again.".into()),
            f.email,
            StatusCode::FORBIDDEN,
        );
    }
    let email = match text::line("email", &f.email, text::EMAIL_MAX_CHARS) {
        Ok(e) => e,
        Err(e) => {
            return login_form(
                &s,
                Some(e.to_string()),
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    if let Err(wait) = s.login_throttle.check(&email, addr) {
        // Whole seconds, rounded up, so a client retrying on time is let in.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut res = login_form(
            &s,
            Some(format!(
                "Too many failed sign-ins; try again in {secs} seconds."
            )),
            email,
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(res);
    }
    let db = s.pipeline.db();
    match db.verify_password(&email, &f.password).await? {
        Some(user) => {
            s.login_throttle.succeeded(&email);
            let session = db.create_session(&user, SESSION_TTL_MS).await?;
            let mut res = Redirect::to("/").into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&s, &session.token, SESSION_TTL_MS / 1000),
            );
            Ok(res)
        }
        None => {
            s.login_throttle.failed(&email, addr);
            login_form(
                &s,
                Some("That email and password do not match an active user.".into()),
                email,
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

pub(super) async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        s.pipeline.db().delete_session(token).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(res)
}
