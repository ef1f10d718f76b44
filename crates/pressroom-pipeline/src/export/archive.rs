//! An export's own files (those its manifest lists) as one zip, written beside its final
//! name and renamed, read one file at a time. Pictures are stored as they are (already
//! compressed); text is deflated.

use super::files::{Manifest, safe_join};
use super::{ExportError, Result};
use pressroom_domain::export::MANIFEST_FILE;
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// Zips the files of the export in `out_dir` into `zip_path`; returns how many.
pub async fn zip_export(out_dir: &Path, zip_path: &Path) -> Result<usize> {
    let manifest_path = out_dir.join(MANIFEST_FILE);
    let bytes = tokio::fs::read(&manifest_path)
        .await
        .map_err(|e| ExportError::io(&manifest_path, e))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| ExportError::Manifest {
        path: manifest_path.clone(),
        reason: e.to_string(),
    })?;
    let (out_dir, zip_path) = (out_dir.to_path_buf(), zip_path.to_path_buf());
    // The zip writer is blocking I/O: off the async threads.
    tokio::task::spawn_blocking(move || write_zip(&out_dir, &zip_path, &manifest))
        .await
        .map_err(|e| ExportError::Pipeline(crate::PipelineError::Internal(e.to_string())))?
}

fn write_zip(out_dir: &Path, zip_path: &Path, manifest: &Manifest) -> Result<usize> {
    let name = zip_path
        .file_name()
        .map_or_else(|| "export.zip".into(), |n| n.to_string_lossy().into_owned());
    let tmp: PathBuf = zip_path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |e: std::io::Error| ExportError::io(&p, e)
        };
        let zip_err =
            |e: zip::result::ZipError| ExportError::io(zip_path, std::io::Error::other(e));
        let file = std::fs::File::create(&tmp).map_err(io(zip_path))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let mut count = 0;
        for rel in manifest.files.keys() {
            let Some(path) = safe_join(out_dir, rel) else {
                continue;
            };
            let stored = matches!(
                Path::new(rel).extension().and_then(|e| e.to_str()),
                Some("png" | "jpg" | "jpeg" | "webp" | "gif")
            );
            let method = if stored {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .unix_permissions(0o644);
            let mut src = std::fs::File::open(&path).map_err(io(&path))?;
            zip.start_file(rel.as_str(), options).map_err(zip_err)?;
            std::io::copy(&mut src, &mut zip).map_err(io(&path))?;
            count += 1;
        }
        let mut inner = zip.finish().map_err(zip_err)?;
        inner.flush().map_err(io(zip_path))?;
        Ok(count)
    })();
    match result {
        Ok(count) => {
            std::fs::rename(&tmp, zip_path).map_err(|e| ExportError::io(zip_path, e))?;
            Ok(count)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
