//! Stage 1: a site's `new` keywords join its clusters or form new ones, by the site's
//! clustering method over its whole keyword list (never in blind batches). Existing clusters
//! are not reshuffled. A text model, when one is set, names each new cluster from all of its
//! keywords and may split one with mixed intents; offline, the cluster is named after its
//! core phrase and nothing is spent.

use super::call::{ask, input_json, language_values, settle};
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::clean_text;
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::clustering::{
    LEXICAL_THRESHOLD, LexicalClusterer, Member, Placement, name_candidates,
};
use pressroom_domain::template::bullet_list;
use pressroom_domain::text::title_case;
use pressroom_domain::*;
use std::collections::HashMap;

/// Keywords read per query while gathering the site's list.
const PAGE: u32 = 1000;
/// The most phrases a model is shown to name one group: enough to see its intents; the rest
/// of a bigger group join its first cluster.
const NAMING_PHRASES_MAX: usize = 100;

/// What clustering made or joined.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClusterReport {
    pub clusters: Vec<ClusterId>,
    pub keywords_mapped: u64,
    pub credits: Credits,
}

/// Where the `new` keywords go, before anything is written.
#[derive(Debug, Clone)]
pub struct Grouping {
    pub method: ClusterMethod,
    pub threshold: f64,
    /// New keywords that join an existing cluster.
    pub joins: Vec<(ClusterId, Vec<KeywordId>)>,
    /// The keywords of each new cluster.
    pub groups: Vec<Vec<Keyword>>,
    /// How many `new` keywords were placed.
    pub considered: i64,
}

/// Places up to `limit` of the site's `new` keywords (in id order) among its clusters and new
/// ones. Reads the site's clustered keywords a page at a time; holds only their phrases.
#[tracing::instrument(name = "group_keywords", skip_all, fields(account = account.get(), site = site.id.get()))]
pub async fn group_new_keywords(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    limit: i64,
) -> Result<Grouping> {
    let settings = &site.settings.clustering;
    let (method, threshold) = match settings.method {
        ClusterMethod::Lexical => (
            ClusterMethod::Lexical,
            settings
                .similarity_percent
                .map_or(LEXICAL_THRESHOLD, |p| f64::from(p) / 100.0),
        ),
        other => {
            return Err(PipelineError::Refused(format!(
                "clustering method {other} is not available in this build; set clustering.method to lexical"
            )));
        }
    };
    let mut existing: Vec<ClusterId> = Vec::new();
    let mut slot: HashMap<ClusterId, usize> = HashMap::new();
    let mut members: Vec<Vec<String>> = Vec::new();
    let mut after = 0;
    loop {
        let page = p
            .db()
            .clustered_keywords_after(account, site.id, after, PAGE)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0.get();
        for (_, cluster, phrase) in page {
            let i = *slot.entry(cluster).or_insert_with(|| {
                existing.push(cluster);
                members.push(Vec::new());
                existing.len() - 1
            });
            members[i].push(phrase);
        }
    }
    let mut fresh: Vec<Keyword> = Vec::new();
    let mut after = 0;
    while (fresh.len() as i64) < limit {
        let want = u32::try_from((limit - fresh.len() as i64).min(i64::from(PAGE))).unwrap_or(PAGE);
        let page = p
            .db()
            .keywords_after(account, site.id, KeywordStatus::New, after, want)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id.get();
        fresh.extend(page);
    }
    let old: Vec<Vec<&str>> = members
        .iter()
        .map(|m| m.iter().map(String::as_str).collect())
        .collect();
    let phrases: Vec<&str> = fresh.iter().map(|k| k.phrase.as_str()).collect();
    let placed = LexicalClusterer::new(threshold).place(&old, &phrases);
    let mut joins: Vec<(ClusterId, Vec<KeywordId>)> = Vec::new();
    let mut join_slot: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<Vec<Keyword>> = Vec::new();
    let considered = fresh.len() as i64;
    for (keyword, place) in fresh.into_iter().zip(placed) {
        match place {
            Placement::Existing(c) => {
                let j = *join_slot.entry(c).or_insert_with(|| {
                    joins.push((existing[c], Vec::new()));
                    joins.len() - 1
                });
                joins[j].1.push(keyword.id);
            }
            Placement::New(g) => {
                if g == groups.len() {
                    groups.push(Vec::new());
                }
                groups[g].push(keyword);
            }
        }
    }
    Ok(Grouping {
        method,
        threshold,
        joins,
        groups,
        considered,
    })
}

/// Links keywords to the existing clusters they were placed in, in one transaction.
pub async fn join_clusters(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    joins: &[(ClusterId, Vec<KeywordId>)],
) -> Result<u64> {
    let mut tx = p.db().begin().await?;
    let mut linked = 0;
    for (cluster, ids) in joins {
        linked += tx.map_keyword_ids(account, site, *cluster, ids).await?;
    }
    tx.commit().await?;
    Ok(linked)
}

/// Whether the site's text model names clusters (any provider but the built-in offline one).
pub fn model_names_clusters(p: &Pipeline, site: &Site) -> Result<bool> {
    let choice = p.providers().text(site.account_id.get(), &site.settings)?;
    Ok(choice.provider.name() != "offline")
}

/// Creates the clusters of `groups` and links their keywords. Offline, in one transaction,
/// each named after its core phrase; with a model, one call per group, each settled with its
/// clusters.
pub async fn make_clusters(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    grouping: (ClusterMethod, f64),
    groups: &[Vec<Keyword>],
    run: Option<RunId>,
) -> Result<ClusterReport> {
    let mut report = ClusterReport::default();
    if model_names_clusters(p, site)? {
        for group in groups {
            let one = name_with_model(p, account, site, grouping, group, run).await?;
            report.clusters.extend(one.clusters);
            report.keywords_mapped += one.keywords_mapped;
            report.credits = Credits(report.credits.0 + one.credits.0);
        }
        return Ok(report);
    }
    let (method, threshold) = grouping;
    let mut tx = p.db().begin().await?;
    for group in groups {
        let members: Vec<Member<'_>> = group.iter().map(member).collect();
        let candidates = name_candidates(&members);
        let description = describe(&candidates, group);
        let mut cluster = None;
        for phrase in &candidates {
            let name = clean_text(&title_case(phrase), CLUSTER_NAME_MAX as usize);
            cluster = tx
                .insert_cluster(
                    account,
                    site.id,
                    &name,
                    &description,
                    method,
                    Some(threshold),
                )
                .await?;
            if cluster.is_some() {
                break;
            }
        }
        // Every phrase of the group names a cluster already (ones a person renamed): the group
        // joins the first of them rather than taking a numbered twin.
        let cluster = match cluster {
            Some(c) => c,
            None => {
                let name = clean_text(&title_case(candidates[0]), CLUSTER_NAME_MAX as usize);
                same_name(&mut tx, account, site.id, &name).await?
            }
        };
        let ids: Vec<KeywordId> = group.iter().map(|k| k.id).collect();
        report.keywords_mapped += tx.map_keyword_ids(account, site.id, cluster, &ids).await?;
        report.clusters.push(cluster);
    }
    tx.commit().await?;
    Ok(report)
}

/// The site's cluster of that name, which new keywords may join unless it is archived.
async fn same_name(
    tx: &mut pressroom_store::Tx,
    account: AccountId,
    site: SiteId,
    name: &str,
) -> Result<ClusterId> {
    match tx.cluster_named(account, site, name).await? {
        Some(c) if c.status != ClusterStatus::Archived => Ok(c.id),
        Some(c) => Err(PipelineError::Refused(format!(
            "the name {name:?} belongs to archived cluster {}: restore or rename it",
            c.id
        ))),
        // Insert said the name is taken: only a concurrent delete gets here, and there is none.
        None => Err(PipelineError::Internal(format!(
            "cluster {name:?} was taken and then not found"
        ))),
    }
}

fn member(k: &Keyword) -> Member<'_> {
    Member {
        phrase: &k.phrase,
        volume: k.volume.unwrap_or(0),
        intent: k.intent,
    }
}

fn describe(candidates: &[&str], group: &[Keyword]) -> String {
    let volume: i64 = group.iter().filter_map(|k| k.volume).sum();
    let examples: Vec<String> = candidates
        .iter()
        .take(3)
        .map(|p| format!("\"{p}\""))
        .collect();
    let text = format!(
        "{} searches such as {} ({} a month in all).",
        group.len(),
        examples.join(", "),
        volume
    );
    clean_text(&text, CLUSTER_DESCRIPTION_MAX as usize)
}

/// One model call for one group: the model names it and may split it by intent. Keywords it
/// leaves out go to its first cluster; a name the site already has is that cluster.
async fn name_with_model(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    (method, threshold): (ClusterMethod, f64),
    group: &[Keyword],
    run: Option<RunId>,
) -> Result<ClusterReport> {
    let members: Vec<Member<'_>> = group.iter().map(member).collect();
    let phrases: Vec<String> = name_candidates(&members)
        .into_iter()
        .take(NAMING_PHRASES_MAX)
        .map(str::to_string)
        .collect();
    let mut values = language_values(site);
    values.push(("keywords", bullet_list(&phrases)));
    let input = ClusterInput { keywords: phrases };
    let max_tokens = input.max_output_tokens();
    let input = input_json(AiFunction::AutoCluster, &input)?;
    let (out, usage): (ClusterOutput, _) = ask(
        p,
        site,
        AiFunction::AutoCluster,
        input,
        max_tokens,
        values,
        None,
        run,
    )
    .await?;
    let by_phrase: HashMap<String, KeywordId> =
        group.iter().map(|k| (k.normalised.clone(), k.id)).collect();
    let mut placed: HashMap<KeywordId, usize> = HashMap::new();
    let mut named: Vec<(String, String)> = Vec::new();
    for item in &out.clusters {
        let name = clean_text(&item.name, CLUSTER_NAME_MAX as usize);
        if name.is_empty() {
            continue;
        }
        let slot = named.len();
        let mut any = false;
        for phrase in &item.keywords {
            if let Some(id) = by_phrase.get(&normalise_phrase(phrase)) {
                placed.entry(*id).or_insert(slot);
                any = true;
            }
        }
        if any {
            named.push((
                name,
                clean_text(&item.description, CLUSTER_DESCRIPTION_MAX as usize),
            ));
        }
    }
    if named.is_empty() {
        super::call::record_failure(
            p,
            account,
            pressroom_store::NewUsage {
                error: Some("the model named no cluster with the keywords it was given".into()),
                ..usage
            },
        )
        .await?;
        return Err(PipelineError::BadOutput(format!(
            "no usable cluster for {} keywords",
            group.len()
        )));
    }
    let mut report = ClusterReport {
        credits: usage.credits,
        ..Default::default()
    };
    let mut tx = p.db().begin().await?;
    let mut ids_of: Vec<Vec<KeywordId>> = vec![Vec::new(); named.len()];
    for k in group {
        ids_of[placed.get(&k.id).copied().unwrap_or(0)].push(k.id);
    }
    for ((name, description), ids) in named.iter().zip(&ids_of) {
        let cluster = match tx
            .insert_cluster(account, site.id, name, description, method, Some(threshold))
            .await?
        {
            Some(c) => c,
            None => same_name(&mut tx, account, site.id, name).await?,
        };
        report.keywords_mapped += tx.map_keyword_ids(account, site.id, cluster, ids).await?;
        if !report.clusters.contains(&cluster) {
            report.clusters.push(cluster);
        }
    }
    settle(&mut tx, account, &usage, None).await?;
    tx.commit().await?;
    Ok(report)
}

/// Clusters every `new` keyword of the site: group, join, make. What Stage 1 does in pieces
/// (with progress and pause between them), in one call.
pub async fn cluster_keywords(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    run: Option<RunId>,
) -> Result<ClusterReport> {
    let site = p.db().site(account, site).await?;
    let grouping = group_new_keywords(p, account, &site, i64::MAX).await?;
    let mut report = ClusterReport {
        keywords_mapped: join_clusters(p, account, site.id, &grouping.joins).await?,
        clusters: grouping.joins.iter().map(|(c, _)| *c).collect(),
        ..Default::default()
    };
    let made = make_clusters(
        p,
        account,
        &site,
        (grouping.method, grouping.threshold),
        &grouping.groups,
        run,
    )
    .await?;
    report.clusters.extend(made.clusters);
    report.keywords_mapped += made.keywords_mapped;
    report.credits = made.credits;
    Ok(report)
}
