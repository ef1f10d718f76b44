//! SEO meta: which plugin the site runs (from the route index), writing the article's meta
//! the way that plugin reads it, and reading it back so nothing is claimed that was not kept.

use super::client::{Site, WordPressClient};
use crate::article::OutgoingArticle;
use crate::error::PublishError;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeoPlugin {
    RankMath,
    Yoast,
    None,
}

impl SeoPlugin {
    /// Rank Math wins when both are present: its updateMeta route writes without relying on
    /// meta registered for REST.
    pub(crate) fn from_namespaces(namespaces: &[String]) -> SeoPlugin {
        let has = |ns: &str| namespaces.iter().any(|n| n == ns);
        if has("rankmath/v1") {
            SeoPlugin::RankMath
        } else if has("yoast/v1") {
            SeoPlugin::Yoast
        } else {
            SeoPlugin::None
        }
    }
}

/// What happened to each SEO field, by the article's names (`meta_title`,
/// `meta_description`, `focus_keyword`); empty fields are not sent and not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeoReport {
    pub plugin: SeoPlugin,
    /// Read back from WordPress with the value sent.
    pub saved: Vec<String>,
    /// Not kept: missing or different when read back, or no SEO plugin to keep it.
    pub dropped: Vec<String>,
    /// Accepted, but WordPress offers no way to read it back (Rank Math's focus keyword).
    pub unverified: Vec<String>,
    /// Why the plugin refused the meta, when it did (the post itself was still published).
    pub error: Option<String>,
}

/// (report name, value, Yoast key, Rank Math key)
fn fields(a: &OutgoingArticle) -> Vec<(&'static str, &str, &'static str, &'static str)> {
    [
        (
            "meta_title",
            a.meta_title.as_str(),
            "_yoast_wpseo_title",
            "rank_math_title",
        ),
        (
            "meta_description",
            a.meta_description.as_str(),
            "_yoast_wpseo_metadesc",
            "rank_math_description",
        ),
        (
            "focus_keyword",
            a.focus_keyword.as_str(),
            "_yoast_wpseo_focuskw",
            "rank_math_focus_keyword",
        ),
    ]
    .into_iter()
    .filter(|f| !f.1.trim().is_empty())
    .collect()
}

/// Yoast's keys go in the post's own `meta` (sent with the post).
pub(crate) fn yoast_meta(a: &OutgoingArticle) -> Value {
    let m: Map<String, Value> = fields(a)
        .into_iter()
        .map(|(_, v, key, _)| (key.to_string(), json!(v)))
        .collect();
    Value::Object(m)
}

impl WordPressClient {
    pub async fn detect_seo(&self) -> Result<SeoPlugin, PublishError> {
        Ok(SeoPlugin::from_namespaces(&self.site().await?.namespaces))
    }

    /// Rank Math's own editor endpoint; a missing route means every field is dropped.
    pub(crate) async fn write_rank_math(
        &self,
        post_id: u64,
        a: &OutgoingArticle,
    ) -> Result<(), PublishError> {
        let meta: Map<String, Value> = fields(a)
            .into_iter()
            .map(|(_, v, _, key)| (key.to_string(), json!(v)))
            .collect();
        if meta.is_empty() {
            return Ok(());
        }
        let body = json!({"objectType": "post", "objectID": post_id, "meta": meta});
        self.post("/rankmath/v1/updateMeta", body).await.map(|_| ())
    }

    /// Compares what was sent with the post read back (context=edit) and, for Rank Math,
    /// with its head endpoint when the site has one.
    pub(crate) async fn verify_seo(
        &self,
        site: &Site,
        plugin: SeoPlugin,
        a: &OutgoingArticle,
        post: &Value,
        refused: Option<String>,
    ) -> SeoReport {
        let mut report = SeoReport {
            plugin,
            saved: vec![],
            dropped: vec![],
            unverified: vec![],
            error: None,
        };
        if let Some(why) = refused {
            report.dropped = fields(a).into_iter().map(|f| f.0.to_string()).collect();
            report.error = Some(why);
            return report;
        }
        let head = if plugin == SeoPlugin::RankMath
            && site.routes.iter().any(|r| r == "/rankmath/v1/getHead")
        {
            let link = post["link"].as_str().unwrap_or_default().to_string();
            self.get("/rankmath/v1/getHead", &[("url", link)])
                .await
                .ok()
                .and_then(|v| v["head"].as_str().map(decode_entities))
        } else {
            None
        };
        for (name, value, yoast_key, rm_key) in fields(a) {
            let in_meta = |key: &str| {
                post["meta"]
                    .get(key)
                    .and_then(Value::as_str)
                    .map(|s| s.trim() == value.trim())
            };
            let verdict = match plugin {
                SeoPlugin::None => Some(false),
                SeoPlugin::Yoast => Some(in_meta(yoast_key).unwrap_or(false)),
                SeoPlugin::RankMath => in_meta(rm_key).or_else(|| {
                    let head = head.as_deref()?;
                    match name {
                        "meta_title" => {
                            Some(head.contains(&format!("<title>{}</title>", value.trim())))
                        }
                        "meta_description" => {
                            Some(head.contains(&format!("content=\"{}\"", value.trim())))
                        }
                        _ => None,
                    }
                }),
            };
            match verdict {
                Some(true) => report.saved.push(name.into()),
                Some(false) => report.dropped.push(name.into()),
                None => report.unverified.push(name.into()),
            }
        }
        report
    }
}

/// The entities WordPress's escaping produces.
pub(crate) fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
