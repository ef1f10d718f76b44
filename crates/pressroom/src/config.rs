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
use pressroom_store::{Db, SecretBox, redact};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const CONFIG_FILE_NAME: &str = "pressroom.toml";
pub const SECRET_KEY_VAR: &str = "PRESSROOM_SECRET_KEY";
pub const SECRET_KEY_FILE: &str = "secret.key";

/// The config file: `--config PATH`, `PRESSROOM_CONFIG`, or `pressroom.toml` in the data directory.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    /// 64 hex characters sealing provider keys and webhook secrets at rest.
    pub secret_key: Option<String>,
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
    /// Where the secret key comes from: `PRESSROOM_SECRET_KEY`, else the file's `secret_key`,
    /// else `<data_dir>/secret.key` (see [`secret_box`]).
    pub secret_key: Option<(&'static str, String)>,
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
        let secret_key = std::env::var(SECRET_KEY_VAR)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(|k| (SECRET_KEY_VAR, k))
            .or(file
                .secret_key
                .map(|k| ("secret_key in the config file", k)));
        Ok(Config {
            data_dir,
            database_url,
            secret_key,
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
    let secrets = secret_box(config)?;
    // A host with another key (a second machine that made its own key file) stops here,
    // before it seals anything the others cannot open.
    db.check_secret_key(&secrets).await??;
    Ok((
        Pipeline::new(db, Providers::from_env(), &config.data_dir, download).with_secrets(secrets),
        account,
    ))
}

/// The key sealing secrets at rest: from the environment or config file, else read from
/// `<data_dir>/secret.key`, which is created (mode 0600) on first use with a note on stderr.
/// A malformed key is an error naming where it came from, never a silent new key: keys sealed
/// under the old one would become unreadable.
pub(crate) fn secret_box(config: &Config) -> anyhow::Result<SecretBox> {
    if let Some((source, key)) = &config.secret_key {
        return SecretBox::from_hex(key).map_err(|e| anyhow::anyhow!("{source}: {e}"));
    }
    let path = config.data_dir.join(SECRET_KEY_FILE);
    let key = match std::fs::read_to_string(&path) {
        Ok(k) => k,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path)?,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    SecretBox::from_hex(&key).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Writes the new key to a private temporary file, then links it into place: a process
/// starting at the same moment sees either no file or the whole key, never an empty one.
fn create_key_file(path: &Path) -> anyhow::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = SecretBox::generate_hex();
    let tmp = dir.join(format!(".{SECRET_KEY_FILE}.{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(format!("{key}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    drop(f);
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            // Through the log, so `--log-format json` keeps stderr all JSON.
            tracing::warn!(
                path = %path.display(),
                "created a secret key for provider keys and webhook secrets; back it up, or set {SECRET_KEY_VAR} to use another"
            );
            Ok(key)
        }
        // Another process created it first: use theirs (complete: it was linked whole).
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
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

    #[test]
    fn the_secret_key_file_is_created_once_private_and_bad_keys_name_their_source() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut c = Config {
            data_dir: dir.path().join("data"),
            database_url: String::new(),
            secret_key: None,
        };
        let first = secret_box(&c).unwrap();
        let path = c.data_dir.join(SECRET_KEY_FILE);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let sealed = first.seal("sk-abc");
        assert_eq!(secret_box(&c).unwrap().open(&sealed).unwrap(), "sk-abc");
        c.secret_key = Some(("secret_key in the config file", "nothex".into()));
        let e = secret_box(&c).unwrap_err().to_string();
        assert!(
            e.contains("secret_key in the config file") && e.contains("64 hex"),
            "{e}"
        );
    }
}
