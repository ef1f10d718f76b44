//! What every page shares: drawing a template, the navigation bar, the `Empty` form of a
//! button that posts nothing but its CSRF token, and UTC times. A leaf among the page modules.

use crate::auth::Caller;
use crate::error::{ApiError, PageError, PageResult};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use pressroom_domain::Site;
use serde::Deserialize;

/// Draws a template; a template that fails is logged and answered as a 500 page.
pub fn render<T: Template>(t: &T) -> PageResult {
    match t.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            Err(PageError(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the page could not be drawn; it has been logged",
            )))
        }
    }
}

/// The navigation bar's state.
pub struct Nav {
    pub active: &'static str,
    pub site: Option<(i64, String)>,
    pub email: String,
    pub role: String,
    pub csrf: String,
}

pub fn nav(c: &Caller, active: &'static str, site: Option<&Site>) -> Nav {
    Nav {
        active,
        site: site.map(|s| (s.id.get(), s.name.clone())),
        email: c.user.email.clone(),
        role: c.user.role.to_string(),
        csrf: csrf(c),
    }
}

/// The session's CSRF token for the page's forms. Page callers always have a session (the
/// `PageUser` and `CsrfForm` extractors see to it); a bearer caller has none and its forms
/// would be refused anyway, so the empty token hides nothing.
pub fn csrf(c: &Caller) -> String {
    c.csrf.clone().unwrap_or_default()
}

/// A form with no fields but its CSRF token (checked by `CsrfForm`).
#[derive(Deserialize)]
pub struct Empty {}

/// "2026-11-24 14:05:09" in UTC.
pub fn fmt_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A time that may not have happened yet: "–" until it has.
pub fn fmt_opt(ms: Option<i64>) -> String {
    ms.map(fmt_time).unwrap_or_else(|| "–".into())
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc_times() {
        assert_eq!(super::fmt_time(0), "1970-01-01 00:00:00");
        assert_eq!(super::fmt_time(1_795_000_000_000), "2026-11-18 11:06:40");
        assert_eq!(super::fmt_time(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(super::fmt_opt(None), "–");
    }
}
