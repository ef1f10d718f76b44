//! After publishing: fetch the public page as a reader would (no credentials) and check
//! it shows the article's title and featured image.

use crate::outbound::{OutboundPolicy, check_url, guarded_client};
use std::time::Duration;
use url::Url;

/// A page is read up to this size; a post page larger than this is not an article page.
const BODY_CAP: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveCheck {
    pub http_status: Option<u16>,
    pub title_found: bool,
    /// `None` when no image was expected.
    pub image_found: Option<bool>,
    /// Why the page could not be read, or what is missing from it.
    pub error: Option<String>,
}

impl LiveCheck {
    pub fn passed(&self) -> bool {
        self.http_status == Some(200)
            && self.title_found
            && self.image_found != Some(false)
            && self.error.is_none()
    }
}

pub async fn check_live(
    policy: OutboundPolicy,
    url: &str,
    expected_title: &str,
    expected_image_url: Option<&str>,
) -> LiveCheck {
    let mut check = LiveCheck {
        image_found: expected_image_url.map(|_| false),
        ..LiveCheck::default()
    };
    let body = match fetch(policy, url, &mut check).await {
        Ok(body) => body,
        Err(e) => {
            check.error = Some(e);
            return check;
        }
    };
    if check.http_status != Some(200) {
        check.error = Some(format!("{url} answered {}", check.http_status.unwrap_or(0)));
        return check;
    }
    check.title_found =
        !expected_title.trim().is_empty() && squash(&body).contains(&squash(expected_title));
    if let Some(img) = expected_image_url {
        // The theme may print the URL absolute or root-relative.
        let path = Url::parse(img)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| img.to_string());
        check.image_found =
            Some(body.contains(img) || (!path.is_empty() && path != "/" && body.contains(&path)));
    }
    let mut missing = Vec::new();
    if !check.title_found {
        missing.push("the title");
    }
    if check.image_found == Some(false) {
        missing.push("the featured image");
    }
    if !missing.is_empty() {
        check.error = Some(format!("{url} does not show {}", missing.join(" or ")));
    }
    check
}

async fn fetch(policy: OutboundPolicy, url: &str, check: &mut LiveCheck) -> Result<String, String> {
    let parsed = Url::parse(url).map_err(|e| format!("bad URL {url}: {e}"))?;
    check_url(policy, &parsed).map_err(|e| e.to_string())?;
    let client =
        guarded_client(policy, Duration::from_secs(30)).map_err(|e| format!("HTTP client: {e}"))?;
    let mut resp = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| format!("could not fetch {url}: {e}"))?;
    check.http_status = Some(resp.status().as_u16());
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| format!("reading {url}: {e}"))?
    {
        if body.len() + chunk.len() > BODY_CAP {
            return Err(format!(
                "{url} is larger than {} MiB",
                BODY_CAP / (1024 * 1024)
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Letters and digits only, lowercased, with WordPress's typographic entities undone: the
/// title as printed (curly quotes, `&#8211;`, escaped `&`) still matches the title sent.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        // An entity is short: `&#8217;`, `&amp;`. A lone `&` is skipped like any punctuation.
        if c == '&'
            && let Some((end, _)) = rest.char_indices().take(12).find(|(_, ch)| *ch == ';')
        {
            rest = &rest[end + 1..];
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::squash;

    #[test]
    fn texturized_titles_match() {
        let printed = "<h1>Don&#8217;t Panic &#8211; Tips &amp; Tricks</h1>";
        assert!(squash(printed).contains(&squash("Don't Panic - Tips & Tricks")));
        assert!(!squash(printed).contains(&squash("Do Panic")));
        assert_eq!(squash("Ünïcode &—ß"), "ünïcodeß");
    }
}
