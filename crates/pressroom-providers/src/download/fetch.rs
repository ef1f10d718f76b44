//! The download itself: URL checks, redirects followed by hand, the body read under a cap.

use super::DownloadConfig;
use super::address::{GuardedResolver, is_forbidden_with};
use super::verify::{VerifiedImage, verify_image};
use crate::error::DownloadError;
use reqwest::Url;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Downloads provider image URLs under the rules above. Cheap to clone.
#[derive(Clone)]
pub struct SafeDownloader {
    pub(super) config: DownloadConfig,
    pub(super) client: Result<reqwest::Client, String>,
}

/// A downloaded, verified image and where it finally came from.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub image: VerifiedImage,
    pub final_url: String,
}

impl SafeDownloader {
    pub fn new(config: DownloadConfig) -> SafeDownloader {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect on our behalf to addresses we never checked.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                allow_loopback: config.allow_loopback,
                allow_private: config.allow_private,
            }))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("pressroom/", env!("CARGO_PKG_VERSION")))
            .build()
            // Building fails only if TLS cannot initialise. Never fall back to an unguarded
            // client: keep the failure and report it on every call.
            .map_err(|e| e.to_string());
        SafeDownloader { config, client }
    }

    /// The picture of a provider response as verified bytes: base64 payloads are checked
    /// like downloads, URLs are downloaded under the rules above.
    pub async fn fetch_image(
        &self,
        data: &crate::types::ImageData,
    ) -> Result<VerifiedImage, DownloadError> {
        match data {
            crate::types::ImageData::Bytes(b) => {
                if b.len() as u64 > self.config.max_bytes {
                    return Err(DownloadError::TooLarge {
                        cap: self.config.max_bytes,
                    });
                }
                verify_image(b.clone())
            }
            crate::types::ImageData::Url(u) => Ok(self.download(u).await?.image),
        }
    }

    pub fn config(&self) -> DownloadConfig {
        self.config
    }

    /// Fetches `url` and verifies the bytes are an image.
    pub async fn download(&self, url: &str) -> Result<Downloaded, DownloadError> {
        match tokio::time::timeout(self.config.timeout, self.fetch(url)).await {
            Ok(r) => r,
            Err(_) => Err(DownloadError::Timeout(self.config.timeout)),
        }
    }

    /// Checks a URL's scheme and, for an IP literal, its address, without connecting.
    pub fn check_url(&self, url: &Url) -> Result<(), DownloadError> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(DownloadError::Scheme(other.to_string())),
        }
        let ip = match url.host() {
            None => return Err(DownloadError::BadUrl(format!("{url} has no host"))),
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(d)) => d.parse::<IpAddr>().ok(),
        };
        if let Some(ip) = ip
            && is_forbidden_with(ip, self.config.allow_loopback, self.config.allow_private)
        {
            return Err(DownloadError::ForbiddenAddress {
                host: url.host_str().unwrap_or_default().to_string(),
                ip,
            });
        }
        Ok(())
    }

    async fn fetch(&self, url: &str) -> Result<Downloaded, DownloadError> {
        let mut url = Url::parse(url).map_err(|e| DownloadError::BadUrl(e.to_string()))?;
        let mut redirects = 0;
        loop {
            self.check_url(&url)?;
            let client = self
                .client
                .as_ref()
                .map_err(|e| DownloadError::Connection(format!("HTTP client unavailable: {e}")))?;
            let resp = client
                .get(url.clone())
                .send()
                .await
                .map_err(|e| transport_error(&e))?;
            let status = resp.status();
            if status.is_redirection() {
                redirects += 1;
                if redirects > self.config.max_redirects {
                    return Err(DownloadError::TooManyRedirects(self.config.max_redirects));
                }
                let location = resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or(DownloadError::BadRedirect(status.as_u16()))?;
                url = url
                    .join(location)
                    .map_err(|_| DownloadError::BadRedirect(status.as_u16()))?;
                continue;
            }
            if !status.is_success() {
                return Err(DownloadError::Http(status.as_u16()));
            }
            let cap = self.config.max_bytes;
            if resp.content_length().is_some_and(|n| n > cap) {
                return Err(DownloadError::TooLarge { cap });
            }
            let bytes = read_capped(resp, cap).await?;
            let image = verify_image(bytes)?;
            return Ok(Downloaded {
                image,
                final_url: url.to_string(),
            });
        }
    }
}

async fn read_capped(mut resp: reqwest::Response, cap: u64) -> Result<Vec<u8>, DownloadError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e))? {
        if body.len() as u64 + chunk.len() as u64 > cap {
            // Dropping the response closes the connection; the rest is never read.
            return Err(DownloadError::TooLarge { cap });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Surfaces our resolver's refusal (wrapped by the HTTP stack) as itself.
pub(super) fn transport_error(e: &reqwest::Error) -> DownloadError {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(d) = s.downcast_ref::<DownloadError>() {
            return d.clone();
        }
        src = s.source();
    }
    if e.is_timeout() {
        // "connect error" marks what never reached the server (`maybe_delivered`).
        let msg = if e.is_connect() {
            "connect error: timed out"
        } else {
            "timed out"
        };
        return DownloadError::Connection(msg.into());
    }
    // The URL is left out: it is in the caller's hands already and may be long.
    let mut msg = if e.is_connect() {
        "connect error".to_string()
    } else {
        "request error".to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    DownloadError::Connection(msg)
}
