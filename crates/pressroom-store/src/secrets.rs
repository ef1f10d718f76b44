//! Sealing secrets at rest (provider keys, webhook secrets) with XChaCha20-Poly1305 under one
//! 32-byte key that lives outside the database (environment or config file). What is stored
//! is `hex(nonce || ciphertext)`: a database dump alone reveals no secret, and a sealed value
//! altered or sealed under another key fails to open instead of decrypting to garbage.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use thiserror::Error;

const NONCE_LEN: usize = 24;
/// What `secret_check` holds, sealed.
const CHECK_TEXT: &str = "pressroom secret key check";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "the secret key must be 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`"
    )]
    BadKey,
    #[error(
        "no secret key is configured: set PRESSROOM_SECRET_KEY (64 hex characters) to store provider keys and webhook secrets"
    )]
    NoKey,
    #[error(
        "a stored secret could not be opened: it was sealed under another secret key or altered"
    )]
    CannotOpen,
    #[error(
        "this process's secret key is not the one this database's provider keys and webhook secrets are sealed with: give every process that key (PRESSROOM_SECRET_KEY, or secret_key in pressroom.toml)"
    )]
    KeyMismatch,
}

/// The process's sealing key. `Debug` never prints it.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    /// From 64 hex characters.
    pub fn from_hex(key: &str) -> Result<SecretBox, SecretError> {
        let bytes = hex::decode(key.trim()).map_err(|_| SecretError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SecretError::BadKey);
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| SecretError::BadKey)?;
        Ok(SecretBox { cipher })
    }

    /// A new random key as 64 hex characters.
    pub fn generate_hex() -> String {
        hex::encode(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    /// Seals `plain` under a fresh random nonce.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption fails only for inputs over ~256 GiB; a key or secret never is.
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        hex::encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let bytes = hex::decode(sealed).map_err(|_| SecretError::CannotOpen)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SecretError::CannotOpen);
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SecretError::CannotOpen)?;
        let plain = self
            .cipher
            .decrypt(&XNonce::from(nonce), body)
            .map_err(|_| SecretError::CannotOpen)?;
        String::from_utf8(plain).map_err(|_| SecretError::CannotOpen)
    }
}

impl crate::Db {
    /// Checks `secrets` against the database's check value, recording it first when the
    /// database has none (the first process with a key sets it). `KeyMismatch` when this
    /// process's key is another.
    pub async fn check_secret_key(
        &self,
        secrets: &SecretBox,
    ) -> crate::Result<Result<(), SecretError>> {
        // Every process start reads; only the first ever writes (two first ones racing keep
        // one row, and the loser reads the winner's).
        let stored = match self.secret_check().await? {
            Some(stored) => stored,
            None => {
                crate::on_db!(self, p => sqlx::query(
                    "INSERT INTO secret_check (id, sealed, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
                    .bind(secrets.seal(CHECK_TEXT)).bind(crate::now_ms()).execute(p).await.map(|_| ()))?;
                self.secret_check()
                    .await?
                    .ok_or_else(|| crate::StoreError::Corrupt {
                        what: "secret_check",
                        detail: "no row after inserting one".into(),
                    })?
            }
        };
        Ok(match secrets.open(&stored) {
            Ok(text) if text == CHECK_TEXT => Ok(()),
            _ => Err(SecretError::KeyMismatch),
        })
    }

    async fn secret_check(&self) -> crate::Result<Option<String>> {
        Ok(crate::on_db!(self, p => sqlx::query_scalar(
            "SELECT sealed FROM secret_check WHERE id = 1").fetch_optional(p).await)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_and_refuses_other_keys_and_tampering() {
        let k = SecretBox::from_hex(&SecretBox::generate_hex()).unwrap();
        let sealed = k.seal("sk-live-123456");
        assert!(!sealed.contains("sk-live"));
        assert_ne!(sealed, k.seal("sk-live-123456"), "a fresh nonce each time");
        assert_eq!(k.open(&sealed).unwrap(), "sk-live-123456");
        let other = SecretBox::from_hex(&SecretBox::generate_hex()).unwrap();
        assert_eq!(other.open(&sealed), Err(SecretError::CannotOpen));
        let mut tampered = sealed.clone();
        let last = if tampered.ends_with('0') { "1" } else { "0" };
        tampered.replace_range(tampered.len() - 1.., last);
        assert_eq!(k.open(&tampered), Err(SecretError::CannotOpen));
        assert_eq!(SecretBox::from_hex("abc").err(), Some(SecretError::BadKey));
        assert!(format!("{k:?}").len() < 20);
    }
}
