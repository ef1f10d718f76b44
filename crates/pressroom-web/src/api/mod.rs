//! REST API under `/api/v1`, one module per area. Each handler authenticates, checks the role
//! for writes, and calls the same store or pipeline function the CLI calls; no pipeline logic
//! lives here. The routes and the OpenAPI document are assembled in this file.

mod account;
mod clusters;
mod content;
mod destinations;
mod images;
mod keys;
mod keywords;
mod lists;
mod prompts;
mod publications;
mod runs;
mod settings;
mod sites;
mod team;
mod webhooks;

use crate::error::ErrorBody;
use crate::input::{MAX_IMAGE_UPLOAD_BYTES, MAX_UPLOAD_BYTES};
use crate::state::AppState;
use axum::Json;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use utoipa::OpenApi;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(sites::me))
        .route(
            "/api/v1/sites",
            get(sites::list_sites).post(sites::create_site),
        )
        .route("/api/v1/sites/{site}/counts", get(sites::site_counts))
        .route(
            "/api/v1/sites/{site}/settings",
            get(settings::get_settings).patch(settings::patch_settings),
        )
        .route(
            "/api/v1/sites/{site}/settings/changes",
            get(settings::list_changes),
        )
        .route(
            "/api/v1/sites/{site}/keywords",
            get(keywords::list_keywords),
        )
        .route(
            "/api/v1/sites/{site}/keywords/import",
            post(keywords::import_keywords)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/sites/{site}/clusters", get(lists::list_clusters))
        .route("/api/v1/sites/{site}/ideas", get(lists::list_ideas))
        .route("/api/v1/sites/{site}/tasks", get(lists::list_tasks))
        .route("/api/v1/sites/{site}/content", get(lists::list_content))
        .route("/api/v1/sites/{site}/images", get(lists::list_site_images))
        .route(
            "/api/v1/sites/{site}/images/retry-failed",
            post(images::retry_failed_images),
        )
        .route(
            "/api/v1/sites/{site}/runs",
            get(runs::list_runs).post(runs::start_run),
        )
        .route(
            "/api/v1/sites/{site}/runs/estimate",
            get(runs::estimate_run),
        )
        .route(
            "/api/v1/content/{id}",
            get(content::get_content).patch(content::edit_content),
        )
        .route(
            "/api/v1/content/{id}/approve",
            post(content::approve_content),
        )
        .route("/api/v1/content/{id}/reject", post(content::reject_content))
        .route("/api/v1/content/{id}/reopen", post(content::reopen_content))
        .route("/api/v1/content/{id}/images", get(content::content_images))
        .route(
            "/api/v1/content/{id}/regenerate",
            post(content::regenerate_content),
        )
        .route(
            "/api/v1/content/{id}/revisions",
            get(content::list_revisions),
        )
        .route(
            "/api/v1/content/{id}/revisions/{revision}/restore",
            post(content::restore_revision),
        )
        .route("/api/v1/content/{id}/links", get(content::list_links))
        .route("/api/v1/links/{id}", delete(content::remove_link))
        .route(
            "/api/v1/sites/{site}/content/review",
            post(content::bulk_review),
        )
        .route(
            "/api/v1/images/{id}",
            axum::routing::patch(images::edit_image),
        )
        .route(
            "/api/v1/images/{id}/regenerate",
            post(images::regenerate_image),
        )
        .route(
            "/api/v1/images/{id}/file",
            axum::routing::put(images::upload_image)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_IMAGE_UPLOAD_BYTES)),
        )
        .route(
            "/api/v1/clusters/{id}",
            get(clusters::get_cluster).patch(clusters::edit_cluster),
        )
        .route(
            "/api/v1/clusters/{id}/keywords",
            get(clusters::cluster_keywords),
        )
        .route("/api/v1/clusters/{id}/merge", post(clusters::merge_cluster))
        .route("/api/v1/clusters/{id}/split", post(clusters::split_cluster))
        .route("/api/v1/keywords/move", post(keywords::move_keywords))
        .route(
            "/api/v1/keywords/{id}",
            axum::routing::patch(keywords::edit_keyword).delete(keywords::delete_keyword),
        )
        .route("/api/v1/ideas/{id}", delete(clusters::delete_idea))
        .route("/api/v1/images/generate", post(images::generate_images))
        .route("/api/v1/runs/{id}", get(runs::get_run))
        .route("/api/v1/runs/{id}/pause", post(runs::pause_run))
        .route("/api/v1/runs/{id}/resume", post(runs::resume_run))
        .route("/api/v1/runs/{id}/cancel", post(runs::cancel_run))
        .route("/api/v1/runs/{id}/events", get(runs::run_events))
        .route("/api/v1/usage", get(account::usage))
        .route("/api/v1/credits", get(account::credits))
        .route(
            "/api/v1/tokens",
            get(account::list_tokens).post(account::create_token),
        )
        .route("/api/v1/tokens/{id}", delete(account::revoke_token))
        .route(
            "/api/v1/webhooks",
            get(webhooks::list_webhooks).post(webhooks::add_webhook),
        )
        .route("/api/v1/webhooks/{id}", delete(webhooks::remove_webhook))
        .route(
            "/api/v1/sites/{site}/publications",
            get(publications::list_publications),
        )
        .route("/api/v1/publications/{id}/hold", post(publications::hold))
        .route(
            "/api/v1/publications/{id}/release",
            post(publications::release),
        )
        .route(
            "/api/v1/publications/{id}/now",
            post(publications::publish_now),
        )
        .route(
            "/api/v1/publications/{id}/move",
            post(publications::move_publication),
        )
        .route("/api/v1/webhooks/{id}/ping", post(webhooks::ping_webhook))
        .route(
            "/api/v1/webhooks/{id}/deliveries",
            get(webhooks::list_deliveries),
        )
        .route(
            "/api/v1/deliveries/{id}/resend",
            post(webhooks::resend_delivery),
        )
        // Provider keys and teammates (issue 14).
        .route("/api/v1/keys", get(keys::list_keys).post(keys::add_key))
        .route("/api/v1/keys/{id}", delete(keys::remove_key))
        .route(
            "/api/v1/users",
            get(team::list_users).post(team::invite_user),
        )
        .route(
            "/api/v1/users/{id}",
            axum::routing::patch(team::update_user),
        )
        .route("/api/v1/users/{id}/password", post(team::reset_password))
        // Prompt previews (issue 14).
        .route("/api/v1/sites/{site}/prompts", get(prompts::list_prompts))
        .route(
            "/api/v1/sites/{site}/prompts/{function}",
            get(prompts::get_prompt),
        )
        // Destinations and publications (issue 15).
        .route(
            "/api/v1/sites/{site}/destinations",
            get(destinations::list_destinations).post(destinations::add_destination),
        )
        .route(
            "/api/v1/destinations/{id}",
            get(destinations::get_destination)
                .patch(destinations::edit_destination)
                .delete(destinations::remove_destination),
        )
        .route(
            "/api/v1/destinations/{id}/test",
            post(destinations::test_destination),
        )
        .route(
            "/api/v1/content/{id}/publications",
            get(destinations::content_publications),
        )
        .route(
            "/api/v1/publications/{id}/unpublish",
            post(destinations::unpublish),
        )
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Pressroom API", description = "Keywords in, reviewed illustrated articles out. Authenticate with `Authorization: Bearer prs_…` (create tokens with `pressroom tokens create` or on the Tokens page). Errors are `{\"error\":{\"code\",\"message\"}}`."),
    paths(sites::me, sites::list_sites, sites::create_site, sites::site_counts, keywords::list_keywords, keywords::import_keywords, lists::list_clusters, lists::list_ideas,
          lists::list_tasks, lists::list_content, lists::list_site_images, images::retry_failed_images, runs::list_runs, runs::start_run, runs::estimate_run,
          content::get_content, content::edit_content, content::approve_content, content::reject_content, content::reopen_content, content::content_images, images::generate_images,
          content::bulk_review, content::regenerate_content, content::list_revisions, content::restore_revision, content::list_links, content::remove_link,
          images::edit_image, images::regenerate_image, images::upload_image,
          runs::get_run, runs::pause_run, runs::resume_run, runs::cancel_run, runs::run_events, account::usage, account::credits, account::list_tokens, account::create_token,
          account::revoke_token, clusters::get_cluster, clusters::cluster_keywords, clusters::edit_cluster, clusters::merge_cluster,
          clusters::split_cluster, clusters::delete_idea, keywords::move_keywords, keywords::edit_keyword, keywords::delete_keyword,
          webhooks::list_webhooks, webhooks::add_webhook, webhooks::remove_webhook, webhooks::ping_webhook, webhooks::list_deliveries, webhooks::resend_delivery,
          settings::get_settings, settings::patch_settings, settings::list_changes,
          keys::list_keys, keys::add_key, keys::remove_key, team::list_users, team::invite_user, team::update_user, team::reset_password,
          prompts::list_prompts, prompts::get_prompt,
          destinations::list_destinations, destinations::add_destination, destinations::get_destination, destinations::edit_destination,
          destinations::remove_destination, destinations::test_destination, destinations::content_publications, destinations::unpublish,
          publications::list_publications, publications::hold, publications::release, publications::publish_now, publications::move_publication),
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
