//! Settings from flags, then environment variables, then a config file, in that order of
//! precedence (SPEC section 6). Flags and environment variables are resolved by clap; the file
//! fills in what neither gave. Then what the settings open, which every command starts from:
//! the database, the pipeline, a named site, an embedded worker.

use crate::exit::Missing;
use anyhow::{Context, bail};
use pressroom_domain::{AccountId, Site};
use pressroom_pipeline::Pipeline;
use pressroom_providers::{DownloadConfig, Providers};
use pressroom_queue::{CancellationToken, WorkerConfig, shutdown_on_signal};
use pressroom_store::{Db, redact};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// Opens the database, applies migrations and returns the local default account.
pub(crate) async fn open(config: &Config) -> anyhow::Result<(Db, AccountId)> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("opening database {}", redact(&config.database_url)))?;
    db.migrate().await?;
    let (account, _) = db.local_default().await?;
    Ok((db, account.id))
}

pub(crate) async fn pipeline(config: &Config) -> anyhow::Result<(Pipeline, AccountId)> {
    let (db, account) = open(config).await?;
    // Loopback downloads are for local test servers (the mock provider); off unless asked.
    let allow_loopback =
        std::env::var("PRESSROOM_ALLOW_LOOPBACK_DOWNLOADS").is_ok_and(|v| v == "1" || v == "true");
    let download = DownloadConfig {
        allow_loopback,
        ..DownloadConfig::default()
    };
    Ok((
        Pipeline::new(db, Providers::from_env(), &config.data_dir, download),
        account,
    ))
}

/// Runs an embedded worker until `done` says so (or Ctrl-C).
pub(crate) async fn work_until<F, Fut>(p: &Pipeline, done: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let stop = CancellationToken::new();
    let worker = pressroom_pipeline::workers::worker(
        p,
        pressroom_pipeline::workers::DEFAULT_IMAGE_CONCURRENCY,
        embedded_config(),
    );
    let handle = tokio::spawn(worker.run(stop.clone()));
    let signal = shutdown_on_signal();
    let result = loop {
        match done().await {
            Ok(true) => break Ok(()),
            Ok(false) => {}
            Err(e) => break Err(e),
        }
        if signal.is_cancelled() {
            break Err(anyhow::anyhow!(
                "interrupted; the work is saved and resumes on the next run"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    stop.cancel();
    handle.await.context("worker task")??;
    result
}

/// Embedded workers use a short lease, so a run killed with its process is picked up again
/// within seconds when the command is repeated.
fn embedded_config() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(200),
        ..WorkerConfig::default().with_lease(Duration::from_secs(10))
    }
}

/// The named site; the local default site is created on first use, others must exist.
pub(crate) async fn find_site(db: &Db, account: AccountId, name: &str) -> anyhow::Result<Site> {
    if name == pressroom_store::LOCAL_SITE_NAME {
        return Ok(db.ensure_site(account, name).await?);
    }
    db.site_by_name(account, name).await?.ok_or_else(|| {
        Missing(format!(
            "no site named {name:?}; create it with `pressroom sites create {name:?}`"
        ))
        .into()
    })
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
