//! The REST plumbing: where the API lives on a site, authenticated calls, and how each
//! HTTP answer becomes a result or a [`PublishError`].

use crate::error::PublishError;
use crate::outbound::{OutboundPolicy, check_url, guarded_client};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::OnceCell;
use url::Url;

// The status a post is given: the domain's, so a destination's setting is passed as is.
pub use pressroom_domain::publish::WpPostStatus;

/// One WordPress destination.
#[derive(Clone)]
pub struct WordPressTarget {
    /// The site's address, e.g. `https://example.com` (a subdirectory install keeps its path).
    pub base_url: String,
    pub username: String,
    pub app_password: String,
    pub post_status: WpPostStatus,
    pub author: Option<u64>,
    pub policy: OutboundPolicy,
    /// Bound on each whole request, uploads included.
    pub timeout: Duration,
}

impl WordPressTarget {
    pub fn new(base_url: &str, username: &str, app_password: &str) -> WordPressTarget {
        WordPressTarget {
            base_url: base_url.to_string(),
            username: username.to_string(),
            app_password: app_password.to_string(),
            post_status: WpPostStatus::Publish,
            author: None,
            policy: OutboundPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }
}

// Never print the password.
impl std::fmt::Debug for WordPressTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordPressTarget")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("app_password", &"<redacted>")
            .field("post_status", &self.post_status)
            .field("author", &self.author)
            .field("policy", &self.policy)
            .finish()
    }
}

/// Where the REST API answers: `/wp-json/...` with pretty permalinks, `/?rest_route=...` without.
#[derive(Debug, Clone)]
pub(crate) enum ApiRoot {
    Pretty(String),
    Plain(String),
}

/// What the route index says about the site.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub root: ApiRoot,
    pub name: String,
    pub url: String,
    pub namespaces: Vec<String>,
    pub routes: Vec<String>,
}

pub(crate) enum Body {
    Empty,
    Json(Value),
    File {
        bytes: bytes::Bytes,
        mime: String,
        file_name: String,
    },
}

pub struct WordPressClient {
    pub(crate) target: WordPressTarget,
    base: Url,
    http: reqwest::Client,
    site: OnceCell<Site>,
    me: OnceCell<Value>,
}

impl WordPressClient {
    pub fn new(mut target: WordPressTarget) -> Result<WordPressClient, PublishError> {
        target.base_url = target.base_url.trim_end_matches('/').to_string();
        let base = Url::parse(&target.base_url).map_err(|e| {
            PublishError::Config(format!("site address '{}': {e}", target.base_url))
        })?;
        if !base.username().is_empty() || base.password().is_some() {
            return Err(PublishError::Config(
                "put credentials in the user and application password fields, not the address"
                    .into(),
            ));
        }
        check_url(target.policy, &base)?;
        let http = guarded_client(target.policy, target.timeout)
            .map_err(|e| PublishError::Config(format!("HTTP client: {e}")))?;
        Ok(WordPressClient {
            target,
            base,
            http,
            site: OnceCell::new(),
            me: OnceCell::new(),
        })
    }

    pub fn target(&self) -> &WordPressTarget {
        &self.target
    }

    /// The route index, found once per client: `/wp-json/`, else `/?rest_route=/`.
    pub(crate) async fn site(&self) -> Result<&Site, PublishError> {
        self.site.get_or_try_init(|| self.discover()).await
    }

    /// The signed-in user (`users/me`, context=edit), once per client. WordPress treats a
    /// wrong application password on a read as an anonymous visitor, so a publish checks
    /// this first to fail with `Unauthorized` instead of a confusing later error.
    pub(crate) async fn me(&self) -> Result<&Value, PublishError> {
        self.me
            .get_or_try_init(|| async {
                self.get("/wp/v2/users/me", &[("context", "edit".into())])
                    .await
            })
            .await
    }

    async fn discover(&self) -> Result<Site, PublishError> {
        let base = self.target.base_url.clone();
        let pretty = ApiRoot::Pretty(format!("{base}/wp-json"));
        let (status, headers, text) = self.raw_get(&pretty, "/").await?;
        if let Some(site) = index(&pretty, status, &text) {
            return Ok(site);
        }
        // Redirects are not followed (each hop would need the address checks again); the
        // usual cause is http -> https or a www. host, which the settings should say.
        if status.is_redirection() {
            let to = headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("elsewhere");
            return Err(PublishError::Config(format!(
                "{base}/wp-json/ redirects to {to}: use the address it leads to as the site address"
            )));
        }
        if status == StatusCode::UNAUTHORIZED {
            return Err(self.unauthorized(&text));
        }
        // Busy or broken now is not "not WordPress": say so, so the caller retries.
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(PublishError::RateLimited {
                retry_after: retry_after(&headers),
            });
        }
        if status.is_server_error() {
            let (code, message) =
                wp_error(&text).unwrap_or_else(|| (String::new(), excerpt(&text)));
            return Err(PublishError::Rejected {
                route: "/".into(),
                status: status.as_u16(),
                code,
                message,
            });
        }
        let plain = ApiRoot::Plain(format!("{base}/"));
        let (status2, headers2, text2) = self.raw_get(&plain, "/").await?;
        if let Some(site) = index(&plain, status2, &text2) {
            return Ok(site);
        }
        // A WordPress error in JSON (a security plugin's rest_disabled, a 401/403) or the
        // API's Link header on the page: WordPress is there, its REST API is not open.
        for (st, h, t) in [(status, &headers, &text), (status2, &headers2, &text2)] {
            if let Some((code, message)) = wp_error(t) {
                return Err(PublishError::RestDisabled {
                    url: base,
                    detail: format!("{} {code}: {message}", st.as_u16()),
                });
            }
            let link = h
                .get_all(reqwest::header::LINK)
                .iter()
                .any(|v| v.to_str().unwrap_or("").contains("api.w.org"));
            if link || t.contains("/wp-content/") || t.contains("/wp-includes/") {
                return Err(PublishError::RestDisabled {
                    url: base,
                    detail: format!("/wp-json/ answered {} without the route index", st.as_u16()),
                });
            }
        }
        Err(PublishError::NotWordPress {
            url: base,
            detail: format!(
                "no REST route index at /wp-json/ ({}) or /?rest_route=/ ({})",
                status.as_u16(),
                status2.as_u16()
            ),
        })
    }

    async fn raw_get(
        &self,
        root: &ApiRoot,
        route: &str,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, String), PublishError> {
        let url = self.url(root, route, &[])?;
        // Signed in: some sites open the REST API to signed-in users only.
        let resp = self
            .http
            .get(url.clone())
            .basic_auth(&self.target.username, Some(&self.target.app_password))
            .send()
            .await
            .map_err(|e| PublishError::transport(e, url.as_str(), false))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = read_capped(resp, url.as_str(), false).await?;
        Ok((status, headers, text))
    }

    fn url(
        &self,
        root: &ApiRoot,
        route: &str,
        query: &[(&str, String)],
    ) -> Result<Url, PublishError> {
        let mut url = match root {
            ApiRoot::Pretty(prefix) => Url::parse(&format!("{prefix}{route}")),
            ApiRoot::Plain(prefix) => Url::parse(prefix),
        }
        .map_err(|e| PublishError::Config(format!("REST URL for {route}: {e}")))?;
        {
            let mut pairs = url.query_pairs_mut();
            if let ApiRoot::Plain(_) = root {
                pairs.append_pair("rest_route", route);
            }
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        // The API must stay on the configured host: a route index cannot send us elsewhere.
        if url.host_str() != self.base.host_str()
            || url.port_or_known_default() != self.base.port_or_known_default()
        {
            return Err(PublishError::Config(format!(
                "REST URL left the site: {url}"
            )));
        }
        Ok(url)
    }

    /// An authenticated REST call; 2xx JSON or the error it means.
    pub(crate) async fn call(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> Result<Value, PublishError> {
        let root = self.site().await?.root.clone();
        let url = self.url(&root, route, query)?;
        let changes = method != Method::GET;
        let mut req = self
            .http
            .request(method, url.clone())
            .basic_auth(&self.target.username, Some(&self.target.app_password));
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req.json(&v),
            Body::File {
                bytes,
                mime,
                file_name,
            } => req
                .header(reqwest::header::CONTENT_TYPE, mime)
                .header(
                    reqwest::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                )
                .body(bytes),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| PublishError::transport(e, url.as_str(), changes))?;
        let status = resp.status();
        let retry_after = retry_after(resp.headers());
        let text = read_capped(resp, url.as_str(), changes).await?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| PublishError::BadResponse {
                url: url
                    .as_str()
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                detail: format!(
                    "{} with a body that is not JSON ({e}): {}",
                    status.as_u16(),
                    excerpt(&text)
                ),
            });
        }
        let (code, message) = wp_error(&text).unwrap_or_else(|| (String::new(), excerpt(&text)));
        Err(match status {
            StatusCode::UNAUTHORIZED => self.unauthorized(&text),

            StatusCode::TOO_MANY_REQUESTS => PublishError::RateLimited { retry_after },
            StatusCode::SERVICE_UNAVAILABLE if retry_after.is_some() => {
                PublishError::RateLimited { retry_after }
            }
            _ => PublishError::Rejected {
                route: route.to_string(),
                status: status.as_u16(),
                code,
                message,
            },
        })
    }

    fn unauthorized(&self, text: &str) -> PublishError {
        let (code, message) = wp_error(text).unwrap_or_else(|| (String::new(), excerpt(text)));
        PublishError::Unauthorized {
            user: self.target.username.clone(),
            detail: format!(
                "{message} ({code}): check the user name and application password, and that application passwords are enabled"
            ),
        }
    }

    pub(crate) async fn get(
        &self,
        route: &str,
        query: &[(&str, String)],
    ) -> Result<Value, PublishError> {
        self.call(Method::GET, route, query, Body::Empty).await
    }

    pub(crate) async fn post(&self, route: &str, body: Value) -> Result<Value, PublishError> {
        self.call(Method::POST, route, &[], Body::Json(body)).await
    }
}

fn index(root: &ApiRoot, status: StatusCode, text: &str) -> Option<Site> {
    if !status.is_success() {
        return None;
    }
    let v: Value = serde_json::from_str(text).ok()?;
    let namespaces: Vec<String> = v
        .get("namespaces")?
        .as_array()?
        .iter()
        .filter_map(|n| n.as_str().map(String::from))
        .collect();
    let routes = v["routes"]
        .as_object()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    Some(Site {
        root: root.clone(),
        name: v["name"].as_str().unwrap_or_default().to_string(),
        url: v["url"].as_str().unwrap_or_default().to_string(),
        namespaces,
        routes,
    })
}

/// WordPress's error shape: `{"code": ..., "message": ...}`.
pub(crate) fn wp_error(text: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some((
        v.get("code")?.as_str()?.to_string(),
        v["message"].as_str().unwrap_or_default().to_string(),
    ))
}

/// A REST answer is JSON of a few kilobytes; a body past this is not WordPress talking.
const BODY_CAP: usize = 16 * 1024 * 1024;

async fn read_capped(
    mut resp: reqwest::Response,
    url: &str,
    changes: bool,
) -> Result<String, PublishError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| PublishError::transport(e, url, changes))?
    {
        if body.len() + chunk.len() > BODY_CAP {
            return Err(PublishError::BadResponse {
                url: url.split('?').next().unwrap_or_default().to_string(),
                detail: format!("answer larger than {} MiB", BODY_CAP / (1024 * 1024)),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// `Retry-After` in seconds (the form WordPress and its proxies send; a date is ignored).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn excerpt(text: &str) -> String {
    let t: String = text.chars().take(200).collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON id WordPress returns.
pub(crate) fn id_of(v: &Value) -> Option<u64> {
    v.get("id").and_then(Value::as_u64)
}

/// The `raw` of a field in context=edit, else the value itself.
pub(crate) fn raw(v: &Value, field: &str) -> String {
    let f = &v[field];
    f["raw"]
        .as_str()
        .or_else(|| f.as_str())
        .unwrap_or_default()
        .to_string()
}
