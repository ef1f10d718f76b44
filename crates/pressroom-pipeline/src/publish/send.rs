//! One attempt to put an article at its destination, whatever kind it is, and what came of
//! it in the terms the publish job records.

use super::destinations::open_secret;
use super::outcome::{LiveTarget, SendFailure, Sent};
use super::outgoing::outgoing;
use crate::context::Pipeline;
use pressroom_domain::*;
use pressroom_publish::{OutboundPolicy, Published, WordPressClient, WordPressTarget};
use serde_json::json;
use std::time::Duration;

/// Bound on each whole request to a WordPress, uploads included.
const WORDPRESS_TIMEOUT: Duration = Duration::from_secs(60);

/// The outbound rule for `d`: loopback as the process allows it (local test servers),
/// private addresses when the destination says it lives on a private network.
pub(super) fn policy(p: &Pipeline, d: &Destination) -> OutboundPolicy {
    OutboundPolicy {
        allow_loopback: p.downloader().config().allow_loopback,
        allow_private: d.options.allow_private,
    }
}

pub(super) async fn wordpress_client(
    p: &Pipeline,
    d: &Destination,
) -> Result<WordPressClient, SendFailure> {
    let password = open_secret(p, d).await?;
    let target = WordPressTarget {
        base_url: d.url.clone(),
        username: d.username.clone().unwrap_or_default(),
        app_password: password,
        post_status: d.options.post_status,
        author: d.options.author,
        policy: policy(p, d),
        timeout: WORDPRESS_TIMEOUT,
    };
    Ok(WordPressClient::new(target)?)
}

pub(super) async fn send(
    p: &Pipeline,
    d: &Destination,
    record: &Publication,
    content: &Content,
) -> Result<Sent, SendFailure> {
    match d.kind {
        DestinationKind::WordPress => send_wordpress(p, d, record, content).await,
        DestinationKind::Webhook => super::receiver::deliver(p, d, record, content).await,
    }
}

async fn send_wordpress(
    p: &Pipeline,
    d: &Destination,
    record: &Publication,
    content: &Content,
) -> Result<Sent, SendFailure> {
    let client = wordpress_client(p, d).await?;
    let (_, article) = outgoing(p, content, &d.url).await?;
    let known = record.external_id.as_deref().and_then(|id| id.parse().ok());
    let done: Published = client.publish(&article, known).await?;
    let mut warnings = done.warnings.clone();
    if !done.seo.dropped.is_empty() {
        warnings.push(format!(
            "SEO meta not kept by WordPress: {}",
            done.seo.dropped.join(", ")
        ));
    }
    let seo = json!({
        "plugin": format!("{:?}", done.seo.plugin).to_lowercase(),
        "saved": done.seo.saved,
        "dropped": done.seo.dropped,
        "unverified": done.seo.unverified,
        "error": done.seo.error,
    });
    let featured_url = article
        .featured_image()
        .and_then(|f| done.media.iter().find(|m| m.image_id == f.image_id))
        .map(|m| m.source_url.clone());
    Ok(Sent {
        external_id: done.post_id.to_string(),
        url: Some(done.url.clone()),
        seo_report: Some(seo),
        warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
        live_target: (done.status == "publish").then(|| LiveTarget {
            url: done.url.clone(),
            title: content.title.clone(),
            image_url: featured_url,
        }),
    })
}
