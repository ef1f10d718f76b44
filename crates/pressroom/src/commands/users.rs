//! `pressroom users create|list|disable|enable|role|reset-password` and `pressroom tokens create|list|revoke`.

use crate::config::{Config, open};
use crate::exit::Exit;
use crate::output::Out;
use crate::{TokensCommand, UsersCommand};
use anyhow::Context;
use pressroom_domain::*;
use serde_json::json;
use std::io::Write;

pub(super) async fn users(config: &Config, out: &Out, cmd: UsersCommand) -> anyhow::Result<Exit> {
    let (db, local) = open(config).await?;
    match cmd {
        UsersCommand::Create {
            email,
            role,
            new_account,
        } => {
            let role = Role::parse(&role)?;
            let account = match new_account {
                Some(name) => {
                    db.create_account(&name, pressroom_store::LOCAL_STARTING_CREDITS)
                        .await?
                        .id
                }
                None => local,
            };
            let password = read_password()?;
            let user = db.create_user(account, &email, &password, role).await?;
            out.emit(
                || {
                    format!(
                        "user {} ({}) created in account {}; sign in with `pressroom serve`",
                        user.email, user.role, user.account_id
                    )
                },
                json!({"user": user}),
            );
        }
        UsersCommand::List { email } => {
            let account = match email {
                Some(e) => db.user_by_email(&e).await?.account_id,
                None => local,
            };
            let users = db.users(account).await?;
            out.emit(
                || {
                    users
                        .iter()
                        .map(|u| format!("{:>6}  {:<7} {:<8} {}", u.id, u.role, u.status, u.email))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"users": users}),
            );
        }
        UsersCommand::Disable { email } => {
            let u = db.user_by_email(&email).await?;
            let u = db
                .set_user_status(u.account_id, u.id, UserStatus::Disabled)
                .await?;
            emit_user(out, &u, "disabled; their sessions ended");
        }
        UsersCommand::Enable { email } => {
            let u = db.user_by_email(&email).await?;
            let u = db
                .set_user_status(u.account_id, u.id, UserStatus::Active)
                .await?;
            emit_user(out, &u, "enabled");
        }
        UsersCommand::Role { email, role } => {
            let u = db.user_by_email(&email).await?;
            let u = db
                .set_user_role(u.account_id, u.id, Role::parse(&role)?)
                .await?;
            emit_user(out, &u, &format!("is now {}", u.role));
        }
        UsersCommand::ResetPassword { email } => {
            let u = db.user_by_email(&email).await?;
            let password = read_password()?;
            let u = db.reset_password(u.account_id, u.id, &password).await?;
            emit_user(out, &u, "has a new password; their sessions ended");
        }
    }
    Ok(Exit::Ok)
}

fn emit_user(out: &Out, u: &User, what: &str) {
    out.emit(|| format!("user {} {what}", u.email), json!({"user": u}));
}

pub(super) async fn tokens(config: &Config, out: &Out, cmd: TokensCommand) -> anyhow::Result<Exit> {
    let (db, _) = open(config).await?;
    match cmd {
        TokensCommand::Create { email, name } => {
            let user = db.user_by_email(&email).await?;
            let created = db.create_api_token(user.account_id, user.id, &name).await?;
            out.emit(
                || {
                    format!(
                        "token {} created for {}; copy it now, it is not shown again:\n{}",
                        created.token.id, user.email, created.secret
                    )
                },
                json!({"token": created.token, "secret": created.secret}),
            );
        }
        TokensCommand::List { email } => {
            let user = db.user_by_email(&email).await?;
            let tokens = db.api_tokens(user.account_id).await?;
            out.emit(
                || {
                    tokens
                        .iter()
                        .map(|t| {
                            format!("{:>6}  {:<14} {:<8} {}", t.id, t.prefix, t.status, t.name)
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"tokens": tokens}),
            );
        }
        TokensCommand::Revoke { email, id } => {
            let user = db.user_by_email(&email).await?;
            let token = db
                .revoke_api_token(user.account_id, id.parse::<ApiTokenId>()?)
                .await?;
            out.emit(
                || format!("token {} ({}) revoked", token.id, token.prefix),
                json!({"token": token}),
            );
        }
    }
    Ok(Exit::Ok)
}

/// A password from PRESSROOM_PASSWORD, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("PRESSROOM_PASSWORD") {
        return Ok(p);
    }
    // A prompt without a newline; a closed stderr only loses the prompt.
    let _ = write!(
        std::io::stderr(),
        "password (at least {} characters): ",
        pressroom_store::MIN_PASSWORD_CHARS
    );
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
