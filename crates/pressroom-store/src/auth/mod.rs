//! Users, sign-in sessions and API tokens, plus what only the web app asks of the store
//! (`web.rs`: a health ping, usage totals, editing content text, an image by its file path).
//!
//! Secrets never reach the database: passwords are argon2id hashes, and session and API
//! tokens are stored as their sha256, so a copy of the database signs nobody in.

mod password;
mod sessions;
mod team;
#[cfg(test)]
mod tests;
mod tokens;
mod users;
mod web;

pub use password::hash_password;

use pressroom_domain::*;
use sha2::{Digest, Sha256};

/// The visible start of every API token, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "prs_";
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A new session: the cookie value (shown to the browser once, stored only as a hash) and the
/// CSRF token that form posts of this session must carry.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: TimestampMs,
}

/// A live session and who it belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub csrf_token: String,
}

/// A new API token: `secret` is the whole token, shown once and never stored.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}
