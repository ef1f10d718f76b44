//! The media store: image files named by Pressroom, never by provider or user text.

use super::verify::{ImageFormat, VerifiedImage};
use crate::error::DownloadError;
use std::path::{Path, PathBuf};

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

    /// The bytes of a stored image, by the relative name [`MediaStore::store`] gave it. A name
    /// that is not one of ours (`..`, absolute, other characters) is refused, never read.
    pub async fn read(&self, relative: &str) -> Result<Vec<u8>, DownloadError> {
        let ours = relative.split('/').count() == 2
            && relative
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '.')
            && !relative.contains("..")
            && !relative.starts_with('/');
        if !ours {
            return Err(DownloadError::Io(format!(
                "{relative:?} is not a media file name"
            )));
        }
        tokio::fs::read(self.root.join(relative))
            .await
            .map_err(|e| DownloadError::Io(format!("media file {relative}: {e}")))
    }
}
