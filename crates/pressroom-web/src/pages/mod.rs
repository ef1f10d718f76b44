//! Server-rendered pages (askama templates, escaped by default), one module per page area.
//! Forms post with the session's CSRF token; every action calls the same pipeline or store
//! function the API handler calls. The only script is `/static/app.js` (live progress), served
//! from the binary like the stylesheet. Shared drawing lives in [`view`], a leaf.

mod automation;
mod clusters;
mod content;
mod content_images;
mod destinations;
mod images;
mod keys;
mod keywords;
mod lists;
mod prompts;
mod publishing;
mod publishing_panel;
mod review;
mod session;
mod settings;
mod sites;
mod stream;
mod team;
mod tokens;
mod upload;
mod usage;
mod view;
mod webhooks;

use crate::input::{MAX_IMAGE_UPLOAD_BYTES, MAX_UPLOAD_BYTES};
use crate::lists::{Clusters, Ideas, Tasks};
use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub use view::fmt_time;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/", get(sites::dashboard))
        .route("/sites", post(sites::create_site))
        .route("/sites/{site}/keywords", get(keywords::keywords))
        .route(
            "/sites/{site}/keywords/upload",
            post(keywords::upload).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/sites/{site}/clusters", get(lists::table::<Clusters>))
        .route("/clusters/{id}", get(clusters::cluster_page))
        .route("/clusters/{id}/rename", post(clusters::rename))
        .route("/clusters/{id}/archive", post(clusters::archive))
        .route("/clusters/{id}/restore", post(clusters::restore))
        .route("/clusters/{id}/merge", post(clusters::merge))
        .route("/clusters/{id}/move", post(clusters::move_keywords))
        .route("/clusters/{id}/split", post(clusters::split))
        .route("/keywords/{id}/archive", post(clusters::archive_keyword))
        .route("/keywords/{id}/restore", post(clusters::restore_keyword))
        .route("/keywords/{id}/delete", post(clusters::delete_keyword))
        .route("/sites/{site}/ideas", get(lists::table::<Ideas>))
        .route("/ideas/{id}/delete", post(clusters::delete_idea))
        .route("/sites/{site}/tasks", get(lists::table::<Tasks>))
        .route("/sites/{site}/content", get(review::content_list))
        .route("/sites/{site}/content/review", post(review::bulk))
        .route("/content/{id}", get(content::content_page))
        .route("/content/{id}/approve", post(content::approve))
        .route("/content/{id}/reject", post(content::reject))
        .route("/content/{id}/reopen", post(content::reopen))
        .route("/content/{id}/edit", post(content::edit))
        .route("/content/{id}/regenerate", post(content::regenerate))
        .route(
            "/content/{id}/revisions/{revision}/restore",
            post(content::restore),
        )
        .route("/links/{id}/remove", post(content::remove_link))
        .route("/images/{id}/alt", post(content_images::alt))
        .route("/images/{id}/regenerate", post(content_images::regenerate))
        .route(
            "/images/{id}/upload",
            post(content_images::upload)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_IMAGE_UPLOAD_BYTES)),
        )
        .route("/sites/{site}/images", get(images::images_page))
        .route("/sites/{site}/images/generate", post(images::generate))
        .route(
            "/sites/{site}/images/retry-failed",
            post(images::retry_failed),
        )
        .route("/sites/{site}/automation", get(automation::automation))
        .route("/sites/{site}/runs", post(automation::start_run))
        .route("/runs/{id}/pause", post(automation::pause))
        .route("/runs/{id}/resume", post(automation::resume))
        .route("/runs/{id}/cancel", post(automation::cancel))
        .route("/runs/{id}/stream", get(stream::stream))
        .route("/usage", get(usage::usage))
        .route("/tokens", get(tokens::tokens).post(tokens::create_token))
        .route("/tokens/{id}/revoke", post(tokens::revoke_token))
        .route("/webhooks", get(webhooks::webhooks).post(webhooks::add))
        .route("/webhooks/{id}/remove", post(webhooks::remove))
        .route("/webhooks/{id}/ping", post(webhooks::ping))
        .route("/deliveries/{id}/resend", post(webhooks::resend))
        .route("/sites/{site}/settings", get(settings::settings_page))
        .route("/sites/{site}/settings/{group}", post(settings::save))
        // Provider keys and teammates (issue 14).
        .route("/keys", get(keys::keys).post(keys::add_key))
        .route("/keys/{id}/remove", post(keys::remove_key))
        .route("/team", get(team::team_list).post(team::invite))
        .route("/team/{id}/role", post(team::set_role))
        .route("/team/{id}/status", post(team::set_status))
        .route("/team/{id}/password", post(team::reset_password))
        // Prompt previews (issue 14).
        .route("/sites/{site}/prompts", get(prompts::prompts_page))
        // Destinations and the article's Publishing panel (issue 15).
        .route(
            "/sites/{site}/destinations",
            get(destinations::destinations_page),
        )
        .route(
            "/sites/{site}/destinations/wordpress",
            post(destinations::add_wordpress),
        )
        .route(
            "/sites/{site}/destinations/webhook",
            post(destinations::add_webhook),
        )
        .route(
            "/destinations/{id}/schedule",
            post(destinations::edit_schedule),
        )
        .route("/destinations/{id}/test", post(destinations::test))
        .route("/destinations/{id}/remove", post(destinations::remove))
        .route(
            "/publications/{id}/unpublish",
            post(publishing_panel::unpublish),
        )
        // The publishing queue (issue 15).
        .route("/sites/{site}/publishing", get(publishing::publishing_page))
        .route("/publications/{id}/{action}", post(publishing::act))
}

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        JS,
    )
}
