//! The export's files on disk: atomic writes, and the manifest that says which files are the
//! export's own, so a re-export overwrites and removes only those.
//!
//! The rule for a path the export wants to write:
//! - not there: written;
//! - there with the very bytes it would write: kept as is and counted as the export's (this
//!   also adopts the files of an export that crashed before its manifest was saved);
//! - there, listed in the old manifest and unchanged since: overwritten;
//! - there, listed, but edited since (its hash differs): the person's edit wins; the file is
//!   left alone, reported, and from then on it is theirs (off the manifest);
//! - there and never the export's: left alone and reported as a conflict.
//!
//! Files of the old manifest the new export does not write are deleted if unchanged, kept and
//! reported if edited; nothing outside the manifest is ever deleted.

use super::{ExportError, ExportReport};
use pressroom_domain::export::{ExportFormat, MANIFEST_FILE};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub version: u32,
    pub format: Option<ExportFormat>,
    /// Relative path (`/`-separated) -> lower-case hex sha256 of the bytes written.
    pub files: BTreeMap<String, String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A manifest path as a path under the output directory; `None` for anything that is not
/// plain relative components (a tampered manifest must not make us delete elsewhere).
pub(super) fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel_path = Path::new(rel);
    if rel.is_empty()
        || !rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    Some(root.join(rel_path))
}

async fn hash_of(path: &Path) -> Option<String> {
    tokio::fs::read(path).await.ok().map(|b| sha256_hex(&b))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// a reader (or a crash) never sees half a file.
async fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let io = |e: std::io::Error| ExportError::io(path, e);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
    }
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    if let Err(e) = tokio::fs::write(&tmp, bytes).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io(e));
    }
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io(e));
    }
    Ok(())
}

/// Checks the output directory (creating it) and that a file can be written in it.
pub(super) async fn prepare_out_dir(out: &Path) -> Result<(), ExportError> {
    let bad = |reason: String| ExportError::OutDir {
        path: out.to_path_buf(),
        reason,
    };
    match tokio::fs::metadata(out).await {
        Ok(m) if !m.is_dir() => return Err(bad("it is a file, not a directory".into())),
        Ok(_) => {}
        Err(_) => tokio::fs::create_dir_all(out)
            .await
            .map_err(|e| bad(format!("cannot create it: {e}")))?,
    }
    let probe = out.join(format!(".pressroom-export.{}.probe", std::process::id()));
    tokio::fs::write(&probe, b"")
        .await
        .map_err(|e| bad(format!("cannot write in it: {e}")))?;
    let _ = tokio::fs::remove_file(&probe).await;
    Ok(())
}

/// Writes the export's files under one output directory, by the rule above.
pub(super) struct Writer {
    root: PathBuf,
    old: Manifest,
    new: Manifest,
}

impl Writer {
    /// Reads the old manifest, if any. An unreadable one is refused rather than guessed at:
    /// without it nothing can be told apart from a person's files.
    pub async fn open(root: &Path, format: ExportFormat) -> Result<Writer, ExportError> {
        let path = root.join(MANIFEST_FILE);
        let old = match tokio::fs::read(&path).await {
            Ok(bytes) => {
                serde_json::from_slice::<Manifest>(&bytes).map_err(|e| ExportError::Manifest {
                    path: path.clone(),
                    reason: e.to_string(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
            Err(e) => return Err(ExportError::io(&path, e)),
        };
        Ok(Writer {
            root: root.to_path_buf(),
            old,
            new: Manifest {
                version: 1,
                format: Some(format),
                files: BTreeMap::new(),
            },
        })
    }

    /// Writes one file of the export (`rel` is `/`-separated, made by the domain's layout).
    pub async fn write(
        &mut self,
        rel: &str,
        bytes: &[u8],
        report: &mut ExportReport,
    ) -> Result<(), ExportError> {
        let path = safe_join(&self.root, rel).ok_or_else(|| ExportError::Manifest {
            path: self.root.join(rel),
            reason: "not a plain relative path".into(),
        })?;
        let hash = sha256_hex(bytes);
        if let Some(on_disk) = hash_of(&path).await {
            if on_disk == hash {
                report.files_unchanged += 1;
                self.new.files.insert(rel.to_string(), hash);
                return Ok(());
            }
            match self.old.files.get(rel) {
                Some(ours) if *ours == on_disk => {}
                Some(_) => {
                    report.kept_edited.push(rel.to_string());
                    return Ok(());
                }
                None => {
                    report.conflicts.push(rel.to_string());
                    return Ok(());
                }
            }
        }
        write_atomic(&path, bytes).await?;
        report.files_written += 1;
        self.new.files.insert(rel.to_string(), hash);
        Ok(())
    }

    /// Removes the old export's files this one did not write (unchanged ones only), then
    /// saves the new manifest.
    pub async fn finish(self, report: &mut ExportReport) -> Result<(), ExportError> {
        for (rel, hash) in &self.old.files {
            if self.new.files.contains_key(rel) || report.kept_edited.contains(rel) {
                continue;
            }
            let Some(path) = safe_join(&self.root, rel) else {
                continue;
            };
            match hash_of(&path).await {
                None => {}
                Some(h) if h == *hash => {
                    tokio::fs::remove_file(&path)
                        .await
                        .map_err(|e| ExportError::io(&path, e))?;
                    report.removed.push(rel.clone());
                    self.remove_empty_dirs(&path).await;
                }
                Some(_) => report.kept_edited.push(rel.clone()),
            }
        }
        let manifest = serde_json::to_vec_pretty(&self.new).map_err(|e| ExportError::Manifest {
            path: self.root.join(MANIFEST_FILE),
            reason: e.to_string(),
        })?;
        write_atomic(&self.root.join(MANIFEST_FILE), &manifest).await
    }

    /// Directories left empty by a removal, up to (not including) the output directory.
    /// `remove_dir` only removes empty ones, so a person's files keep theirs.
    async fn remove_empty_dirs(&self, file: &Path) {
        let mut dir = file.parent();
        while let Some(d) = dir {
            if d == self.root || !d.starts_with(&self.root) {
                break;
            }
            if tokio::fs::remove_dir(d).await.is_err() {
                break;
            }
            dir = d.parent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_joined() {
        let root = Path::new("/out");
        assert_eq!(
            safe_join(root, "a/b.md"),
            Some(PathBuf::from("/out/a/b.md"))
        );
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./a"] {
            assert_eq!(safe_join(root, bad), None, "{bad}");
        }
    }
}
