//! Internal links between the live articles of one cluster, planned by
//! [`pressroom_domain::article::plan_links`] and stored so they can be listed and removed.

use super::checks::recheck;
use crate::context::{Pipeline, Result};
use pressroom_domain::article::{LinkArticle, plan_links};
use pressroom_domain::{AccountId, ClusterId, ContentId, InternalLink, LinkId, LinkStatus};
use pressroom_store::NewLink;
use std::collections::HashSet;

/// Plans the links of `cluster`'s articles again (rejected ones take part in none) and
/// checks again each article whose links changed. The cluster's row is locked first, so two refreshes of one cluster
/// run one after the other and the later one sees every article committed before it.
#[tracing::instrument(skip(p), fields(account = account.get(), cluster = cluster.get()))]
pub async fn refresh_links(p: &Pipeline, account: AccountId, cluster: ClusterId) -> Result<()> {
    let db = p.db();
    let site = db
        .site(account, db.cluster(account, cluster).await?.site_id)
        .await?;
    let mut tx = db.begin().await?;
    tx.clusters_for_update(account, &[cluster]).await?;
    // Read on the transaction's own connection: a pool read here could wait for a connection
    // held by a writer that waits for this transaction's lock.
    let articles = tx.cluster_articles(account, cluster).await?;
    let ids: Vec<_> = articles.iter().map(|c| c.id).collect();
    let removed: HashSet<_> = tx
        .links_from(account, &ids, LinkStatus::Removed)
        .await?
        .into_iter()
        .map(|l| (l.source, l.target))
        .collect();
    let before = tx.links_from(account, &ids, LinkStatus::Active).await?;
    // The cluster's first planned idea is its most searched intent: its article is the pillar.
    let inputs: Vec<LinkArticle> = articles
        .iter()
        .enumerate()
        .map(|(i, c)| LinkArticle {
            id: c.id,
            primary_keyword: c.primary_keyword.clone(),
            keywords: std::iter::once(c.primary_keyword.clone())
                .chain(c.secondary_keywords.iter().cloned())
                .collect(),
            body_markdown: c.body_markdown.clone(),
            pillar: i == 0,
        })
        .collect();
    let max = site.settings.internal_links_per_article as usize;
    let planned: Vec<NewLink> = plan_links(&inputs, max, &removed)
        .into_iter()
        .map(|l| NewLink {
            source: l.source,
            target: l.target,
            anchor: l.anchor,
        })
        .collect();
    tx.replace_links(account, site.id, &ids, &planned).await?;
    tx.commit().await?;
    // Only an article whose own links changed (or that was never checked) is checked again:
    // the others' checks read the same links as before.
    let links_of = |links: &[NewLink], id| -> Vec<(ContentId, String)> {
        let mut v: Vec<_> = links
            .iter()
            .filter(|l| l.source == id)
            .map(|l| (l.target, l.anchor.clone()))
            .collect();
        v.sort();
        v
    };
    for c in &articles {
        if c.checks.is_none() || links_of(&before, c.id) != links_of(&planned, c.id) {
            recheck(p, account, c.id).await?;
        }
    }
    Ok(())
}

/// Takes one link out for good: a later refresh does not put it back.
pub async fn remove_link(p: &Pipeline, account: AccountId, id: LinkId) -> Result<InternalLink> {
    let mut tx = p.db().begin().await?;
    let link = tx.remove_link(account, id).await?;
    tx.commit().await?;
    recheck(p, account, link.source_id).await?;
    Ok(link)
}
