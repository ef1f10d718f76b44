//! Categories and tags by name; WordPress's posts take term ids, so names are looked up and
//! the missing ones created.

use super::client::{WordPressClient, id_of};
use super::seo::decode_entities;
use crate::error::PublishError;
use serde_json::{Value, json};

impl WordPressClient {
    /// Term ids for `names` in `taxonomy` (`categories` or `tags`), creating missing terms.
    pub(crate) async fn term_ids(
        &self,
        taxonomy: &str,
        names: &[String],
    ) -> Result<Vec<u64>, PublishError> {
        let mut ids = Vec::new();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let id = match self.find_term(taxonomy, name).await? {
                Some(id) => id,
                None => match self
                    .post(&format!("/wp/v2/{taxonomy}"), json!({"name": name}))
                    .await
                {
                    Ok(term) => id_of(&term).ok_or_else(|| PublishError::BadResponse {
                        url: format!("/wp/v2/{taxonomy}"),
                        detail: "created term without an id".into(),
                    })?,
                    // Made meanwhile by another worker.
                    Err(PublishError::Rejected { code, .. }) if code == "term_exists" => self
                        .find_term(taxonomy, name)
                        .await?
                        .ok_or_else(|| PublishError::BadResponse {
                            url: format!("/wp/v2/{taxonomy}"),
                            detail: format!("'{name}' exists but search does not find it"),
                        })?,
                    Err(e) => return Err(e),
                },
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    async fn find_term(&self, taxonomy: &str, name: &str) -> Result<Option<u64>, PublishError> {
        let found = self
            .get(
                &format!("/wp/v2/{taxonomy}"),
                &[("search", name.to_string()), ("per_page", "100".into())],
            )
            .await?;
        let same = |t: &Value| {
            t["name"]
                .as_str()
                .is_some_and(|n| decode_entities(n).trim().to_lowercase() == name.to_lowercase())
        };
        Ok(found
            .as_array()
            .and_then(|a| a.iter().find(|t| same(t)))
            .and_then(id_of))
    }
}
