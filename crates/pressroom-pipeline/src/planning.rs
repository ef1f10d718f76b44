//! A person's edits of the plan that stages 1 and 2 made: rename, merge, split, archive and
//! restore clusters; move, archive, restore and delete keywords; delete ideas not yet made
//! into tasks. The CLI, the API and the pages call these, one function per action.
//!
//! Each function checks its input (domain types for text, ids scoped by account), then does
//! the whole change in one transaction: bad input, a foreign id or a refused move changes
//! nothing. Every change to which keywords a cluster holds ends with the clusters' counts
//! recomputed (`Tx::recount_clusters`, archived keywords left out). Errors: a foreign or
//! missing id is `NotFound` (404), input that cannot be used is [`PipelineError::Invalid`]
//! naming the field (422), a name another cluster has is [`PipelineError::Conflict`] naming
//! it, and a change the items' state forbids is [`PipelineError::Refused`] or an illegal
//! status move (409).

use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::text::{ClusterDescription, ClusterName};
use pressroom_domain::*;
use pressroom_store::{MergeCounts, Tx};
use std::collections::BTreeSet;

/// Keywords one call may move, archive, restore or delete: a page of the keywords list is
/// 100, and every id is checked in one statement.
pub const MAX_KEYWORDS_PER_EDIT: usize = 1000;

/// What a cluster edit changes: a field left `None` keeps its stored value.
#[derive(Debug, Clone, Default)]
pub struct ClusterEdit {
    pub name: Option<ClusterName>,
    pub description: Option<ClusterDescription>,
    /// `Archived` archives the cluster; `New` restores an archived one.
    pub status: Option<ClusterStatus>,
}

impl ClusterEdit {
    /// Parses the fields given; the error names the field at fault.
    pub fn parse(
        name: Option<&str>,
        description: Option<&str>,
        status: Option<&str>,
    ) -> Result<ClusterEdit> {
        let status = status
            .map(|s| match ClusterStatus::parse(s.trim()) {
                Ok(s @ (ClusterStatus::Archived | ClusterStatus::New)) => Ok(s),
                _ => Err(PipelineError::Invalid(format!(
                    "status: give archived (to archive) or new (to restore), not {s:?}; a cluster becomes mapped when its ideas are written"
                ))),
            })
            .transpose()?;
        Ok(ClusterEdit {
            name: name.map(ClusterName::parse).transpose().map_err(invalid)?,
            description: description
                .map(ClusterDescription::parse)
                .transpose()
                .map_err(invalid)?,
            status,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none() && self.status.is_none()
    }
}

fn invalid(e: pressroom_domain::text::TextError) -> PipelineError {
    PipelineError::Invalid(e.to_string())
}

/// What a merge did: the cluster merged into, as it is now, and what moved to it.
#[derive(Debug, Clone)]
pub struct Merged {
    pub into: Cluster,
    pub moved: MergeCounts,
}

/// What moving keywords did: the cluster they went to, as it is now, and how many changed
/// cluster (keywords already in it are left as they are).
#[derive(Debug, Clone)]
pub struct Moved {
    pub cluster: Cluster,
    pub moved: u64,
}

/// What a keyword archive, restore or delete did: how many keywords changed, how many were
/// already as asked, and the keywords as they are now (as they were, for a delete).
#[derive(Debug, Clone, Default)]
pub struct KeywordsEdited {
    pub changed: u64,
    pub unchanged: u64,
    pub keywords: Vec<Keyword>,
}

/// Renames a cluster, changes its description, archives or restores it, in one transaction.
/// A name that another cluster of the site has is a [`PipelineError::Conflict`] naming it.
pub async fn edit_cluster(
    p: &Pipeline,
    account: AccountId,
    id: ClusterId,
    edit: ClusterEdit,
) -> Result<Cluster> {
    if edit.is_empty() {
        return Err(PipelineError::Invalid(
            "body: give name, description and/or status to change".into(),
        ));
    }
    let mut tx = p.db().begin().await?;
    let current = one_cluster(&mut tx, account, id).await?;
    if edit.name.is_some() || edit.description.is_some() {
        let name = edit
            .name
            .map_or(current.name.clone(), ClusterName::into_string);
        let description = edit
            .description
            .map_or(current.description.clone(), ClusterDescription::into_string);
        if name != current.name {
            name_is_free(&mut tx, account, current.site_id, &name).await?;
        }
        tx.set_cluster_text(account, id, &name, &description)
            .await?;
    }
    if let Some(to) = edit.status.filter(|to| *to != current.status) {
        tx.move_status(account, id, to).await?;
    }
    tx.commit().await?;
    Ok(p.db().cluster(account, id).await?)
}

/// Merges cluster `from` into cluster `into` of the same site: `from`'s keywords, ideas and
/// tasks move to `into`, `from` is archived with zero counts, `into`'s counts are recomputed,
/// and `into` becomes `mapped` if it was `new` and now has ideas. Neither may be archived.
pub async fn merge_clusters(
    p: &Pipeline,
    account: AccountId,
    from: ClusterId,
    into: ClusterId,
) -> Result<Merged> {
    if from == into {
        return Err(PipelineError::Invalid(format!(
            "into: cluster {from} cannot be merged into itself; choose another cluster"
        )));
    }
    let mut tx = p.db().begin().await?;
    let clusters = tx.clusters_for_update(account, &[from, into]).await?;
    let (source, target) = match clusters.as_slice() {
        [a, b] if a.id == from => (a, b),
        [a, b] => (b, a),
        _ => {
            return Err(PipelineError::Internal(
                "merge read the wrong clusters".into(),
            ));
        }
    };
    if source.site_id != target.site_id {
        return Err(PipelineError::Invalid(format!(
            "into: cluster {into} belongs to another site than cluster {from}"
        )));
    }
    for c in [source, target] {
        not_archived(c, "merge it")?;
    }
    let moved = tx.move_cluster_work(account, from, into).await?;
    tx.move_status(account, from, ClusterStatus::Archived)
        .await?;
    tx.recount_clusters(account, &[from, into]).await?;
    // Mapped means its ideas exist: a new cluster that took over ideas is past stage 2.
    if target.status == ClusterStatus::New && tx.cluster_has_ideas(account, into).await? {
        tx.move_status(account, into, ClusterStatus::Mapped).await?;
    }
    tx.commit().await?;
    // The merged articles are one cluster's now: they link to each other.
    crate::article::refresh_links(p, account, into).await?;
    Ok(Merged {
        into: p.db().cluster(account, into).await?,
        moved,
    })
}

/// Moves the chosen `keywords` of cluster `from` to a new cluster of the same site called
/// `name` (method `manual`, status `new`, so stage 2 writes its ideas); returns the new
/// cluster. Each keyword must be in `from`; `from` keeps its ideas.
pub async fn split_cluster(
    p: &Pipeline,
    account: AccountId,
    from: ClusterId,
    keywords: &[KeywordId],
    name: ClusterName,
) -> Result<Cluster> {
    check_keyword_count(keywords)?;
    let mut tx = p.db().begin().await?;
    let chosen = tx.keywords_for_update(account, keywords).await?;
    let source = one_cluster(&mut tx, account, from).await?;
    not_archived(&source, "split it")?;
    if let Some(k) = chosen.iter().find(|k| k.cluster_id != Some(from)) {
        return Err(PipelineError::Invalid(format!(
            "keywords: keyword {} ({:?}) is not in cluster {from}",
            k.id, k.phrase
        )));
    }
    name_is_free(&mut tx, account, source.site_id, name.as_str()).await?;
    let id = tx
        .insert_manual_cluster(account, source.site_id, name.as_str(), "")
        .await?;
    let ids: Vec<KeywordId> = chosen.iter().map(|k| k.id).collect();
    tx.link_keywords(account, &ids, Some(id)).await?;
    tx.recount_clusters(account, &[from, id]).await?;
    tx.commit().await?;
    Ok(p.db().cluster(account, id).await?)
}

/// Moves `keywords` to cluster `to`. Every keyword must be of `to`'s site; `to` must not be
/// archived. Moved keywords that are `new` become `mapped`; archived ones move but stay
/// archived. Both the clusters they left and `to` are recounted.
pub async fn move_keywords(
    p: &Pipeline,
    account: AccountId,
    keywords: &[KeywordId],
    to: ClusterId,
) -> Result<Moved> {
    check_keyword_count(keywords)?;
    let mut tx = p.db().begin().await?;
    let chosen = tx.keywords_for_update(account, keywords).await?;
    let target = one_cluster(&mut tx, account, to).await?;
    not_archived(&target, "move keywords to it")?;
    if let Some(k) = chosen.iter().find(|k| k.site_id != target.site_id) {
        return Err(PipelineError::Invalid(format!(
            "keywords: keyword {} ({:?}) belongs to another site than cluster {to}",
            k.id, k.phrase
        )));
    }
    let moving: Vec<&Keyword> = chosen.iter().filter(|k| k.cluster_id != Some(to)).collect();
    let ids: Vec<KeywordId> = moving.iter().map(|k| k.id).collect();
    let moved = tx.link_keywords(account, &ids, Some(to)).await?;
    for k in moving.iter().filter(|k| k.status == KeywordStatus::New) {
        tx.move_status(account, k.id, KeywordStatus::Mapped).await?;
    }
    let mut touched: Vec<ClusterId> = moving.iter().filter_map(|k| k.cluster_id).collect();
    touched.push(to);
    tx.recount_clusters(account, &touched).await?;
    tx.commit().await?;
    Ok(Moved {
        cluster: p.db().cluster(account, to).await?,
        moved,
    })
}

/// Archives keywords: they leave their cluster's counts and the stages' input, and keep their
/// cluster link for a restore. Ideas already written from them are not touched. Keywords
/// already archived are counted as unchanged.
pub async fn archive_keywords(
    p: &Pipeline,
    account: AccountId,
    keywords: &[KeywordId],
) -> Result<KeywordsEdited> {
    change_keywords(p, account, keywords, |k| {
        (k.status != KeywordStatus::Archived).then_some(KeywordStatus::Archived)
    })
    .await
}

/// Restores archived keywords: back to `mapped` in the cluster they were in, or to `new`
/// (stage 1 clusters them) when they had none. Others are counted as unchanged.
pub async fn restore_keywords(
    p: &Pipeline,
    account: AccountId,
    keywords: &[KeywordId],
) -> Result<KeywordsEdited> {
    change_keywords(p, account, keywords, |k| {
        (k.status == KeywordStatus::Archived).then_some(if k.cluster_id.is_some() {
            KeywordStatus::Mapped
        } else {
            KeywordStatus::New
        })
    })
    .await
}

/// Moves each keyword to the status `to` gives it (`None`: leave it), in one transaction,
/// then recounts the clusters involved.
async fn change_keywords(
    p: &Pipeline,
    account: AccountId,
    keywords: &[KeywordId],
    to: impl Fn(&Keyword) -> Option<KeywordStatus>,
) -> Result<KeywordsEdited> {
    check_keyword_count(keywords)?;
    let mut tx = p.db().begin().await?;
    let chosen = tx.keywords_for_update(account, keywords).await?;
    let mut edited = KeywordsEdited::default();
    for k in &chosen {
        match to(k) {
            Some(status) => {
                tx.move_status(account, k.id, status).await?;
                edited.changed += 1;
            }
            None => edited.unchanged += 1,
        }
    }
    recount_keyword_clusters(&mut tx, account, &chosen).await?;
    tx.commit().await?;
    let ids: Vec<KeywordId> = chosen.iter().map(|k| k.id).collect();
    edited.keywords = p.db().keywords_by_ids(account, &ids).await?;
    Ok(edited)
}

/// Deletes keywords for good and recounts their clusters. Ideas already written from them
/// are not touched (they hold the phrases as text).
pub async fn delete_keywords(
    p: &Pipeline,
    account: AccountId,
    keywords: &[KeywordId],
) -> Result<KeywordsEdited> {
    check_keyword_count(keywords)?;
    let mut tx = p.db().begin().await?;
    let chosen = tx.keywords_for_update(account, keywords).await?;
    let ids: Vec<KeywordId> = chosen.iter().map(|k| k.id).collect();
    let changed = tx.delete_keywords(account, &ids).await?;
    recount_keyword_clusters(&mut tx, account, &chosen).await?;
    tx.commit().await?;
    Ok(KeywordsEdited {
        changed,
        unchanged: 0,
        keywords: chosen,
    })
}

/// Deletes an idea that is still `new`: no task has been made from it; returns it as it was.
/// Any other idea is [`PipelineError::Refused`] (a 409): its task and article depend on it.
pub async fn delete_idea(p: &Pipeline, account: AccountId, id: IdeaId) -> Result<Idea> {
    let mut tx = p.db().begin().await?;
    let idea = tx.idea_for_update(account, id).await?;
    let refused = || {
        PipelineError::Refused(format!(
            "idea {id} is {}: only new ideas (not yet made into tasks) can be deleted",
            idea.status
        ))
    };
    if idea.status != IdeaStatus::New || !tx.delete_new_idea(account, id).await? {
        return Err(refused());
    }
    tx.commit().await?;
    Ok(idea)
}

async fn one_cluster(tx: &mut Tx, account: AccountId, id: ClusterId) -> Result<Cluster> {
    tx.clusters_for_update(account, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| pressroom_store::StoreError::not_found("cluster", id).into())
}

fn not_archived(c: &Cluster, to_do: &str) -> Result<()> {
    if c.status == ClusterStatus::Archived {
        return Err(PipelineError::Refused(format!(
            "cluster {} ({:?}) is archived: restore it before you {to_do}",
            c.id, c.name
        )));
    }
    Ok(())
}

/// A name no cluster of the site has yet, or a conflict naming the cluster that has it.
async fn name_is_free(tx: &mut Tx, account: AccountId, site: SiteId, name: &str) -> Result<()> {
    match tx.cluster_named(account, site, name).await? {
        Some(other) => Err(PipelineError::Conflict(format!(
            "name: cluster {} of this site is already called {name:?}; merge into it or choose another name",
            other.id
        ))),
        None => Ok(()),
    }
}

fn check_keyword_count(keywords: &[KeywordId]) -> Result<()> {
    let distinct: BTreeSet<KeywordId> = keywords.iter().copied().collect();
    if distinct.is_empty() {
        return Err(PipelineError::Invalid(
            "keywords: choose at least one keyword".into(),
        ));
    }
    if distinct.len() > MAX_KEYWORDS_PER_EDIT {
        return Err(PipelineError::Invalid(format!(
            "keywords: at most {MAX_KEYWORDS_PER_EDIT} at once, got {}",
            distinct.len()
        )));
    }
    Ok(())
}

async fn recount_keyword_clusters(
    tx: &mut Tx,
    account: AccountId,
    keywords: &[Keyword],
) -> Result<()> {
    let clusters: Vec<ClusterId> = keywords.iter().filter_map(|k| k.cluster_id).collect();
    Ok(tx.recount_clusters(account, &clusters).await?)
}
