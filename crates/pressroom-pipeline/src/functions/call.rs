//! The AI functions of SPEC 4.1. Each follows the same phases: validate input, load data, build
//! the prompt from the site's template, check credits, call the model, parse its JSON strictly,
//! sanitise, and save the output together with its usage row and credit charge in one
//! transaction. Inputs are typed by entity: `generate_content` takes `TaskId`s and nothing else.

use crate::context::{Pipeline, PipelineError, Result};
use crate::html::{clean_text, headings, render_markdown, slugify, word_count};
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::template::bullet_list;
use pressroom_domain::*;
use pressroom_providers::{Correction, ModelKind, TextRequest, UsageRecord};
use pressroom_store::{NewContent, NewImage, NewUsage, StoreError, Tx};
use serde::de::DeserializeOwned;
use std::collections::HashMap;

const SYSTEM_PROMPT: &str = "You are an SEO content assistant for a publishing team. Answer with JSON that matches the given schema exactly, and nothing else.";
/// Output tokens assumed per call when checking credits before a call.
const EXPECTED_OUTPUT_TOKENS: i64 = 2000;

pub(crate) fn usage_row(
    u: &UsageRecord,
    site: Option<SiteId>,
    subject: Option<Subject>,
    run: Option<RunId>,
) -> NewUsage {
    NewUsage {
        site,
        function: u.function,
        provider: u.provider.clone(),
        model: u.model.clone(),
        tokens_in: u.tokens_in,
        tokens_out: u.tokens_out,
        images: u.images,
        cost: u.cost,
        credits: if u.success { u.credits } else { Credits::ZERO },
        latency_ms: u.latency_ms,
        error: u.error.clone(),
        subject,
        run,
    }
}

/// Writes a usage row and charges its credits under `key` (once), in `tx`.
pub(crate) async fn settle(
    tx: &mut Tx,
    account: AccountId,
    usage: &NewUsage,
    key: Option<String>,
) -> Result<()> {
    let id = tx.insert_usage(account, usage).await?;
    if usage.credits.0 > 0 {
        let key = key.unwrap_or_else(|| format!("usage:{id}"));
        let reason = format!(
            "{} ({} {})",
            usage.function.as_str(),
            usage.provider,
            usage.model
        );
        tx.charge_credits(account, usage.credits, &reason, &key, Some(id))
            .await?;
    }
    Ok(())
}

/// Records a call that produced nothing usable, in its own transaction.
pub(crate) async fn record_failure(
    p: &Pipeline,
    account: AccountId,
    usage: NewUsage,
) -> Result<()> {
    let mut tx = p.db().begin().await?;
    settle(
        &mut tx,
        account,
        &NewUsage {
            credits: Credits::ZERO,
            ..usage
        },
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses before any provider call when the balance cannot cover `needed`.
pub(crate) async fn ensure_credits(
    p: &Pipeline,
    account: AccountId,
    needed: Credits,
) -> Result<()> {
    if needed.0 <= 0 {
        return Ok(());
    }
    let balance = p.db().account(account).await?.credits;
    if balance < needed {
        return Err(StoreError::InsufficientCredits { needed, balance }.into());
    }
    Ok(())
}

/// One structured call: template, credit check, model, answer checked against the schema's
/// bounds. An invalid answer is asked again once, with the answer and what was wrong with it;
/// a second invalid answer is [`PipelineError::InvalidAnswer`]. Every call writes a usage row:
/// failed ones (invalid answers included) here and without a charge, the successful one is
/// returned for the caller to settle with the output.
#[allow(clippy::too_many_arguments)]
async fn ask<T: DeserializeOwned>(
    p: &Pipeline,
    site: &Site,
    function: AiFunction,
    input: serde_json::Value,
    max_tokens: u32,
    values: Vec<(&str, String)>,
    subject: Option<Subject>,
    run: Option<RunId>,
) -> Result<(T, NewUsage)> {
    let account = site.account_id;
    let choice = p.providers().text(account.get(), &site.settings)?;
    let user = site.settings.template(function).render(&values);
    let spec = p.model_spec(choice.provider.name(), ModelKind::Text, &choice.model);
    let mut request =
        TextRequest::for_function(function, choice.model.clone(), SYSTEM_PROMPT, user, input);
    request.max_tokens = Some(max_tokens);
    loop {
        let sent = pressroom_providers::types::estimate_tokens(&request.user)
            + request.correction.as_ref().map_or(0, |c| {
                pressroom_providers::types::estimate_tokens(&c.answer)
                    + pressroom_providers::types::estimate_tokens(&c.problems)
            });
        let estimate =
            spec.text_credits(sent + 50, EXPECTED_OUTPUT_TOKENS.min(i64::from(max_tokens)));
        ensure_credits(p, account, estimate).await?;
        let (result, usage) = choice.provider.complete(&request).await.into_parts();
        let usage = usage_row(&usage, Some(site.id), subject, run);
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                record_failure(p, account, usage).await?;
                return Err(e.into());
            }
        };
        let invalid = match check_answer::<T>(function, &response.content) {
            Ok(parsed) => return Ok((parsed, usage)),
            Err(invalid) => invalid,
        };
        record_failure(
            p,
            account,
            NewUsage {
                error: Some(invalid.to_string()),
                ..usage
            },
        )
        .await?;
        if request.correction.is_some() {
            return Err(invalid.into());
        }
        tracing::info!(function = function.as_str(), error = %invalid, "invalid answer; asking once more");
        request.correction = Some(Correction {
            answer: response.content,
            problems: invalid
                .problems
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        });
    }
}

fn language_values(site: &Site) -> Vec<(&'static str, String)> {
    vec![
        ("site_name", site.name.clone()),
        ("language", site.language.clone()),
    ]
}

/// What one clustering call did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClusterReport {
    pub clusters: Vec<ClusterId>,
    pub keywords_mapped: u64,
    pub credits: Credits,
}

/// auto-cluster: groups the given `new` keywords of one site into clusters (one model call).
/// Keywords the model leaves out stay `new`; phrases it invents are ignored.
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
    let input = serde_json::to_value(input).unwrap_or_default();
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
    let input = serde_json::to_value(input).unwrap_or_default();
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

/// generate-content: writes the article for a `queued` (or interrupted `in_progress`) task.
/// A failure marks the task `failed` with the error.
pub async fn generate_content(
    p: &Pipeline,
    account: AccountId,
    task: TaskId,
    run: Option<RunId>,
) -> Result<(ContentId, Credits)> {
    let task = p.db().task(account, task).await?;
    match task.status {
        TaskStatus::Queued => {
            let mut tx = p.db().begin().await?;
            tx.move_status(account, task.id, TaskStatus::InProgress)
                .await?;
            tx.commit().await?;
        }
        TaskStatus::InProgress => {}
        other => {
            return Err(PipelineError::Refused(format!(
                "task {} is {other}, not queued",
                task.id
            )));
        }
    }
    let result = write_article(p, account, &task, run).await;
    if let Err(e) = &result {
        // Credits and transient failures leave the task for a later try; the rest fail it.
        if !e.is_transient()
            && !matches!(
                e,
                PipelineError::Store(StoreError::InsufficientCredits { .. })
            )
        {
            let task = p.db().task(account, task.id).await?;
            let mut tx = p.db().begin().await?;
            tx.fail_task(&task, &e.to_string()).await?;
            tx.commit().await?;
        }
    }
    result
}

async fn write_article(
    p: &Pipeline,
    account: AccountId,
    task: &Task,
    run: Option<RunId>,
) -> Result<(ContentId, Credits)> {
    let idea = p.db().idea(account, task.idea_id).await?;
    let site = p.db().site(account, task.site_id).await?;
    let mut values = language_values(&site);
    values.extend([
        ("title", idea.title.clone()),
        ("brief", idea.description.clone()),
        ("outline", bullet_list(&idea.outline)),
        ("primary_keyword", idea.primary_keyword.clone()),
        ("secondary_keywords", idea.secondary_keywords.join(", ")),
        (
            "content_structure",
            idea.content_structure.as_str().to_string(),
        ),
        ("target_words", idea.target_words.to_string()),
    ]);
    let input = ContentInput {
        title: idea.title.clone(),
        brief: idea.description.clone(),
        outline: idea.outline.clone(),
        primary_keyword: idea.primary_keyword.clone(),
        secondary_keywords: idea.secondary_keywords.clone(),
        content_structure: idea.content_structure,
        target_words: u32::try_from(idea.target_words).unwrap_or(1000),
    };
    let max_tokens = input.max_output_tokens();
    let input = serde_json::to_value(input).unwrap_or_default();
    let (out, usage): (ArticleOutput, _) = ask(
        p,
        &site,
        AiFunction::GenerateContent,
        input,
        max_tokens,
        values,
        Some(Subject::Task(task.id)),
        run,
    )
    .await?;
    let title = clean_text(&out.title, ARTICLE_TITLE_MAX as usize);
    let title = if title.is_empty() {
        idea.title.clone()
    } else {
        title
    };
    // The Markdown is kept as written (it is never rendered unsanitised); the HTML is safe.
    let content = NewContent {
        slug: slugify(&title),
        meta_title: clean_text(&out.meta_title, META_TITLE_MAX as usize),
        meta_description: clean_text(&out.meta_description, META_DESCRIPTION_MAX as usize),
        excerpt: clean_text(&out.excerpt, EXCERPT_MAX as usize),
        body_html: render_markdown(&out.body_markdown),
        word_count: word_count(&out.body_markdown),
        body_markdown: out.body_markdown,
        primary_keyword: idea.primary_keyword.clone(),
        secondary_keywords: idea.secondary_keywords.clone(),
        title,
    };
    if content.word_count < 50 {
        record_failure(
            p,
            account,
            NewUsage {
                error: Some("article body too short".into()),
                ..usage
            },
        )
        .await?;
        return Err(PipelineError::BadOutput(format!(
            "the article for task {} has only {} words",
            task.id, content.word_count
        )));
    }
    let task = p.db().task(account, task.id).await?;
    let mut tx = p.db().begin().await?;
    let id = tx.insert_content(&task, &content).await?;
    settle(
        &mut tx,
        account,
        &NewUsage {
            subject: Some(Subject::Content(id)),
            ..usage.clone()
        },
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((id, usage.credits))
}

/// generate-image-prompts: one featured and N in-article `pending` images for a draft article
/// that has none yet.
pub async fn generate_image_prompts(
    p: &Pipeline,
    account: AccountId,
    content: ContentId,
    run: Option<RunId>,
) -> Result<(Vec<ImageId>, Credits)> {
    let content = p.db().content(account, content).await?;
    if content.status != ContentStatus::Draft {
        return Err(PipelineError::Refused(format!(
            "content {} is {}, not draft",
            content.id, content.status
        )));
    }
    if !p
        .db()
        .images_of_content(account, content.id)
        .await?
        .is_empty()
    {
        return Ok((Vec::new(), Credits::ZERO));
    }
    let site = p.db().site(account, content.site_id).await?;
    let n = site.settings.in_article_images;
    let heads = headings(&content.body_markdown);
    let mut values = language_values(&site);
    values.extend([
        ("title", content.title.clone()),
        ("excerpt", content.excerpt.clone()),
        ("headings", bullet_list(&heads)),
        ("in_article_count", n.to_string()),
    ]);
    let input = ImagePromptsInput {
        title: content.title.clone(),
        excerpt: content.excerpt.clone(),
        headings: heads,
        in_article_count: n,
    };
    let max_tokens = input.max_output_tokens();
    let input = serde_json::to_value(input).unwrap_or_default();
    let (out, usage): (ImagePromptsOutput, _) = ask(
        p,
        &site,
        AiFunction::GenerateImagePrompts,
        input,
        max_tokens,
        values,
        Some(Subject::Content(content.id)),
        run,
    )
    .await?;
    let featured = clean_text(&out.featured_prompt, IMAGE_PROMPT_MAX as usize);
    if featured.is_empty() {
        record_failure(
            p,
            account,
            NewUsage {
                error: Some("empty featured prompt".into()),
                ..usage
            },
        )
        .await?;
        return Err(PipelineError::BadOutput(format!(
            "no featured image prompt for content {}",
            content.id
        )));
    }
    let mut images = vec![NewImage {
        image_type: ImageType::Featured,
        position: 0,
        prompt: featured,
        negative_prompt: None,
        size: site.settings.featured_image_size.clone(),
    }];
    for (i, prompt) in out
        .in_article_prompts
        .iter()
        .map(|p| clean_text(p, IMAGE_PROMPT_MAX as usize))
        .filter(|p| !p.is_empty())
        .take(n as usize)
        .enumerate()
    {
        images.push(NewImage {
            image_type: ImageType::InArticle,
            position: i as i64 + 1,
            prompt,
            negative_prompt: None,
            size: site.settings.in_article_image_size.clone(),
        });
    }
    let mut tx = p.db().begin().await?;
    let ids = tx.insert_images(&content, &images).await?;
    settle(&mut tx, account, &usage, None).await?;
    tx.commit().await?;
    Ok((ids, usage.credits))
}
