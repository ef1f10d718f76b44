//! Keywords become clusters (one model call per batch), clusters become ideas (one call per
//! cluster), and ideas become tasks (no call).

use super::call::{ask, input_json, language_values, record_failure, settle};
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::clean_text;
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::template::bullet_list;
use pressroom_domain::*;
use pressroom_store::{NewUsage, StoreError};
use std::collections::HashMap;
use tracing::field::Empty;

/// What one clustering call did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClusterReport {
    pub clusters: Vec<ClusterId>,
    pub keywords_mapped: u64,
    pub credits: Credits,
}

/// auto-cluster: groups the given `new` keywords of one site into clusters (one model call).
/// Keywords the model leaves out stay `new`; phrases it invents are ignored.
#[tracing::instrument(name = "auto_cluster", skip_all, fields(
    account = account.get(), site = site.get(), run = run.map(RunId::get), keywords = keyword_ids.len()
))]
pub async fn auto_cluster(
    p: &Pipeline,
    account: AccountId,
    site: SiteId,
    keyword_ids: &[KeywordId],
    run: Option<RunId>,
) -> Result<ClusterReport> {
    let site = p.db().site(account, site).await?;
    let keywords: Vec<Keyword> = p
        .db()
        .keywords_by_ids(account, keyword_ids)
        .await?
        .into_iter()
        .filter(|k| k.site_id == site.id && k.status == KeywordStatus::New)
        .collect();
    if keywords.is_empty() {
        return Ok(ClusterReport::default());
    }
    let phrases: Vec<String> = keywords.iter().map(|k| k.phrase.clone()).collect();
    let mut values = language_values(&site);
    values.push(("keywords", bullet_list(&phrases)));
    let input = ClusterInput { keywords: phrases };
    let max_tokens = input.max_output_tokens();
    let input = input_json(AiFunction::AutoCluster, &input)?;
    let (out, usage): (ClusterOutput, _) = ask(
        p,
        &site,
        AiFunction::AutoCluster,
        input,
        max_tokens,
        values,
        None,
        run,
    )
    .await?;
    let known: HashMap<String, ()> = keywords
        .iter()
        .map(|k| (k.normalised.clone(), ()))
        .collect();
    let method = if usage.provider == "offline" {
        ClusterMethod::Lexical
    } else {
        ClusterMethod::Llm
    };
    let mut report = ClusterReport {
        credits: usage.credits,
        ..Default::default()
    };
    let mut tx = p.db().begin().await?;
    for item in out.clusters {
        let name = clean_text(&item.name, CLUSTER_NAME_MAX as usize);
        let members: Vec<String> = item
            .keywords
            .iter()
            .map(|k| normalise_phrase(k))
            .filter(|k| known.contains_key(k))
            .collect();
        if name.is_empty() || members.is_empty() {
            continue;
        }
        let item = ClusterItem {
            name,
            description: clean_text(&item.description, CLUSTER_DESCRIPTION_MAX as usize),
            keywords: Vec::new(),
        };
        let cluster = tx.upsert_cluster(account, site.id, &item, method).await?;
        report.keywords_mapped += tx.map_keywords(account, site.id, cluster, &members).await?;
        if !report.clusters.contains(&cluster) {
            report.clusters.push(cluster);
        }
    }
    settle(&mut tx, account, &usage, None).await?;
    tx.commit().await?;
    Ok(report)
}

/// generate-ideas: 3-7 ideas with outlines for one `new` cluster, which becomes `mapped`.
#[tracing::instrument(name = "generate_ideas", skip_all, fields(
    account = account.get(), site = Empty, run = run.map(RunId::get), cluster = cluster.get()
))]
pub async fn generate_ideas(
    p: &Pipeline,
    account: AccountId,
    cluster: ClusterId,
    run: Option<RunId>,
) -> Result<(Vec<IdeaId>, Credits)> {
    let cluster = p.db().cluster(account, cluster).await?;
    if cluster.status != ClusterStatus::New {
        return Err(PipelineError::Refused(format!(
            "cluster {} is {}, not new",
            cluster.id, cluster.status
        )));
    }
    tracing::Span::current().record("site", cluster.site_id.get());
    let site = p.db().site(account, cluster.site_id).await?;
    let keywords = p.db().cluster_keywords(account, cluster.id).await?;
    let mut values = language_values(&site);
    values.extend([
        ("cluster_name", cluster.name.clone()),
        ("cluster_description", cluster.description.clone()),
        ("keywords", bullet_list(&keywords)),
        ("min_ideas", "3".to_string()),
        ("max_ideas", "7".to_string()),
    ]);
    let input = IdeasInput {
        cluster_name: cluster.name.clone(),
        cluster_description: cluster.description.clone(),
        keywords,
        min_ideas: 3,
        max_ideas: 7,
    };
    let max_tokens = input.max_output_tokens();
    let input = input_json(AiFunction::GenerateIdeas, &input)?;
    let (out, usage): (IdeasOutput, _) = ask(
        p,
        &site,
        AiFunction::GenerateIdeas,
        input,
        max_tokens,
        values,
        Some(Subject::Cluster(cluster.id)),
        run,
    )
    .await?;
    let ideas: Vec<IdeaItem> = out
        .ideas
        .into_iter()
        .take(IDEAS_MAX as usize)
        .map(|i| IdeaItem {
            title: clean_text(&i.title, IDEA_TITLE_MAX as usize),
            description: clean_text(&i.description, IDEA_DESCRIPTION_MAX as usize),
            content_structure: i.content_structure,
            outline: i
                .outline
                .iter()
                .map(|h| clean_text(h, HEADING_MAX as usize))
                .filter(|h| !h.is_empty())
                .take(OUTLINE_MAX as usize)
                .collect(),
            primary_keyword: clean_text(&i.primary_keyword, KEYWORD_MAX as usize),
            secondary_keywords: i
                .secondary_keywords
                .iter()
                .map(|k| clean_text(k, KEYWORD_MAX as usize))
                .filter(|k| !k.is_empty())
                .take(SECONDARY_KEYWORDS_MAX as usize)
                .collect(),
            target_words: i
                .target_words
                .clamp(TARGET_WORDS_MIN as u32, TARGET_WORDS_MAX as u32),
        })
        .filter(|i| !i.title.is_empty() && !i.outline.is_empty())
        .collect();
    if ideas.is_empty() {
        record_failure(
            p,
            account,
            NewUsage {
                error: Some("the model returned no usable ideas".into()),
                ..usage
            },
        )
        .await?;
        return Err(PipelineError::BadOutput(format!(
            "no usable ideas for cluster {:?}",
            cluster.name
        )));
    }
    let mut tx = p.db().begin().await?;
    let mut ids = Vec::new();
    for idea in &ideas {
        ids.push(tx.insert_idea(account, site.id, cluster.id, idea).await?);
    }
    tx.move_status(account, cluster.id, ClusterStatus::Mapped)
        .await?;
    settle(&mut tx, account, &usage, None).await?;
    tx.commit().await?;
    Ok((ids, usage.credits))
}

/// Stage 3, local: a task for each `new` idea; no AI, no credits.
#[tracing::instrument(name = "create_tasks", skip_all, fields(account = account.get(), ideas = ideas.len()))]
pub async fn create_tasks(
    p: &Pipeline,
    account: AccountId,
    ideas: &[IdeaId],
) -> Result<Vec<TaskId>> {
    // Read before the transaction: a read through the pool while the transaction holds a
    // connection needs a second one, and enough callers doing that at once exhaust the pool.
    let mut new_ideas = Vec::with_capacity(ideas.len());
    for id in ideas {
        let idea = p.db().idea(account, *id).await?;
        if idea.status == IdeaStatus::New {
            new_ideas.push(idea);
        }
    }
    let mut tx = p.db().begin().await?;
    let mut tasks = Vec::new();
    for idea in &new_ideas {
        match tx.create_task_for_idea(idea).await {
            Ok(task) => tasks.push(task),
            // Made into a task since it was read (by another run or a person): the guarded
            // move wrote nothing, so skip it rather than make a second task.
            Err(StoreError::Domain(DomainError::IllegalTransition { .. }))
            | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(tasks)
}
