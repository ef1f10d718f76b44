//! One WordPress instance: a directory of symlinks to /usr/share/wordpress with our own
//! wp-config.php, router and wp-content, a MariaDB database of its own, and `php -S`.

use crate::{Result, TestWpError};
use rand::Rng;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WORDPRESS: &str = "/usr/share/wordpress";
const DB_HOST: &str = "127.0.0.1";
const DB_PORT: &str = "3306";

const WP_CONFIG: &str = include_str!("../php/wp-config.php");
const ROUTER: &str = include_str!("../php/router.php");
const INSTALL: &str = include_str!("../php/install.php");
const EVAL: &str = include_str!("../php/eval.php");
const DB: &str = include_str!("../php/db.php");
const SEO_PLUGIN: &str = include_str!("../php/seo-plugin.php");
const THEME_STYLE: &str = include_str!("../php/theme/style.css");
const THEME_FUNCTIONS: &str = include_str!("../php/theme/functions.php");
const THEME_INDEX: &str = include_str!("../php/theme/index.php");

/// Which SEO plugin the site appears to run (our must-use plugin registers the same
/// routes and meta keys as the real one), so each writer and the detection can be tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeoEmulation {
    #[default]
    None,
    RankMath,
    Yoast,
    /// Both namespaces in the route index, as on a site mid-migration.
    Both,
}

#[derive(Debug, Clone, Default)]
pub struct TestWpOptions {
    pub seo: SeoEmulation,
}

/// A post as stored in the database, for assertions that do not trust the REST API.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PostRow {
    #[serde(rename = "ID", deserialize_with = "number")]
    pub id: u64,
    #[serde(rename = "post_name")]
    pub slug: String,
    #[serde(rename = "post_title")]
    pub title: String,
    #[serde(rename = "post_status")]
    pub status: String,
    #[serde(rename = "post_content")]
    pub content: String,
}

/// mysqli returns every column as a string.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<u64, D::Error> {
    let s: String = serde::Deserialize::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

pub struct TestWordPress {
    pub base_url: String,
    pub admin_user: String,
    pub admin_id: u64,
    pub app_password: String,
    /// A contributor (no publish_posts, no upload_files) with its own application password.
    pub writer_user: String,
    pub writer_password: String,
    pub install_time: Duration,
    db_name: String,
    root: PathBuf,
    server: Child,
    // Last: removed after the server has stopped.
    _dir: tempfile::TempDir,
}

#[derive(serde::Deserialize)]
struct Installed {
    admin_id: u64,
    admin_password: String,
    writer_password: String,
}

impl TestWordPress {
    /// Installs and serves a fresh site; takes a few seconds (most of it `wp_install()`).
    pub fn start(options: TestWpOptions) -> Result<TestWordPress> {
        let started = Instant::now();
        preflight()?;
        let dir = tempfile::tempdir().map_err(io("temp dir"))?;
        let root = dir.path().join("site");
        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let db_name = format!("pressroom_wp_{:016x}", rand::rng().random::<u64>());
        lay_out(&root, &base_url, &db_name, options.seo)?;
        php(
            &root,
            &["db.php", DB_HOST, DB_PORT, "create", &db_name],
            None,
            "create database",
        )?;
        // From here on the database exists: a failure must still drop it.
        let mut guard = DropDb(Some(db_name.clone()), root.clone());
        let out = php(
            &root,
            &["install.php", path_str(&root)?, &base_url],
            None,
            "wp_install()",
        )?;
        let installed: Installed = serde_json::from_str(&out).map_err(|e| TestWpError::Step {
            step: "wp_install() output",
            message: format!("{e}: {out}"),
        })?;
        let log = std::fs::File::create(dir.path().join("server.log")).map_err(io("server log"))?;
        let server = Command::new("php")
            .args(["-S", &format!("127.0.0.1:{port}"), "-t", path_str(&root)?])
            .args(["-d", "upload_max_filesize=64M", "-d", "post_max_size=64M"])
            .args(["-d", "memory_limit=512M", "-d", "display_errors=0"])
            .arg(root.join("router.php"))
            .env("PHP_CLI_SERVER_WORKERS", "4")
            // Its own process group: the workers are the server's children, and killing the
            // server alone would leave them listening.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(io("php -S"))?;
        guard.0 = None;
        let mut wp = TestWordPress {
            base_url,
            admin_user: "admin".into(),
            admin_id: installed.admin_id,
            app_password: installed.admin_password,
            writer_user: "writer".into(),
            writer_password: installed.writer_password,
            install_time: Duration::ZERO,
            db_name,
            root,
            server,
            _dir: dir,
        };
        // The first request builds the rewrite rules; make it before any test's requests.
        wait_for_http(port, "/wp-json/")?;
        wp.install_time = started.elapsed();
        Ok(wp)
    }

    /// Rows of a SQL query against this site's database (tables are `wp_*`).
    pub fn query(&self, sql: &str) -> Result<Vec<serde_json::Value>> {
        let out = php(
            &self.root,
            &["db.php", DB_HOST, DB_PORT, "query", &self.db_name, sql],
            None,
            "query",
        )?;
        serde_json::from_str(&out).map_err(|e| TestWpError::Step {
            step: "query output",
            message: e.to_string(),
        })
    }

    /// Posts (type `post`) with this status (`publish`, `draft`, `trash`, ...).
    pub fn post_count(&self, status: &str) -> Result<usize> {
        Ok(self.posts()?.iter().filter(|p| p.status == status).count())
    }

    /// Every post of type `post` except auto-drafts, oldest first.
    pub fn posts(&self) -> Result<Vec<PostRow>> {
        let rows = self.query(
            "SELECT ID, post_name, post_title, post_status, post_content FROM wp_posts \
             WHERE post_type = 'post' AND post_status <> 'auto-draft' ORDER BY ID",
        )?;
        rows.into_iter()
            .map(serde_json::from_value)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| TestWpError::Step {
                step: "posts",
                message: e.to_string(),
            })
    }

    /// Attachments in the media library.
    pub fn media_count(&self) -> Result<usize> {
        let rows =
            self.query("SELECT COUNT(*) AS n FROM wp_posts WHERE post_type = 'attachment'")?;
        Ok(rows
            .first()
            .and_then(|r| r["n"].as_str())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }

    /// A post's single meta value, if set.
    pub fn post_meta(&self, post_id: u64, key: &str) -> Result<Option<String>> {
        let code = format!(
            "$v = get_post_meta({post_id}, {}, false); echo json_encode($v ? $v[0] : null);",
            php_string(key)
        );
        let out = self.eval(&code)?;
        serde_json::from_str(&out).map_err(|e| TestWpError::Step {
            step: "post meta",
            message: e.to_string(),
        })
    }

    /// Adds a must-use plugin (PHP source, `<?php` included); it runs from the next request.
    pub fn add_mu_plugin(&self, name: &str, php_source: &str) -> Result<()> {
        let path = self
            .root
            .join("wp-content/mu-plugins")
            .join(format!("{name}.php"));
        std::fs::write(path, php_source).map_err(io("write mu-plugin"))
    }

    /// Runs PHP code inside this WordPress (loaded, no user logged in); returns what it echoed.
    pub fn eval(&self, code: &str) -> Result<String> {
        php(
            &self.root,
            &["eval.php", path_str(&self.root)?, &self.base_url],
            Some(code),
            "eval",
        )
    }
}

impl Drop for TestWordPress {
    fn drop(&mut self) {
        // Best effort: a test that already failed should report its own error, not ours.
        let group = format!("-{}", self.server.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.server.wait();
        drop_database(&self.root, &self.db_name);
    }
}

struct DropDb(Option<String>, PathBuf);

impl Drop for DropDb {
    fn drop(&mut self) {
        if let Some(db) = &self.0 {
            drop_database(&self.1, db);
        }
    }
}

fn drop_database(root: &Path, db: &str) {
    let _ = php(
        root,
        &["db.php", DB_HOST, DB_PORT, "drop", db],
        None,
        "drop database",
    );
}

fn preflight() -> Result<()> {
    if !Path::new(WORDPRESS).join("wp-settings.php").exists() {
        return Err(TestWpError::Missing(format!(
            "WordPress is not installed at {WORDPRESS}"
        )));
    }
    let php = Command::new("php")
        .args(["-r", "exit(extension_loaded('mysqli') ? 0 : 3);"])
        .status();
    match php {
        Ok(s) if s.success() => {}
        Ok(_) => {
            return Err(TestWpError::Missing(
                "PHP has no mysqli extension (php-mysql)".into(),
            ));
        }
        Err(_) => {
            return Err(TestWpError::Missing(
                "`php` is not on PATH (php-cli)".into(),
            ));
        }
    }
    if TcpStream::connect_timeout(
        &"127.0.0.1:3306".parse().map_err(|_| bad("addr"))?,
        Duration::from_secs(2),
    )
    .is_err()
    {
        return Err(TestWpError::Missing(
            "MariaDB is not listening on 127.0.0.1:3306 (root, no password)".into(),
        ));
    }
    Ok(())
}

fn bad(step: &'static str) -> TestWpError {
    TestWpError::Step {
        step,
        message: "invalid".into(),
    }
}

/// The site directory: WordPress's files as symlinks, our config, router, theme and plugin.
fn lay_out(root: &Path, url: &str, db: &str, seo: SeoEmulation) -> Result<()> {
    let content = root.join("wp-content");
    let theme = content.join("themes/pressroom-test");
    for d in [
        &theme,
        &content.join("mu-plugins"),
        &content.join("uploads"),
    ] {
        std::fs::create_dir_all(d).map_err(io("site dirs"))?;
    }
    for entry in std::fs::read_dir(WORDPRESS).map_err(io("read /usr/share/wordpress"))? {
        let entry = entry.map_err(io("read /usr/share/wordpress"))?;
        let name = entry.file_name();
        if name == "wp-config.php" || name == "wp-content" {
            continue;
        }
        std::os::unix::fs::symlink(entry.path(), root.join(&name)).map_err(io("symlink"))?;
    }
    let salt: String = (0..48)
        .map(|_| rand::rng().sample(rand::distr::Alphanumeric) as char)
        .collect();
    let config = WP_CONFIG
        .replace("@DB_NAME@", db)
        .replace("@DB_HOST@", &format!("{DB_HOST}:{DB_PORT}"))
        .replace("@URL@", url)
        .replace("@CONTENT@", path_str(&content)?)
        .replace("@SALT@", &salt);
    let files: [(PathBuf, &str); 8] = [
        (root.join("wp-config.php"), &config),
        (root.join("router.php"), ROUTER),
        (root.join("install.php"), INSTALL),
        (root.join("eval.php"), EVAL),
        (root.join("db.php"), DB),
        (theme.join("style.css"), THEME_STYLE),
        (theme.join("functions.php"), THEME_FUNCTIONS),
        (theme.join("index.php"), THEME_INDEX),
    ];
    for (path, text) in files {
        std::fs::write(path, text).map_err(io("write site files"))?;
    }
    let mode = match seo {
        SeoEmulation::None => None,
        SeoEmulation::RankMath => Some("rankmath"),
        SeoEmulation::Yoast => Some("yoast"),
        SeoEmulation::Both => Some("both"),
    };
    if let Some(mode) = mode {
        let plugin = SEO_PLUGIN.replace("@MODE@", mode);
        std::fs::write(content.join("mu-plugins/pressroom-seo.php"), plugin)
            .map_err(io("seo plugin"))?;
    }
    Ok(())
}

/// Runs one of our PHP scripts from the site directory; stdout on success.
fn php(root: &Path, args: &[&str], stdin: Option<&str>, step: &'static str) -> Result<String> {
    let mut child = Command::new("php")
        .args(["-d", "display_errors=stderr"])
        .args(args)
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io(step))?;
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.unwrap_or("").as_bytes())
            .map_err(io(step))?;
    }
    let out = child.wait_with_output().map_err(io(step))?;
    if !out.status.success() {
        return Err(TestWpError::Step {
            step,
            message: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("free port"))?;
    Ok(listener.local_addr().map_err(io("free port"))?.port())
}

/// Waits until the server answers a GET with a status line.
fn wait_for_http(port: u16, path: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
            let mut head = [0u8; 12];
            if s.write_all(req.as_bytes()).is_ok()
                && s.read_exact(&mut head).is_ok()
                && head.starts_with(b"HTTP/")
            {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(TestWpError::Step {
                step: "php -S",
                message: format!("no answer on 127.0.0.1:{port} after 15 s"),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().ok_or_else(|| bad("non-UTF-8 temp path"))
}

fn php_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn io(step: &'static str) -> impl Fn(std::io::Error) -> TestWpError {
    move |source| TestWpError::Io { step, source }
}
