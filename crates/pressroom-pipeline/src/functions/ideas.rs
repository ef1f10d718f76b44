//! Clusters become ideas (one call per cluster, one idea per search intent), and ideas become
//! tasks (no call).

use super::call::{ask, input_json, record_failure, settle, site_values};
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::clean_text;
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::clustering::{IntentPlan, Member, plan_intents, terms_key};
use pressroom_domain::template::bullet_list;
use pressroom_domain::*;
use pressroom_store::{NewUsage, StoreError};
use std::collections::{HashMap, HashSet};
use tracing::field::Empty;

/// generate-ideas: one idea per search intent of a `new` cluster, which becomes `mapped`.
/// Each idea's primary keyword is one of the cluster's keywords that no other idea of the
/// site targets (compared by terms: case, accents, plurals, word order and modifiers folded),
/// and its secondary keywords are the cluster's own. A cluster whose searches all have
/// articles already gets none, and no call is made.
#[tracing::instrument(name = "generate_ideas", skip_all, fields(
    account = account.get(), site = Empty, run = run.map(RunId::get), cluster = cluster.get()
))]
pub async fn generate_ideas(
    p: &Pipeline,
    account: AccountId,
    cluster: ClusterId,
    run: Option<RunId>,
) -> Result<IdeasReport> {
    let cluster = p.db().cluster(account, cluster).await?;
    if cluster.status != ClusterStatus::New {
        return Err(PipelineError::Refused(format!(
            "cluster {} is {}, not new",
            cluster.id, cluster.status
        )));
    }
    tracing::Span::current().record("site", cluster.site_id.get());
    let site = p.db().site(account, cluster.site_id).await?;
    let keywords = p.db().cluster_members(account, cluster.id).await?;
    let members: Vec<Member<'_>> = keywords
        .iter()
        .map(|k| Member {
            phrase: &k.phrase,
            volume: k.volume.unwrap_or(0),
            intent: k.intent,
        })
        .collect();
    let keys: Vec<String> = members.iter().map(|m| terms_key(m.phrase)).collect();
    let taken: HashSet<String> = p
        .db()
        .taken_primary_terms(account, site.id, &keys)
        .await?
        .into_iter()
        .collect();
    // A cluster reopened because keywords joined it already has ideas: their intents are done.
    let planned: HashSet<String> = p
        .db()
        .ideas_in_cluster(account, cluster.id, 1000)
        .await?
        .iter()
        .map(|i| normalise_phrase(&i.primary_keyword))
        .collect();
    let plans = plan_intents(&members, &taken, &planned, SECONDARY_KEYWORDS_MAX as usize);
    if plans.is_empty() {
        let mut tx = p.db().begin().await?;
        tx.move_status(account, cluster.id, ClusterStatus::Mapped)
            .await?;
        tx.commit().await?;
        return Ok(IdeasReport::default());
    }
    // Primary keywords first, in plan order, then the rest not yet covered on the site.
    let mut offered: Vec<String> = plans.iter().map(|p| p.primary.clone()).collect();
    for (m, key) in members.iter().zip(&keys) {
        if !taken.contains(key) && !offered.iter().any(|o| o == m.phrase) {
            offered.push(m.phrase.to_string());
        }
    }
    let want = plans.len().min(IDEAS_MAX as usize) as u32;
    let mut values = site_values(&site);
    values.extend([
        ("cluster_name", cluster.name.clone()),
        ("cluster_description", cluster.description.clone()),
        ("keywords", bullet_list(&offered)),
        ("min_ideas", "1".to_string()),
        ("max_ideas", want.to_string()),
    ]);
    let input = IdeasInput {
        cluster_name: cluster.name.clone(),
        cluster_description: cluster.description.clone(),
        keywords: offered,
        min_ideas: 1,
        max_ideas: want,
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
    let ideas = keep_planned(out.ideas, &plans, &members, &taken);
    if ideas.is_empty() {
        record_failure(
            p,
            account,
            NewUsage {
                error: Some(
                    "the model returned no idea on a keyword of the cluster that has no article yet"
                        .into(),
                ),
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
    let mut report = IdeasReport {
        intents: plans.len() as i64,
        credits: usage.credits,
        ..Default::default()
    };
    for (idea, key) in &ideas {
        // Another run may have taken the same search since it was read: skip, never twice.
        if let Some(id) = tx
            .insert_idea(account, site.id, cluster.id, idea, key)
            .await?
        {
            report.ideas.push(id);
        }
    }
    tx.move_status(account, cluster.id, ClusterStatus::Mapped)
        .await?;
    settle(&mut tx, account, &usage, None).await?;
    tx.commit().await?;
    Ok(report)
}

/// What planning one cluster did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IdeasReport {
    pub ideas: Vec<IdeaId>,
    /// Distinct search intents found among the cluster's keywords not yet covered.
    pub intents: i64,
    pub credits: Credits,
}

/// The model's ideas that keep the rules, cleaned: at most one per planned intent; a primary
/// keyword that is one of the cluster's keywords, not covered on the site and not repeated;
/// secondary keywords from the cluster only (topped up from the plan's).
fn keep_planned(
    ideas: Vec<IdeaItem>,
    plans: &[IntentPlan],
    members: &[Member<'_>],
    taken: &HashSet<String>,
) -> Vec<(IdeaItem, String)> {
    // Members come highest volume first: a key's first phrase is its most searched.
    let mut in_cluster: HashMap<String, &str> = HashMap::new();
    for m in members {
        in_cluster.entry(terms_key(m.phrase)).or_insert(m.phrase);
    }
    let mut used: HashSet<String> = HashSet::new();
    let mut kept = Vec::new();
    for i in ideas.into_iter().take(IDEAS_MAX as usize) {
        let title = clean_text(&i.title, IDEA_TITLE_MAX as usize);
        let key = terms_key(&i.primary_keyword);
        let plan = plans.iter().find(|p| p.primary_terms == key);
        // The planned primary when the model kept it; else the cluster's own phrase.
        let Some(primary) = plan
            .map(|p| p.primary.as_str())
            .or_else(|| in_cluster.get(&key).copied())
        else {
            continue;
        };
        if title.is_empty() || key.is_empty() || taken.contains(&key) || !used.insert(key.clone()) {
            continue;
        }
        let mut seen: HashSet<String> = HashSet::from([key.clone()]);
        let secondary: Vec<String> = i
            .secondary_keywords
            .iter()
            .filter_map(|s| in_cluster.get(&terms_key(s)).map(|p| p.to_string()))
            .chain(plan.into_iter().flat_map(|p| p.secondary.iter().cloned()))
            .filter(|s| {
                let k = terms_key(s);
                !taken.contains(&k) && seen.insert(k)
            })
            .take(SECONDARY_KEYWORDS_MAX as usize)
            .collect();
        let outline: Vec<String> = i
            .outline
            .iter()
            .map(|h| clean_text(h, HEADING_MAX as usize))
            .filter(|h| !h.is_empty())
            .take(OUTLINE_MAX as usize)
            .collect();
        if outline.is_empty() {
            continue;
        }
        kept.push((
            IdeaItem {
                title,
                description: clean_text(&i.description, IDEA_DESCRIPTION_MAX as usize),
                content_structure: i.content_structure,
                outline,
                primary_keyword: clean_text(primary, KEYWORD_MAX as usize),
                secondary_keywords: secondary,
                target_words: i
                    .target_words
                    .clamp(TARGET_WORDS_MIN as u32, TARGET_WORDS_MAX as u32),
            },
            key,
        ));
        if kept.len() == plans.len() {
            break;
        }
    }
    kept
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
