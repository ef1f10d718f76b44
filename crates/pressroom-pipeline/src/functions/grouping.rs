//! Stage 1: a site's `new` keywords join its clusters or form new ones, by the site's
//! clustering method over its whole keyword list (never in blind batches). Existing clusters
//! are not reshuffled. A text model, when one is set, names each new cluster from all of its
//! keywords and may split one with mixed intents; offline, the cluster is named after its
//! core phrase and nothing is spent.

use super::call::{ask, input_json, settle, site_values};
use super::embeddings::embed_phrases;
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::clean_text;
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::clustering::{
    EMBEDDING_THRESHOLD, EmbeddingClusterer, LEXICAL_THRESHOLD, LexicalClusterer, Member,
    Placement, SerpClusterer, name_candidates,
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

/// The keywords of one new cluster, and the method (with its threshold) that grouped them.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub method: ClusterMethod,
    pub threshold: f64,
    pub keywords: Vec<Keyword>,
}

/// Where the `new` keywords go, before anything is written.
#[derive(Debug, Clone)]
pub struct Grouping {
    /// The site's method and its threshold (SERP: URLs shared).
    pub method: ClusterMethod,
    pub threshold: f64,
    /// New keywords that join an existing cluster.
    pub joins: Vec<(ClusterId, Vec<KeywordId>)>,
    pub groups: Vec<NewGroup>,
    /// How many `new` keywords were placed.
    pub considered: i64,
    /// Spent on embeddings (the embedding method only).
    pub credits: Credits,
}

/// Places up to `limit` of the site's `new` keywords (in id order) among its clusters and new
/// ones, by the site's method. Reads the site's clustered keywords a page at a time; holds
/// only their phrases (and, for the embedding method, their vectors, from the cache or the
/// provider, charged to `run`). SERP: keywords with no imported results are placed lexically.
#[tracing::instrument(name = "group_keywords", skip_all, fields(account = account.get(), site = site.id.get()))]
pub async fn group_new_keywords(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    limit: i64,
    run: Option<RunId>,
) -> Result<Grouping> {
    let settings = &site.settings.clustering;
    let percent = settings.similarity_percent.map(|p| f64::from(p) / 100.0);
    let method = settings.method;
    let threshold = match method {
        ClusterMethod::Lexical => percent.unwrap_or(LEXICAL_THRESHOLD),
        ClusterMethod::Embedding => percent.unwrap_or(EMBEDDING_THRESHOLD),
        ClusterMethod::Serp => f64::from(settings.serp_shared_urls),
        other => {
            return Err(PipelineError::Refused(format!(
                "clustering.method {other} is not one a site can choose (lexical, embedding, serp)"
            )));
        }
    };
    let (existing, members, fresh) = read_lists(p, account, site.id, limit).await?;
    let mut credits = Credits::ZERO;
    // Each new keyword's placement, and the method and threshold of each new group.
    let (placed, group_methods): (Vec<Placement>, Vec<(ClusterMethod, f64)>) = match method {
        ClusterMethod::Embedding => {
            let mut phrases: Vec<String> = members.iter().flatten().cloned().collect();
            let old_count = phrases.len();
            phrases.extend(fresh.iter().map(|k| k.phrase.clone()));
            let (vectors, spent) = embed_phrases(p, account, site, &phrases, run).await?;
            credits = spent;
            let mut old: Vec<Vec<&[f32]>> = Vec::with_capacity(members.len());
            let mut at = 0;
            for m in &members {
                old.push(
                    vectors[at..at + m.len()]
                        .iter()
                        .map(Vec::as_slice)
                        .collect(),
                );
                at += m.len();
            }
            let new: Vec<&[f32]> = vectors[old_count..].iter().map(Vec::as_slice).collect();
            let placed = EmbeddingClusterer::new(threshold).place(&old, &new);
            let n = new_groups(&placed);
            (placed, vec![(method, threshold); n])
        }
        ClusterMethod::Serp => {
            serp_then_lexical(p, account, site, &members, &fresh, threshold, percent).await?
        }
        _ => {
            let old: Vec<Vec<&str>> = members
                .iter()
                .map(|m| m.iter().map(String::as_str).collect())
                .collect();
            let phrases: Vec<&str> = fresh.iter().map(|k| k.phrase.as_str()).collect();
            let placed = LexicalClusterer::new(threshold).place(&old, &phrases);
            let n = new_groups(&placed);
            (placed, vec![(method, threshold); n])
        }
    };
    let mut joins: Vec<(ClusterId, Vec<KeywordId>)> = Vec::new();
    let mut join_slot: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<NewGroup> = group_methods
        .into_iter()
        .map(|(method, threshold)| NewGroup {
            method,
            threshold,
            keywords: Vec::new(),
        })
        .collect();
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
            Placement::New(g) => groups[g].keywords.push(keyword),
        }
    }
    Ok(Grouping {
        method,
        threshold,
        joins,
        groups,
        considered,
        credits,
    })
}

/// The site's clusters with their keywords' phrases, and up to `limit` of its `new`
/// keywords in id order, read a page at a time.
async fn read_lists(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    limit: i64,
) -> Result<(Vec<ClusterId>, Vec<Vec<String>>, Vec<Keyword>)> {
    let mut existing: Vec<ClusterId> = Vec::new();
    let mut slot: HashMap<ClusterId, usize> = HashMap::new();
    let mut members: Vec<Vec<String>> = Vec::new();
    let mut after = 0;
    loop {
        let page = p
            .db()
            .clustered_keywords_after(account, site, after, PAGE)
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
            .keywords_after(account, site, KeywordStatus::New, after, want)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id.get();
        fresh.extend(page);
    }
    Ok((existing, members, fresh))
}

/// Every phrase the embedding method needs vectors for (the site's clustered keywords and up
/// to `limit` new ones), so Stage 1 can fetch them a paid batch at a time before grouping.
pub async fn phrases_to_embed(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    limit: i64,
) -> Result<Vec<String>> {
    let (_, members, fresh) = read_lists(p, account, site, limit).await?;
    let mut phrases: Vec<String> = members.into_iter().flatten().collect();
    phrases.extend(fresh.into_iter().map(|k| k.phrase));
    Ok(phrases)
}

/// How many new clusters a placement makes (they are numbered from 0).
fn new_groups(placed: &[Placement]) -> usize {
    placed
        .iter()
        .filter_map(|p| match p {
            Placement::New(g) => Some(g + 1),
            Placement::Existing(_) => None,
        })
        .max()
        .unwrap_or(0)
}

/// SERP placement for the new keywords with imported results; the rest are placed lexically
/// among the existing clusters and the SERP method's new ones.
#[allow(clippy::type_complexity)]
async fn serp_then_lexical(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    members: &[Vec<String>],
    fresh: &[Keyword],
    shared: f64,
    percent: Option<f64>,
) -> Result<(Vec<Placement>, Vec<(ClusterMethod, f64)>)> {
    let mut wanted: Vec<String> = members
        .iter()
        .flatten()
        .map(|p| normalise_phrase(p))
        .collect();
    wanted.extend(fresh.iter().map(|k| k.normalised.clone()));
    let urls = p.db().serp_urls(account, site.id, &wanted).await?;
    let none: Vec<String> = Vec::new();
    let urls_of = |normalised: &str| urls.get(normalised).unwrap_or(&none);
    let old: Vec<Vec<&[String]>> = members
        .iter()
        .map(|m| {
            m.iter()
                .map(|p| urls_of(&normalise_phrase(p)).as_slice())
                .collect()
        })
        .collect();
    let with: Vec<usize> = (0..fresh.len())
        .filter(|i| !urls_of(&fresh[*i].normalised).is_empty())
        .collect();
    let new: Vec<&[String]> = with
        .iter()
        .map(|i| urls_of(&fresh[*i].normalised).as_slice())
        .collect();
    let serp = SerpClusterer::new(shared as usize).place(&old, &new);
    let serp_groups = new_groups(&serp);
    let mut placed = vec![Placement::New(0); fresh.len()];
    for (i, place) in with.iter().zip(&serp) {
        placed[*i] = *place;
    }
    // Lexically: against the existing clusters and the SERP groups (as if existing).
    let mut lexical_old: Vec<Vec<&str>> = members
        .iter()
        .map(|m| m.iter().map(String::as_str).collect())
        .collect();
    lexical_old.extend(std::iter::repeat_with(Vec::new).take(serp_groups));
    for (i, place) in with.iter().zip(&serp) {
        if let Placement::New(g) = place {
            lexical_old[members.len() + g].push(fresh[*i].phrase.as_str());
        }
    }
    let without: Vec<usize> = (0..fresh.len())
        .filter(|i| urls_of(&fresh[*i].normalised).is_empty())
        .collect();
    let phrases: Vec<&str> = without.iter().map(|i| fresh[*i].phrase.as_str()).collect();
    let lexical_threshold = percent.unwrap_or(LEXICAL_THRESHOLD);
    let lexical = LexicalClusterer::new(lexical_threshold).place(&lexical_old, &phrases);
    for (i, place) in without.iter().zip(&lexical) {
        placed[*i] = match *place {
            Placement::Existing(c) if c < members.len() => Placement::Existing(c),
            Placement::Existing(c) => Placement::New(c - members.len()),
            Placement::New(g) => Placement::New(serp_groups + g),
        };
    }
    let mut methods = vec![(ClusterMethod::Serp, shared); serp_groups];
    methods.extend(vec![
        (ClusterMethod::Lexical, lexical_threshold);
        new_groups(&lexical)
    ]);
    Ok((placed, methods))
}

/// Links keywords to the existing clusters they were placed in, in one transaction. A planned
/// (`mapped`) cluster that gains keywords is reopened (`new`), so stage 2 looks for search
/// intents it has no article for yet; it plans none for the intents it has.
pub async fn join_clusters(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    joins: &[(ClusterId, Vec<KeywordId>)],
) -> Result<u64> {
    // Read before the transaction: a read through the pool while it holds a connection
    // needs a second one.
    let mut planned = std::collections::HashSet::new();
    for (cluster, _) in joins {
        if p.db().cluster(account, *cluster).await?.status == ClusterStatus::Mapped {
            planned.insert(*cluster);
        }
    }
    let mut tx = p.db().begin().await?;
    let mut linked = 0;
    for (cluster, ids) in joins {
        let added = tx.map_keyword_ids(account, site, *cluster, ids).await?;
        linked += added;
        if added > 0 && planned.contains(cluster) {
            tx.move_status(account, *cluster, ClusterStatus::New)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(linked)
}

/// Whether the site's text model names clusters (any provider but the built-in offline one).
pub async fn model_names_clusters(p: &Pipeline, site: &Site) -> Result<bool> {
    let choice = crate::keys::text_for(p, site).await?;
    Ok(choice.provider.name() != "offline")
}

/// Creates the clusters of `groups` and links their keywords. Offline, in one transaction,
/// each named after its core phrase; with a model, one call per group, each settled with its
/// clusters.
pub async fn make_clusters(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    groups: &[NewGroup],
    run: Option<RunId>,
) -> Result<ClusterReport> {
    let mut report = ClusterReport::default();
    if model_names_clusters(p, site).await? {
        for group in groups {
            let one = name_with_model(p, account, site, group, run).await?;
            report.clusters.extend(one.clusters);
            report.keywords_mapped += one.keywords_mapped;
            report.credits = Credits(report.credits.0 + one.credits.0);
        }
        return Ok(report);
    }
    let mut tx = p.db().begin().await?;
    for NewGroup {
        method,
        threshold,
        keywords: group,
    } in groups
    {
        let (method, threshold) = (*method, *threshold);
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
                let first = group[0].id;
                let t = Some(threshold);
                same_name(
                    &mut tx,
                    account,
                    site.id,
                    &name,
                    &description,
                    method,
                    t,
                    first,
                )
                .await?
            }
        };
        let ids: Vec<KeywordId> = group.iter().map(|k| k.id).collect();
        report.keywords_mapped += tx.map_keyword_ids(account, site.id, cluster, &ids).await?;
        report.clusters.push(cluster);
    }
    tx.commit().await?;
    Ok(report)
}

/// The site's cluster of that name, which new keywords join (the name says they belong
/// together); when it is archived, a new cluster under the name with the keyword id of the
/// group's first keyword, so neither the archived cluster nor the group is lost.
#[allow(clippy::too_many_arguments)]
async fn same_name(
    tx: &mut pressroom_store::Tx,
    account: AccountId,
    site: SiteId,
    name: &str,
    description: &str,
    method: ClusterMethod,
    threshold: Option<f64>,
    first: KeywordId,
) -> Result<ClusterId> {
    match tx.cluster_named(account, site, name).await? {
        Some(c) if c.status != ClusterStatus::Archived => Ok(c.id),
        _ => {
            let name = format!("{name} (keyword {first})");
            tx.insert_cluster(account, site, &name, description, method, threshold)
                .await?
                .ok_or_else(|| {
                    PipelineError::Internal(format!("cluster name {name:?} taken twice"))
                })
        }
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
    new_group: &NewGroup,
    run: Option<RunId>,
) -> Result<ClusterReport> {
    let (method, threshold, group) = (new_group.method, new_group.threshold, &new_group.keywords);
    let members: Vec<Member<'_>> = group.iter().map(member).collect();
    let phrases: Vec<String> = name_candidates(&members)
        .into_iter()
        .take(NAMING_PHRASES_MAX)
        .map(str::to_string)
        .collect();
    let mut values = site_values(site);
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
        // A cluster the model named whose keywords all went to an earlier one is not made.
        let Some(first) = ids.first().copied() else {
            continue;
        };
        let t = Some(threshold);
        let cluster = match tx
            .insert_cluster(account, site.id, name, description, method, t)
            .await?
        {
            Some(c) => c,
            None => {
                same_name(
                    &mut tx,
                    account,
                    site.id,
                    name,
                    description,
                    method,
                    t,
                    first,
                )
                .await?
            }
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
    let grouping = group_new_keywords(p, account, &site, i64::MAX, run).await?;
    let mut report = ClusterReport {
        keywords_mapped: join_clusters(p, account, site.id, &grouping.joins).await?,
        clusters: grouping.joins.iter().map(|(c, _)| *c).collect(),
        ..Default::default()
    };
    let made = make_clusters(p, account, &site, &grouping.groups, run).await?;
    report.clusters.extend(made.clusters);
    report.keywords_mapped += made.keywords_mapped;
    report.credits = Credits(grouping.credits.0 + made.credits.0);
    Ok(report)
}
