//! Image bytes checked before anything keeps them: decoded fully under size limits, with
//! their format, dimensions and sha256.

use crate::error::DownloadError;
use sha2::{Digest, Sha256};

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
