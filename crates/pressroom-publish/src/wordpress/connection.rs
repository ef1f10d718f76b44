//! "Test connection": every step a publish needs, each failure named.

use super::client::{WordPressClient, WpPostStatus};
use super::seo::SeoPlugin;
use crate::error::PublishError;
use serde_json::Value;

/// What a working connection found.
#[derive(Debug, Clone)]
pub struct ConnectionReport {
    pub site_name: String,
    pub site_url: String,
    /// The WordPress user the application password belongs to.
    pub user: String,
    pub user_id: u64,
    pub roles: Vec<String>,
    pub seo: SeoPlugin,
    /// Things that work but limit publishing (e.g. no right to create categories).
    pub warnings: Vec<String>,
}

impl WordPressClient {
    /// Reaches the site, finds its REST API, signs in and checks the user may do what a
    /// publish does. The error says which of these failed.
    pub async fn test_connection(&self) -> Result<ConnectionReport, PublishError> {
        let site = self.site().await?.clone();
        let me = self.me().await?.clone();
        let user = me["username"]
            .as_str()
            .or(me["slug"].as_str())
            .unwrap_or(&self.target.username)
            .to_string();
        let caps = &me["capabilities"];
        let has = |cap: &str| caps.get(cap).and_then(Value::as_bool).unwrap_or(false);
        let mut required = vec![
            ("edit_posts", "it is needed to create posts"),
            ("upload_files", "it is needed to upload images"),
        ];
        if self.target.post_status == WpPostStatus::Publish {
            required.push(("publish_posts", "this destination publishes posts (choose draft or pending, or an Author/Editor user)"));
        }
        if let Some((cap, why)) = required.into_iter().find(|(cap, _)| !has(cap)) {
            return Err(PublishError::MissingCapability {
                user,
                cap: cap.into(),
                why: why.into(),
            });
        }
        let mut warnings = Vec::new();
        if !has("manage_categories") {
            warnings.push(format!("user '{user}' cannot create categories: only categories that already exist will be set"));
        }
        Ok(ConnectionReport {
            site_name: site.name.clone(),
            site_url: site.url.clone(),
            user,
            user_id: me["id"].as_u64().unwrap_or(0),
            roles: me["roles"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            seo: SeoPlugin::from_namespaces(&site.namespaces),
            warnings,
        })
    }
}
