//! Bodies of the team and provider-key endpoints. No response here has a field for a
//! provider key: only its last four characters (`hint`) ever leave the server.

use pressroom_domain::User;
use pressroom_store::ProviderKeyInfo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProviderKeyDto {
    pub id: i64,
    pub name: String,
    /// `openai` or `runware`.
    pub provider: String,
    /// The key's last four characters.
    pub hint: String,
    pub created_at: i64,
    /// Sites whose `text_key` or `image_key` names this key.
    pub used_by: Vec<String>,
}

impl From<ProviderKeyInfo> for ProviderKeyDto {
    fn from(k: ProviderKeyInfo) -> ProviderKeyDto {
        ProviderKeyDto {
            id: k.id.get(),
            name: k.name,
            provider: k.provider,
            hint: k.hint,
            created_at: k.created_at,
            used_by: k.used_by,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewKeyBody {
    /// Unique in the account; sites name it in `text_key` / `image_key`.
    pub name: String,
    /// `openai` or `runware`.
    pub provider: String,
    /// The provider's API key; stored sealed and never returned.
    pub key: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub email: String,
    /// owner, editor or viewer.
    pub role: String,
    /// active or disabled.
    pub status: String,
    pub created_at: i64,
}

impl From<User> for UserDto {
    fn from(u: User) -> UserDto {
        UserDto {
            id: u.id.get(),
            email: u.email,
            role: u.role.to_string(),
            status: u.status.to_string(),
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    pub email: String,
    /// owner, editor or viewer (default viewer).
    pub role: Option<String>,
}

/// A user and the one-time password generated for them, shown only in this answer.
#[derive(Serialize, ToSchema)]
pub struct UserPasswordDto {
    pub user: UserDto,
    pub password: String,
}

/// A partial update: give `role`, `status` (active|disabled), or both.
#[derive(Deserialize, ToSchema)]
pub struct UserPatchBody {
    pub role: Option<String>,
    pub status: Option<String>,
}
