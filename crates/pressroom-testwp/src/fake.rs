//! A fault-injecting fake WordPress: just enough of the posts API for a publish without
//! images or terms, misbehaving on request. Real behaviour is tested against [`crate::TestWordPress`].

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// How the fake misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `POST /wp/v2/posts` makes the post, then never answers (the client times out after
    /// the post exists). Every other request answers normally.
    HangAfterCreate,
    /// Every request: 500 with a WordPress-shaped error.
    ServerError,
    /// Every request: 429 with `Retry-After: seconds`.
    RateLimited { retry_after_secs: u64 },
    /// Posts accept `meta` and answer 200, but keep none of it (an unregistered meta key);
    /// the route index claims Yoast.
    DropMeta,
}

#[derive(Default)]
struct Posts {
    next_id: u64,
    rows: Vec<Value>,
}

#[derive(Clone)]
struct Fake {
    fault: Fault,
    base_url: String,
    posts: Arc<Mutex<Posts>>,
}

impl Fake {
    fn posts(&self) -> MutexGuard<'_, Posts> {
        // A poisoned lock means a handler panicked; the state is still a plain list.
        self.posts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake; the server stops when this is dropped.
pub struct FakeWordPress {
    pub base_url: String,
    fake: Fake,
    task: tokio::task::JoinHandle<()>,
}

impl FakeWordPress {
    pub async fn start(fault: Fault) -> std::io::Result<FakeWordPress> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let fake = Fake {
            fault,
            base_url: base_url.clone(),
            posts: Arc::default(),
        };
        let app = Router::new()
            .route("/wp-json/", get(index))
            .route("/wp-json/wp/v2/users/me", get(me))
            .route("/wp-json/wp/v2/posts", get(list).post(create))
            .route("/wp-json/wp/v2/posts/{id}", get(read).post(update))
            .fallback(not_found)
            .with_state(fake.clone());
        let task = tokio::spawn(async move {
            // Ends only when aborted on drop.
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeWordPress {
            base_url,
            fake,
            task,
        })
    }

    /// Posts made so far (including one whose creating request never got an answer).
    pub fn post_count(&self) -> usize {
        self.fake.posts().rows.len()
    }
}

impl Drop for FakeWordPress {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn fault_response(fake: &Fake) -> Option<Response> {
    match fake.fault {
        Fault::ServerError => Some(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"code": "internal_server_error", "message": "There has been a critical error on this website.", "data": {"status": 500}})),
            )
                .into_response(),
        ),
        Fault::RateLimited { retry_after_secs } => Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                "Too Many Requests",
            )
                .into_response(),
        ),
        Fault::HangAfterCreate | Fault::DropMeta => None,
    }
}

async fn index(State(fake): State<Fake>) -> Response {
    if let Some(r) = fault_response(&fake) {
        return r;
    }
    let mut namespaces = vec!["oembed/1.0", "wp/v2"];
    if fake.fault == Fault::DropMeta {
        namespaces.push("yoast/v1");
    }
    axum::Json(json!({"name": "Fake WordPress", "url": fake.base_url, "home": fake.base_url, "namespaces": namespaces, "routes": {}})).into_response()
}

async fn me(State(fake): State<Fake>) -> Response {
    if let Some(r) = fault_response(&fake) {
        return r;
    }
    let caps = json!({"edit_posts": true, "publish_posts": true, "upload_files": true, "manage_categories": true});
    axum::Json(json!({"id": 1, "username": "admin", "slug": "admin", "roles": ["administrator"], "capabilities": caps})).into_response()
}

async fn list(State(fake): State<Fake>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(r) = fault_response(&fake) {
        return r;
    }
    let posts = fake.posts();
    let found: Vec<Value> = posts
        .rows
        .iter()
        .filter(|p| q.get("slug").is_none_or(|s| p["slug"] == s.as_str()))
        .cloned()
        .collect();
    axum::Json(found).into_response()
}

async fn create(State(fake): State<Fake>, body: axum::Json<Value>) -> Response {
    if let Some(r) = fault_response(&fake) {
        return r;
    }
    let post = {
        let mut posts = fake.posts();
        posts.next_id += 1;
        let post = post_json(&fake, posts.next_id, &body, &json!({}));
        posts.rows.push(post.clone());
        post
    };
    if fake.fault == Fault::HangAfterCreate {
        std::future::pending::<()>().await;
    }
    (StatusCode::CREATED, axum::Json(post)).into_response()
}

async fn read(State(fake): State<Fake>, Path(id): Path<u64>) -> Response {
    if let Some(r) = fault_response(&fake) {
        return r;
    }
    match fake.posts().rows.iter().find(|p| p["id"] == id) {
        Some(p) => axum::Json(p.clone()).into_response(),
        None => no_post(),
    }
}

async fn update(
    State(fake): State<Fake>,
    Path(id): Path<u64>,
    body: axum::Json<Value>,
) -> Response {
    if let Some(r) = fault_response(&fake) {
        return r;
    }
    let mut posts = fake.posts();
    let Some(slot) = posts.rows.iter_mut().find(|p| p["id"] == id) else {
        return no_post();
    };
    let updated = post_json(&fake, id, &body, slot);
    *slot = updated.clone();
    axum::Json(updated).into_response()
}

/// Under `/moved` everything redirects to the same path without it (a site moved to a new
/// address); anything else unknown is a plain HTML 404, as from a site that is not WordPress.
async fn not_found(State(fake): State<Fake>, uri: axum::http::Uri) -> Response {
    if let Some(rest) = uri.path().strip_prefix("/moved") {
        let to = format!("{}{rest}", fake.base_url);
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response();
    }
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>Not Found</h1></body></html>",
    )
        .into_response()
}

fn no_post() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"code": "rest_post_invalid_id", "message": "Invalid post ID.", "data": {"status": 404}})),
    )
        .into_response()
}

/// The post as WordPress would return it in context=edit, from a request body over `old`.
fn post_json(fake: &Fake, id: u64, body: &Value, old: &Value) -> Value {
    let pick =
        |key: &str, old_value: &Value| body.get(key).cloned().unwrap_or_else(|| old_value.clone());
    let title = pick("title", &old["title"]["raw"]);
    let content = pick("content", &old["content"]["raw"]);
    let excerpt = pick("excerpt", &old["excerpt"]["raw"]);
    let slug = pick("slug", &old["slug"]);
    let status = body.get("status").cloned().unwrap_or_else(|| {
        if old["status"].is_null() {
            json!("draft")
        } else {
            old["status"].clone()
        }
    });
    json!({
        "id": id,
        "slug": slug,
        "status": status,
        "link": format!("{}/{}/", fake.base_url, slug.as_str().unwrap_or("")),
        "title": {"raw": title, "rendered": title},
        "content": {"raw": content, "rendered": content},
        "excerpt": {"raw": excerpt, "rendered": excerpt},
        "featured_media": pick("featured_media", &json!(0)),
        "categories": pick("categories", &json!([])),
        "tags": pick("tags", &json!([])),
        "author": pick("author", &json!(1)),
        // Whatever meta was sent, none was kept (DropMeta), and no other mode registers any.
        "meta": {},
    })
}
