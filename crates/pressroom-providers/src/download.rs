//! Guarded download of provider image URLs (SSRF defence) and a media store that names files
//! itself. Rules: http(s) only; the address actually connected to must not be loopback,
//! private, link-local (cloud metadata), CGNAT, multicast or otherwise internal, checked for
//! IP literals before connecting and for host names inside the client's DNS resolver, on
//! every redirect hop (followed by hand, at most `max_redirects`); the body is streamed and
//! cut off past `max_bytes`; the bytes must decode as PNG, JPEG, WebP or GIF.

use crate::error::DownloadError;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadConfig {
    /// Permit 127.0.0.0/8 and ::1 (local test servers). Off by default.
    pub allow_loopback: bool,
    pub max_bytes: u64,
    /// For the whole download, redirects included.
    pub timeout: Duration,
    pub max_redirects: usize,
}

impl Default for DownloadConfig {
    fn default() -> Self {
        DownloadConfig {
            allow_loopback: false,
            max_bytes: 20 * 1024 * 1024,
            timeout: Duration::from_secs(60),
            max_redirects: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl ImageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Gif => "image/gif",
        }
    }
}

/// Checked image bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedImage {
    pub bytes: Vec<u8>,
    /// Lower-case hex.
    pub sha256: String,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for VerifiedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedImage")
            .field("bytes", &self.bytes.len())
            .field("sha256", &self.sha256)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Largest width or height decoded; providers deliver at most 2048 (Runware) or 1792 (OpenAI).
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// Memory one decode may allocate: 4096 x 4096 RGBA. Sixteen image jobs at once stay near
/// 1 GiB at worst instead of gigabytes.
pub const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

/// Decodes `bytes` fully (with size limits against decompression bombs) and returns them
/// with their format, dimensions and sha256. Used for downloads and for base64 payloads.
pub fn verify_image(bytes: Vec<u8>) -> Result<VerifiedImage, DownloadError> {
    let format = match image::guess_format(&bytes) {
        Ok(image::ImageFormat::Png) => ImageFormat::Png,
        Ok(image::ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Ok(image::ImageFormat::WebP) => ImageFormat::Webp,
        Ok(image::ImageFormat::Gif) => ImageFormat::Gif,
        Ok(other) => {
            return Err(DownloadError::NotAnImage(format!(
                "unsupported format {other:?}"
            )));
        }
        Err(_) => {
            let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
                .chars()
                .map(|c| if c.is_control() { '.' } else { c })
                .collect();
            return Err(DownloadError::NotAnImage(format!(
                "unrecognised bytes starting {head:?}"
            )));
        }
    };
    let img = decode_limited(&bytes, format)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(VerifiedImage {
        width: img.width(),
        height: img.height(),
        bytes,
        sha256,
        format,
    })
}

/// Decodes under [`MAX_IMAGE_SIDE`] and [`MAX_DECODE_BYTES`]. The header's dimensions are read
/// first, so a small file that claims a huge picture is refused before anything is allocated,
/// with its claimed size in the error.
pub fn decode_limited(
    bytes: &[u8],
    format: ImageFormat,
) -> Result<image::DynamicImage, DownloadError> {
    let reader = |limits: image::Limits| {
        let mut r =
            image::ImageReader::with_format(std::io::Cursor::new(bytes), to_image_format(format));
        r.limits(limits);
        r
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let (w, h) = reader(image::Limits::no_limits())
        .into_dimensions()
        .map_err(|e| DownloadError::NotAnImage(e.to_string()))?;
    if w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(DownloadError::NotAnImage(format!(
            "its header claims {w}x{h} pixels, more than the {MAX_IMAGE_SIDE}x{MAX_IMAGE_SIDE} decoded at most"
        )));
    }
    // Four bytes a pixel (RGBA8) is what most decodes need; 16-bit formats are caught by
    // the decoder's own allocation limit below.
    if u64::from(w) * u64::from(h) * 4 > MAX_DECODE_BYTES {
        return Err(DownloadError::NotAnImage(format!(
            "{w}x{h} pixels need more than the {} MiB one decode may use",
            MAX_DECODE_BYTES / (1024 * 1024)
        )));
    }
    reader(limits).decode().map_err(|e| {
        DownloadError::NotAnImage(match e {
            image::ImageError::Limits(l) => format!(
                "decoding needs more than the {} MiB allowed ({l})",
                MAX_DECODE_BYTES / (1024 * 1024)
            ),
            other => other.to_string(),
        })
    })
}

fn to_image_format(f: ImageFormat) -> image::ImageFormat {
    match f {
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Webp => image::ImageFormat::WebP,
        ImageFormat::Gif => image::ImageFormat::Gif,
    }
}

/// Is `ip` an address a provider URL must never make us connect to?
pub fn is_forbidden(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4, allow_loopback),
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                return !allow_loopback;
            }
            let s = v6.segments();
            // IPv4 embedded in IPv6 is judged as that IPv4 address: mapped ::ffff:a.b.c.d,
            // translated ::ffff:0:a.b.c.d (SIIT), NAT64 64:ff9b::/96, 6to4 2002::/16.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_forbidden(v4, allow_loopback);
            }
            if s[0..6] == [0, 0, 0, 0, 0xffff, 0] {
                return v4_forbidden(embedded_v4(s[6], s[7]), allow_loopback);
            }
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return v4_forbidden(embedded_v4(s[6], s[7]), allow_loopback);
            }
            // Local-use NAT64 64:ff9b:1::/48 (RFC 8215) and the rest of 64:ff9b::/32: the
            // translator is inside some operator's network and its prefix length (so where the
            // IPv4 address sits) is unknown, so none of it is reachable safely.
            if s[0] == 0x64 && s[1] == 0xff9b {
                return true;
            }
            if s[0] == 0x2002 {
                return v4_forbidden(embedded_v4(s[1], s[2]), allow_loopback);
            }
            v6.is_unspecified()
                || v6.is_multicast()
                || s[0..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible ::a.b.c.d (deprecated)
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] == 0) // Teredo tunnels reach arbitrary IPv4
        }
    }
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

fn v4_forbidden(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    let o = ip.octets();
    if ip.is_loopback() {
        return !allow_loopback;
    }
    o[0] == 0 // "this network", includes 0.0.0.0
        || o[0] == 10
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // CGNAT 100.64/10
        || (o[0] == 169 && o[1] == 254) // link-local, cloud metadata
        || (o[0] == 172 && (o[1] & 0xf0) == 16)
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 192 && o[1] == 0 && o[2] == 2) // documentation
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
        || o[0] >= 224 // multicast, reserved, broadcast
}

/// The DNS resolver the download client connects through: a host name whose addresses
/// include a forbidden one is refused, so the check applies to the very addresses used.
struct GuardedResolver {
    allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs = resolve_checked(&host, allow).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

async fn resolve_checked(
    host: &str,
    allow_loopback: bool,
) -> Result<Vec<SocketAddr>, DownloadError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| DownloadError::Resolve {
            host: host.to_string(),
            message: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(DownloadError::Resolve {
            host: host.to_string(),
            message: "no addresses".into(),
        });
    }
    // All or nothing: one internal address among public ones is a rebinding attempt.
    if let Some(bad) = addrs.iter().find(|a| is_forbidden(a.ip(), allow_loopback)) {
        return Err(DownloadError::ForbiddenAddress {
            host: host.to_string(),
            ip: bad.ip(),
        });
    }
    Ok(addrs)
}

/// Downloads provider image URLs under the rules above. Cheap to clone.
#[derive(Clone)]
pub struct SafeDownloader {
    config: DownloadConfig,
    client: Result<reqwest::Client, String>,
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
            && is_forbidden(ip, self.config.allow_loopback)
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
fn transport_error(e: &reqwest::Error) -> DownloadError {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(d) = s.downcast_ref::<DownloadError>() {
            return d.clone();
        }
        src = s.source();
    }
    if e.is_timeout() {
        return DownloadError::Connection("timed out".into());
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

/// Where images are kept: files named by Pressroom (random hex + the detected format's
/// extension), never by provider or user text.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

/// An image saved in the media store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub path: PathBuf,
    /// Relative to the store root: `ab/ab12...ef.png`.
    pub relative: String,
    pub bytes: u64,
    pub sha256: String,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

impl MediaStore {
    pub fn new(root: impl Into<PathBuf>) -> MediaStore {
        MediaStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes the image under a fresh name (two-character fan-out directory) and returns it.
    pub async fn store(&self, image: &VerifiedImage) -> Result<StoredImage, DownloadError> {
        let io = |e: std::io::Error| DownloadError::Io(e.to_string());
        let id = hex::encode(rand::random::<[u8; 16]>());
        let dir = self.root.join(&id[..2]);
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        let name = format!("{id}.{}", image.format.extension());
        let path = dir.join(&name);
        // Write to a temporary name and rename, so a crash never leaves a half file under
        // the final name.
        let tmp = dir.join(format!(".{name}.part"));
        tokio::fs::write(&tmp, &image.bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)?;
        Ok(StoredImage {
            relative: format!("{}/{name}", &id[..2]),
            path,
            bytes: image.bytes.len() as u64,
            sha256: image.sha256.clone(),
            format: image.format,
            width: image.width,
            height: image.height,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forbidden_addresses() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "ff02::1",
        ] {
            assert!(is_forbidden(ip(s), false), "{s} must be forbidden");
        }
        for s in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "1.1.1.1",
        ] {
            assert!(!is_forbidden(ip(s), false), "{s} must be allowed");
        }
        assert!(!is_forbidden(ip("127.0.0.1"), true));
        assert!(!is_forbidden(ip("::1"), true));
        assert!(
            is_forbidden(ip("10.0.0.1"), true),
            "loopback setting allows loopback only"
        );
        assert!(is_forbidden(ip("169.254.169.254"), true));
    }

    #[test]
    fn ipv4_in_ipv6_forms_are_judged_as_their_ipv4_address() {
        for (form, refused) in [
            // IPv4-mapped ::ffff:a.b.c.d
            ("::ffff:127.0.0.1", true),
            ("::ffff:192.168.0.1", true),
            ("::ffff:8.8.8.8", false),
            // IPv4-translated ::ffff:0:a.b.c.d
            ("::ffff:0:127.0.0.1", true),
            ("::ffff:0:10.0.0.1", true),
            ("::ffff:0:169.254.169.254", true),
            ("::ffff:0:100.64.0.1", true),
            ("::ffff:0:8.8.8.8", false),
            // Well-known NAT64 64:ff9b::/96
            ("64:ff9b::127.0.0.1", true),
            ("64:ff9b::169.254.169.254", true),
            ("64:ff9b::192.168.1.1", true),
            ("64:ff9b::8.8.8.8", false),
            // Local-use NAT64 64:ff9b:1::/48: refused whatever it embeds.
            ("64:ff9b:1::8.8.8.8", true),
            ("64:ff9b:1:a00::1", true),
            ("64:ff9b:1:ffff:ffff::", true),
            // IPv4-compatible (deprecated) and 6to4.
            ("::127.0.0.1", true),
            ("2002:7f00:1::", true),
            ("2002:808:808::", false),
        ] {
            assert_eq!(
                is_forbidden(ip(form), false),
                refused,
                "{form} must be {}",
                if refused { "refused" } else { "allowed" }
            );
        }
        // The loopback allowance carries through the embedding, and only loopback does.
        assert!(!is_forbidden(ip("::ffff:0:127.0.0.1"), true));
        assert!(!is_forbidden(ip("64:ff9b::127.0.0.1"), true));
        assert!(is_forbidden(ip("::ffff:0:10.0.0.1"), true));
    }

    #[test]
    fn urls_with_translated_addresses_are_refused_before_connecting() {
        let d = SafeDownloader::new(DownloadConfig::default());
        for u in [
            "http://[::ffff:0:a9fe:a9fe]/latest/meta-data",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[64:ff9b:1::1]/x.png",
        ] {
            let err = d.check_url(&Url::parse(u).unwrap()).unwrap_err();
            assert!(
                matches!(err, DownloadError::ForbiddenAddress { .. }),
                "{u}: {err}"
            );
        }
    }

    /// A valid 1x1 PNG whose IHDR then claims `w`x`h` (with its CRC fixed up, so only the
    /// size is a lie).
    fn png_claiming(w: u32, h: u32) -> Vec<u8> {
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&[0, 0, 0], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        // Signature (8), IHDR length (4), "IHDR" (4): width and height follow.
        png[16..20].copy_from_slice(&w.to_be_bytes());
        png[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    use image::ImageEncoder;

    #[test]
    fn decoding_is_bounded_in_memory() {
        let err = verify_image(png_claiming(100_000, 100_000)).unwrap_err();
        assert!(
            err.to_string().contains("100000x100000") && err.to_string().contains("8192"),
            "{err}"
        );
        // Within the side limit but past the allocation limit: 8000 x 8000 x 4 > 64 MiB.
        let err = verify_image(png_claiming(8000, 8000)).unwrap_err();
        assert!(err.to_string().contains("64 MiB"), "{err}");

        let ok = crate::offline::card::render_title_card(
            &pressroom_domain::ai::ImageSubject {
                image_type: pressroom_domain::ImageType::Featured,
                post_title: "A normal picture".into(),
                site_name: "test".into(),
                colour_seed: 1,
            },
            1024,
            1024,
        )
        .unwrap();
        let img = verify_image(ok).unwrap();
        assert_eq!((img.width, img.height), (1024, 1024));
        assert_eq!(img.format, ImageFormat::Png);
    }

    #[test]
    fn verify_rejects_non_images() {
        assert!(matches!(
            verify_image(b"<html>not an image</html>".to_vec()),
            Err(DownloadError::NotAnImage(_))
        ));
        // A PNG signature with garbage after it is not an image either.
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(&[0u8; 64]);
        assert!(matches!(
            verify_image(fake),
            Err(DownloadError::NotAnImage(_))
        ));
    }
}
