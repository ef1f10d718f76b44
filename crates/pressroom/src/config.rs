//! Settings from flags, then environment variables, then a config file, in that order of
//! precedence (SPEC section 6). Flags and environment variables are resolved by clap; the file
//! fills in what neither gave.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE_NAME: &str = "pressroom.toml";

/// The config file: `--config PATH`, `PRESSROOM_CONFIG`, or `pressroom.toml` in the data directory.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
}

impl FileConfig {
    /// Loads the file. An explicitly named file must exist; the default one may be absent.
    pub fn load(explicit: Option<&Path>, data_dir: &Path) -> anyhow::Result<FileConfig> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => (data_dir.join(CONFIG_FILE_NAME), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(FileConfig::default());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("reading config file {}", path.display()));
            }
        };
        toml::from_str(&text)
            .with_context(|| format!("config file {} is not valid", path.display()))
    }
}

/// Where the data lives and which database to use.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl Config {
    pub fn resolve(
        data_dir: PathBuf,
        database_url: Option<String>,
        config_file: Option<&Path>,
    ) -> anyhow::Result<Config> {
        if data_dir.as_os_str().is_empty() {
            bail!("--data-dir must not be empty");
        }
        let file = FileConfig::load(config_file, &data_dir)?;
        let database_url = match database_url.or(file.database_url) {
            Some(url) if !url.trim().is_empty() => url,
            _ => format!("sqlite://{}", data_dir.join("pressroom.db").display()),
        };
        Ok(Config {
            data_dir,
            database_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_and_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::resolve(dir.path().to_path_buf(), None, None).unwrap();
        assert!(
            c.database_url.starts_with("sqlite://") && c.database_url.ends_with("pressroom.db")
        );
        std::fs::write(
            dir.path().join(CONFIG_FILE_NAME),
            "database_url = \"postgres://file@h/db\"\n",
        )
        .unwrap();
        let c = Config::resolve(dir.path().to_path_buf(), None, None).unwrap();
        assert_eq!(c.database_url, "postgres://file@h/db");
        let c = Config::resolve(
            dir.path().to_path_buf(),
            Some("postgres://flag@h/db".into()),
            None,
        )
        .unwrap();
        assert_eq!(c.database_url, "postgres://flag@h/db");
        std::fs::write(dir.path().join(CONFIG_FILE_NAME), "databse_url = 1\n").unwrap();
        let err = Config::resolve(dir.path().to_path_buf(), None, None).unwrap_err();
        assert!(format!("{err:#}").contains("databse_url"), "{err:#}");
        assert!(
            Config::resolve(
                dir.path().to_path_buf(),
                None,
                Some(&dir.path().join("missing.toml"))
            )
            .is_err()
        );
    }
}
