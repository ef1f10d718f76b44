//! Guarded download of provider image URLs (SSRF defence), the same guard for outbound posts
//! (webhooks), and a media store that names files
//! itself. Rules: http(s) only; the address actually connected to must not be loopback,
//! private, link-local (cloud metadata), CGNAT, multicast or otherwise internal, checked for
//! IP literals before connecting and for host names inside the client's DNS resolver, on
//! every redirect hop (followed by hand, at most `max_redirects`); the body is streamed and
//! cut off past `max_bytes`; the bytes must decode as PNG, JPEG, WebP or GIF.

mod address;
mod fetch;
mod media;
mod post;
#[cfg(test)]
mod tests;
mod verify;

pub use address::{is_forbidden, is_forbidden_with};
pub use fetch::{Downloaded, SafeDownloader};
pub use media::{MediaStore, StoredImage};
pub use post::Posted;
pub use verify::{
    ImageFormat, MAX_DECODE_BYTES, MAX_IMAGE_SIDE, VerifiedImage, decode_limited, verify_image,
};

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadConfig {
    /// Permit 127.0.0.0/8 and ::1 (local test servers). Off by default.
    pub allow_loopback: bool,
    /// Permit private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): a
    /// destination a person marked as on their private network. Loopback, link-local (cloud
    /// metadata) and the rest stay refused. Off by default.
    pub allow_private: bool,
    pub max_bytes: u64,
    /// For the whole download, redirects included.
    pub timeout: Duration,
    pub max_redirects: usize,
}

impl Default for DownloadConfig {
    fn default() -> Self {
        DownloadConfig {
            allow_loopback: false,
            allow_private: false,
            max_bytes: 20 * 1024 * 1024,
            timeout: Duration::from_secs(60),
            max_redirects: 5,
        }
    }
}
