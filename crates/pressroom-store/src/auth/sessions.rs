//! Sign-in sessions: a random cookie value, stored only as its sha256, with a CSRF token.

use super::users::user_from;
use super::{NewSession, SessionUser, random_hex, sha256_hex};
use crate::{Db, Result, now_ms, on_db};
use pressroom_domain::*;

impl Db {
    /// Starts a session for `user` lasting `ttl_ms`.
    pub async fn create_session(&self, user: &User, ttl_ms: i64) -> Result<NewSession> {
        let token = random_hex(32);
        let csrf_token = random_hex(32);
        let now = now_ms();
        let expires_at = now.saturating_add(ttl_ms);
        on_db!(self, p => sqlx::query(
            "INSERT INTO sessions (account_id, user_id, token_sha256, csrf_token, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(user.account_id.get()).bind(user.id.get()).bind(sha256_hex(&token)).bind(&csrf_token)
            .bind(expires_at).bind(now).execute(p).await.map(|_| ()))?;
        Ok(NewSession {
            token,
            csrf_token,
            expires_at,
        })
    }

    /// The unexpired session with this cookie value, if its user and account are active.
    pub async fn session(&self, token: &str) -> Result<Option<SessionUser>> {
        let row: Option<(String, i64, i64, String, String, String, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT s.csrf_token, u.id, u.account_id, u.email, u.role, u.status, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id AND u.account_id = s.account_id
             JOIN accounts a ON a.id = s.account_id
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.status = 'active' AND a.status = 'active'")
            .bind(sha256_hex(token)).bind(now_ms()).fetch_optional(p).await)?;
        row.map(|(csrf_token, a, b, c, d, e, f)| {
            Ok(SessionUser {
                user: user_from((a, b, c, d, e, f))?,
                csrf_token,
            })
        })
        .transpose()
    }

    /// Ends the session with this cookie value (and sweeps expired ones).
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        on_db!(self, p => sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1 OR expires_at <= $2")
            .bind(sha256_hex(token)).bind(now_ms()).execute(p).await.map(|_| ()))?;
        Ok(())
    }
}
