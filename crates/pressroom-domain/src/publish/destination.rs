//! A destination's options and the checks on what a person enters for one.

use crate::{DestinationKind, DomainError};
use serde::{Deserialize, Serialize};

/// Longest destination name accepted.
pub const NAME_MAX_CHARS: usize = 80;
/// Longest destination URL accepted.
const URL_MAX_CHARS: usize = 2000;

/// The status a WordPress post is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WpPostStatus {
    #[default]
    Publish,
    Draft,
    Pending,
}

impl WpPostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WpPostStatus::Publish => "publish",
            WpPostStatus::Draft => "draft",
            WpPostStatus::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "publish" => Ok(WpPostStatus::Publish),
            "draft" => Ok(WpPostStatus::Draft),
            "pending" => Ok(WpPostStatus::Pending),
            _ => Err(DomainError::InvalidValue {
                field: "post_status",
                value: s.to_string(),
            }),
        }
    }
}

/// How a webhook destination carries the article's pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImagesInWebhook {
    /// base64 in the JSON body: the receiver needs nothing else.
    #[default]
    Inline,
    /// Only alt text, size and sha256: the receiver has the pictures another way.
    None,
}

/// What a destination does beyond where it is. Stored as JSON; unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DestinationOptions {
    /// WordPress: the status posts get.
    pub post_status: WpPostStatus,
    /// WordPress: the author's user id; `None` is the application password's user.
    pub author: Option<u64>,
    /// The destination is on a private network (a self-hosted WordPress on 10.x, say): its
    /// address is allowed although private. Loopback and link-local stay refused.
    pub allow_private: bool,
    /// IndexNow key of the site, pinged after a post goes live; `None`: no ping.
    pub indexnow_key: Option<String>,
    /// Webhook: how pictures travel.
    pub images: ImagesInWebhook,
}

impl Default for DestinationOptions {
    fn default() -> Self {
        DestinationOptions {
            post_status: WpPostStatus::Publish,
            author: None,
            allow_private: false,
            indexnow_key: None,
            images: ImagesInWebhook::Inline,
        }
    }
}

impl DestinationOptions {
    pub fn validate(&self) -> Result<(), DomainError> {
        if let Some(key) = &self.indexnow_key {
            // IndexNow keys are 8 to 128 characters of a-z, A-Z, 0-9 and dashes.
            let ok = (8..=128).contains(&key.len())
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(DomainError::InvalidValue {
                    field: "indexnow_key",
                    value: key.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Checks a destination URL as entered: http(s), a host, no credentials, no query or fragment
/// for WordPress (its root is wanted), not too long. Whether its address may be reached is the
/// outbound guard's question, asked on every connection.
pub fn validate_destination_url(kind: DestinationKind, raw: &str) -> Result<String, DomainError> {
    let bad = |why: &str| DomainError::InvalidValue {
        field: "url",
        value: format!("{raw:?}: {why}"),
    };
    let trimmed = raw.trim();
    if trimmed.len() > URL_MAX_CHARS {
        return Err(bad("too long"));
    }
    let url = url::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("only http and https are supported"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "credentials do not belong in the URL; give the user and password separately",
        ));
    }
    if kind == DestinationKind::WordPress {
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("give the WordPress site's address, without ? or #"));
        }
        // The site root without a trailing slash: REST paths are appended to it.
        return Ok(url.as_str().trim_end_matches('/').to_string());
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_normalised() {
        let wp = DestinationKind::WordPress;
        assert_eq!(
            validate_destination_url(wp, " https://example.com/blog/ ").unwrap(),
            "https://example.com/blog"
        );
        for bad in [
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?x=1",
            "not a url",
        ] {
            let e = validate_destination_url(wp, bad).unwrap_err().to_string();
            assert!(e.contains("url"), "{bad}: {e}");
        }
        assert!(validate_destination_url(DestinationKind::Webhook, "https://x.test/h?k=1").is_ok());
    }

    #[test]
    fn options_refuse_unknown_fields_and_bad_keys() {
        assert!(serde_json::from_str::<DestinationOptions>(r#"{"post_stauts":"draft"}"#).is_err());
        let o: DestinationOptions = serde_json::from_str(r#"{"post_status":"draft"}"#).unwrap();
        assert_eq!(o.post_status, WpPostStatus::Draft);
        let o = DestinationOptions {
            indexnow_key: Some("short".into()),
            ..Default::default()
        };
        assert!(o.validate().is_err());
    }
}
