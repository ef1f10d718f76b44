//! Password hashing: argon2id, off the async threads and under a process-wide limit.

use super::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::{Result, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use pressroom_domain::*;

/// Argon2 hashes computed at once in this process: each takes ~19 MiB and a core for tens of
/// milliseconds, so a flood of sign-ins queues here instead of pinning every CPU.
pub const HASH_CONCURRENCY: usize = 2;

static HASH_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASH_CONCURRENCY);

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline (19 MiB, 2 passes); `Params::new` only fails on values
    // outside argon2's ranges, which these constants are not.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password: 12 to 1024 characters, not only whitespace.
fn check_new_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(DomainError::OutOfRange {
            field: "password length",
            min: MIN_PASSWORD_CHARS as i64,
            max: MAX_PASSWORD_CHARS as i64,
        }
        .into());
    }
    if password.trim().is_empty() {
        return Err(DomainError::InvalidValue {
            field: "password (it is only whitespace)",
            value: String::new(),
        }
        .into());
    }
    Ok(())
}

/// Runs `work` on the blocking pool once one of the [`HASH_CONCURRENCY`] slots is free.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    // The semaphore is never closed, so acquiring only waits.
    let _slot = HASH_SLOTS
        .acquire()
        .await
        .map_err(|e| StoreError::Io(format!("password hashing slots: {e}")))?;
    let _in = InFlight::enter();
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Io(format!("password hashing task failed: {e}")))
}

/// Counts hashes running now and the most ever seen at once, so tests can check the limit.
static HASHING_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

static HASHING_PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

struct InFlight;

impl InFlight {
    fn enter() -> InFlight {
        use std::sync::atomic::Ordering::SeqCst;
        let now = HASHING_NOW.fetch_add(1, SeqCst) + 1;
        HASHING_PEAK.fetch_max(now, SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        HASHING_NOW.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The most password hashes this process has run at the same time (never above
/// [`HASH_CONCURRENCY`]).
#[cfg(test)]
pub(super) fn peak_concurrent_hashes() -> usize {
    HASHING_PEAK.load(std::sync::atomic::Ordering::SeqCst)
}

/// An argon2id PHC string for `password`, computed off the async threads (it is slow on
/// purpose) and under the process's hashing limit.
pub async fn hash_password(password: &str) -> Result<String> {
    check_new_password(password)?;
    let password = password.to_string();
    hashing(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| StoreError::Io(format!("password salt: {e}")))?;
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Io(format!("hashing the password failed: {e}")))
    })
    .await?
}

pub(super) async fn verify_hash(hash: String, password: String) -> bool {
    hashing(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}
