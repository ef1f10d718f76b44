//! The test hooks (`/__script`, `/__stats`, `/__last`, `/__reset`), generated images by URL,
//! and the odd bodies downloader tests ask for (`/__huge`, `/__text`, `/__redirect`).

use crate::config::Step;
use crate::faults::huge_stream;
use crate::pictures::png_for;
use crate::state::{Shared, Visit, lock};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

pub(crate) async fn serve_image(State(inner): State<Shared>, Path(file): Path<String>) -> Response {
    let visit = Visit::start(&inner, "images_get");
    let size = file
        .strip_suffix(".png")
        .and_then(|s| s.rsplit_once('-'))
        .and_then(|(_, wh)| wh.split_once('x'))
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|(w, h)| (16..=4096).contains(w) && (16..=4096).contains(h));
    let resp = match size.and_then(|(w, h)| png_for(&inner, w, h)) {
        Some(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        None => (StatusCode::NOT_FOUND, "no such image").into_response(),
    };
    visit.finish(resp)
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum ScriptBody {
    Steps(Vec<Step>),
    Wrapped { steps: Vec<Step> },
}

pub(crate) async fn set_script(
    State(inner): State<Shared>,
    axum::Json(body): axum::Json<ScriptBody>,
) -> Response {
    let steps = match body {
        ScriptBody::Steps(s) | ScriptBody::Wrapped { steps: s } => s,
    };
    let mut q = lock(&inner.script);
    q.extend(steps);
    axum::Json(json!({"queued": q.len()})).into_response()
}

pub(crate) async fn get_stats(State(inner): State<Shared>) -> Response {
    axum::Json(lock(&inner.stats).clone()).into_response()
}

pub(crate) async fn get_last(
    State(inner): State<Shared>,
    Path(endpoint): Path<String>,
) -> Response {
    match lock(&inner.last).get(endpoint.as_str()) {
        Some(v) => axum::Json(v.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) async fn reset(State(inner): State<Shared>) -> Response {
    lock(&inner.script).clear();
    lock(&inner.stats).clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub(crate) struct HugeQuery {
    mb: Option<usize>,
    chunked: Option<u8>,
}

pub(crate) async fn huge(State(inner): State<Shared>, Query(q): Query<HugeQuery>) -> Response {
    let visit = Visit::start(&inner, "huge");
    let resp = huge_stream(q.mb.unwrap_or(50).min(1024), q.chunked.unwrap_or(0) == 1);
    visit.finish(resp)
}

pub(crate) async fn not_an_image(State(inner): State<Shared>) -> Response {
    let visit = Visit::start(&inner, "text");
    let resp = (
        [(header::CONTENT_TYPE, "image/png")],
        "<html><body>This is not an image, whatever the header says.</body></html>",
    )
        .into_response();
    visit.finish(resp)
}

#[derive(Deserialize)]
pub(crate) struct RedirectQuery {
    to: String,
}

pub(crate) async fn redirect(
    State(inner): State<Shared>,
    Query(q): Query<RedirectQuery>,
) -> Response {
    let visit = Visit::start(&inner, "redirect");
    let resp = match HeaderValue::from_str(&q.to) {
        Ok(loc) => (StatusCode::FOUND, [(header::LOCATION, loc)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "bad target").into_response(),
    };
    visit.finish(resp)
}
