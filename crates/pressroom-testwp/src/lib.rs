//! A real WordPress for tests and benchmarks, and a small fake one for faults.
//!
//! [`TestWordPress::start`] installs Debian's `wordpress` package into a fresh MariaDB
//! database and serves it with PHP's built-in server on 127.0.0.1; dropping it stops the
//! server and drops the database. [`fake`] is an axum stand-in for the failures a real
//! WordPress will not produce on demand (an answer that never comes, 500s, 429s, meta dropped).

pub mod fake;
mod wordpress;

pub use wordpress::{PostRow, SeoEmulation, TestWordPress, TestWpOptions};

/// What went wrong starting or querying a test WordPress; each says what to install or fix.
#[derive(Debug, thiserror::Error)]
pub enum TestWpError {
    #[error("{0} (CI installs it: apt-get install wordpress php-cli php-mysql mariadb-server)")]
    Missing(String),
    #[error("{step}: {message}")]
    Step { step: &'static str, message: String },
    #[error("{step}: {source}")]
    Io {
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = TestWpError> = std::result::Result<T, E>;
