//! Team and provider-key actions, shared by the API and the pages: only owners manage them
//! (anyone signed in may read). Invites and resets generate the password here and hand it
//! back once; the owner passes it on, the store keeps only its hash.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use pressroom_domain::{ProviderKeyId, Role, Status, User, UserId, UserStatus};
use pressroom_store::ProviderKeyInfo;
use rand::Rng;

/// Letters and digits without look-alikes (0/O, 1/l/I), for passwords read off a screen.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const GENERATED_PASSWORD_CHARS: usize = 20;

/// 20 characters of a 56-letter alphabet: about 116 bits.
pub fn generate_password() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_PASSWORD_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn parse_role(role: Option<&str>) -> ApiResult<Role> {
    Role::parse(role.unwrap_or("viewer").trim())
        .map_err(|_| ApiError::invalid("role: use owner, editor or viewer"))
}

/// Creates a user of the caller's account with a generated password: `(user, password)`.
pub async fn invite(
    s: &AppState,
    c: &Caller,
    email: &str,
    role: Option<&str>,
) -> ApiResult<(User, String)> {
    c.require_owner()?;
    let role = parse_role(role)?;
    let password = generate_password();
    let user = s
        .pipeline
        .db()
        .create_user(c.account(), email, &password, role)
        .await?;
    Ok((user, password))
}

/// Changes a user's role and/or status; the store refuses to leave no active owner.
pub async fn update(
    s: &AppState,
    c: &Caller,
    id: UserId,
    role: Option<&str>,
    status: Option<&str>,
) -> ApiResult<User> {
    c.require_owner()?;
    if role.is_none() && status.is_none() {
        return Err(ApiError::invalid("give role, status or both"));
    }
    let role = role.map(|r| parse_role(Some(r))).transpose()?;
    let status = status
        .map(|st| {
            UserStatus::parse(st.trim())
                .map_err(|_| ApiError::invalid("status: use active or disabled"))
        })
        .transpose()?;
    // Both in one transaction: a refused status never leaves a changed role behind.
    Ok(s.pipeline
        .db()
        .update_user(c.account(), id, role, status)
        .await?)
}

/// Gives a user a new generated password (their sessions end): `(user, password)`.
pub async fn reset_password(s: &AppState, c: &Caller, id: UserId) -> ApiResult<(User, String)> {
    c.require_owner()?;
    let password = generate_password();
    let user = s
        .pipeline
        .db()
        .reset_password(c.account(), id, &password)
        .await?;
    Ok((user, password))
}

pub async fn add_key(
    s: &AppState,
    c: &Caller,
    name: &str,
    provider: &str,
    key: &str,
) -> ApiResult<ProviderKeyInfo> {
    c.require_owner()?;
    Ok(pressroom_pipeline::keys::add_key(&s.pipeline, c.account(), name, provider, key).await?)
}

pub async fn remove_key(s: &AppState, c: &Caller, id: ProviderKeyId) -> ApiResult<ProviderKeyInfo> {
    c.require_owner()?;
    Ok(pressroom_pipeline::keys::remove_key(&s.pipeline, c.account(), id).await?)
}
