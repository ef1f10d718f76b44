//! The destination use cases the CLI, API and web pages share: add (the secret sealed at
//! once), change, remove, list.

use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::publish::{DestinationOptions, PublishSchedule};
use pressroom_domain::*;
use pressroom_store::{DestinationUpdate, NewDestination, SecretBox};

/// What a person enters for a new destination.
#[derive(Debug, Clone)]
pub struct DestinationInput {
    pub name: String,
    pub kind: DestinationKind,
    pub url: String,
    /// WordPress: the user the application password belongs to.
    pub username: Option<String>,
    /// WordPress: the application password. Webhook: `None` generates a signing secret.
    pub secret: Option<String>,
    pub options: DestinationOptions,
    pub schedule: PublishSchedule,
}

/// A destination just added and, for a webhook, its signing secret: shown this once.
#[derive(Debug, Clone)]
pub struct AddedDestination {
    pub destination: Destination,
    pub signing_secret: Option<String>,
}

/// Refuses a URL whose address is internal, unless the destination says it is on a private
/// network (then only loopback and link-local stay refused, by the client's resolver).
fn check_address(p: &Pipeline, url: &str, options: &DestinationOptions) -> Result<()> {
    if options.allow_private {
        return Ok(());
    }
    p.downloader().check_destination(url).map_err(|e| {
        PipelineError::Invalid(format!(
            "url: {e} (a WordPress on a private network needs allow_private)"
        ))
    })
}

fn secret_for(kind: DestinationKind, given: Option<String>) -> Result<(String, Option<String>)> {
    match (kind, given.map(|s| s.trim().to_string())) {
        (DestinationKind::WordPress, Some(s)) if !s.is_empty() => Ok((s, None)),
        (DestinationKind::WordPress, _) => Err(PipelineError::Invalid(
            "password: WordPress needs an application password (Users > Profile > Application Passwords)".into(),
        )),
        (DestinationKind::Webhook, Some(s)) if s.len() >= 16 => Ok((s, None)),
        (DestinationKind::Webhook, Some(_)) => Err(PipelineError::Invalid(
            "secret: a webhook signing secret needs at least 16 characters".into(),
        )),
        (DestinationKind::Webhook, None) => {
            let s = format!("whsec_{}", SecretBox::generate_hex());
            Ok((s.clone(), Some(s)))
        }
    }
}

pub async fn add_destination(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    input: DestinationInput,
) -> Result<AddedDestination> {
    let url = publish::validate_destination_url(input.kind, &input.url)?;
    check_address(p, &url, &input.options)?;
    let (secret, shown) = secret_for(input.kind, input.secret)?;
    let sealed = p.secrets()?.seal(&secret);
    let destination = p
        .db()
        .create_destination(
            account,
            &NewDestination {
                site,
                name: input.name,
                kind: input.kind,
                url,
                username: input.username,
                sealed_secret: sealed,
                options: input.options,
                schedule: input.schedule,
            },
        )
        .await?;
    tracing::info!(destination = destination.id.get(), kind = %destination.kind, "destination added");
    Ok(AddedDestination {
        destination,
        signing_secret: shown,
    })
}

/// What a change sets; `None` keeps the stored value. A new secret is sealed at once.
#[derive(Debug, Clone, Default)]
pub struct DestinationChange {
    pub name: Option<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub secret: Option<String>,
    pub options: Option<DestinationOptions>,
    pub schedule: Option<PublishSchedule>,
}

pub async fn change_destination(
    p: &Pipeline,
    account: AccountId,
    id: DestinationId,
    change: DestinationChange,
) -> Result<Destination> {
    let current = p.db().destination(account, id).await?;
    let options = change.options.clone().unwrap_or(current.options.clone());
    let url = match &change.url {
        Some(u) => publish::validate_destination_url(current.kind, u)?,
        None => current.url.clone(),
    };
    check_address(p, &url, &options)?;
    // The stored password goes only where it was given for: a new host needs it given again.
    let host = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    };
    if current.kind == DestinationKind::WordPress
        && host(&url) != host(&current.url)
        && change.secret.is_none()
    {
        return Err(PipelineError::Invalid(
            "password: give the application password again when the address moves to another host"
                .into(),
        ));
    }
    let sealed = match change.secret {
        Some(s) => Some(p.secrets()?.seal(&secret_for(current.kind, Some(s))?.0)),
        None => None,
    };
    Ok(p.db()
        .update_destination(
            account,
            id,
            &DestinationUpdate {
                name: change.name,
                url: Some(url),
                username: change.username,
                sealed_secret: sealed,
                options: change.options,
                schedule: change.schedule,
            },
        )
        .await?)
}

pub async fn list_destinations(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
) -> Result<Vec<Destination>> {
    Ok(p.db().destinations(account, site).await?)
}

/// Stops publishing there; its records stay readable and queued ones are not sent.
pub async fn remove_destination(p: &Pipeline, account: AccountId, id: DestinationId) -> Result<()> {
    Ok(p.db().remove_destination(account, id).await?)
}

/// The destination's secret, opened for the client that talks to it.
pub(super) async fn open_secret(p: &Pipeline, d: &Destination) -> Result<String> {
    let sealed = p.db().destination_secret(d.account_id, d.id).await?;
    Ok(p.secrets()?.open(&sealed)?)
}
