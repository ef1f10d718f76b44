//! Tasks become articles: one model call each, the answer fitted to the on-page limits.

use super::call::{ask, input_json, record_failure, settle, site_values};
use crate::article::refresh_links;
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::{clean_text, first_paragraph_text, render_markdown, word_count};
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::article::fit::{
    fit_meta_description, fit_meta_title, normalise_body, slugify,
};
use pressroom_domain::template::bullet_list;
use pressroom_domain::*;
use pressroom_providers::offline::PROVIDER as OFFLINE_PROVIDER;
use pressroom_store::{ContentText, NewContent, NewUsage, StoreError};
use tracing::field::Empty;

/// Ideas of a cluster read for the writer's related keywords (a cluster has a handful).
const RELATED_IDEAS_READ: u32 = 50;
/// Related keywords the writer is asked to mention: enough for the links an article gets.
const RELATED_KEYWORDS_MAX: usize = 6;

/// generate-content: writes the article for a `queued` (or interrupted `in_progress`) task.
/// A failure marks the task `failed` with the error.
#[tracing::instrument(name = "generate_content", skip_all, fields(
    account = account.get(), site = Empty, run = run.map(RunId::get), task = task.get()
))]
pub async fn generate_content(
    p: &Pipeline,
    account: AccountId,
    task: TaskId,
    run: Option<RunId>,
) -> Result<(ContentId, Credits)> {
    let task = p.db().task(account, task).await?;
    tracing::Span::current().record("site", task.site_id.get());
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
        // Credits, budget and transient failures leave the task for a later try; the rest
        // fail it.
        if !e.is_transient()
            && !matches!(
                e,
                PipelineError::Store(StoreError::InsufficientCredits { .. })
                    | PipelineError::OverBudget(_)
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
    let (draft, usage) = draft_article(p, account, task, Some(Subject::Task(task.id)), run).await?;
    let task = p.db().task(account, task.id).await?;
    let mut tx = p.db().begin().await?;
    let id = tx.insert_content(&task, &draft.into()).await?;
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
    // The article is written and paid for; its links and check follow. Should either fail
    // (a database error), stage 5 checks the article again after its image prompts, so the
    // failure is logged rather than failing a task whose article exists.
    if let Err(e) = refresh_links(p, account, task.cluster_id).await {
        tracing::warn!(content = id.get(), error = %e, "internal links not refreshed");
    }
    Ok((id, usage.credits))
}

/// An article as the writer made it, fitted to the on-page limits, not yet stored.
pub(crate) struct Draft {
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub body_html: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub offline: bool,
}

impl From<Draft> for NewContent {
    fn from(d: Draft) -> NewContent {
        NewContent {
            title: d.title,
            slug: d.slug,
            meta_title: d.meta_title,
            meta_description: d.meta_description,
            excerpt: d.excerpt,
            body_html: d.body_html,
            body_markdown: d.body_markdown,
            word_count: d.word_count,
            primary_keyword: d.primary_keyword,
            secondary_keywords: d.secondary_keywords,
            offline: d.offline,
        }
    }
}

/// A regenerated article's text; its secondary keywords stay the idea's, as stored.
impl From<Draft> for ContentText {
    fn from(d: Draft) -> ContentText {
        ContentText {
            title: d.title,
            slug: d.slug,
            meta_title: d.meta_title,
            meta_description: d.meta_description,
            excerpt: d.excerpt,
            body_markdown: d.body_markdown,
            body_html: d.body_html,
            word_count: d.word_count,
            primary_keyword: d.primary_keyword,
            offline: d.offline,
        }
    }
}

/// One generate-content call for `task`'s idea: the writer is told the primary keywords of
/// the cluster's other ideas (so links find anchors), and its answer is fitted to the on-page
/// limits at word or sentence boundaries. The usage row is returned unsettled: the caller
/// stores the text and charges in one transaction.
pub(crate) async fn draft_article(
    p: &Pipeline,
    account: AccountId,
    task: &Task,
    subject: Option<Subject>,
    run: Option<RunId>,
) -> Result<(Draft, NewUsage)> {
    let idea = p.db().idea(account, task.idea_id).await?;
    let site = p.db().site(account, task.site_id).await?;
    let related: Vec<String> = p
        .db()
        .ideas_in_cluster(account, task.cluster_id, RELATED_IDEAS_READ)
        .await?
        .into_iter()
        .filter(|i| i.id != idea.id && !i.primary_keyword.trim().is_empty())
        .map(|i| i.primary_keyword)
        .take(RELATED_KEYWORDS_MAX)
        .collect();
    let voice = &site.settings.voice;
    // The site's word range replaces the idea's own target when that falls outside it.
    let target = target_words(idea.id, idea.target_words)?.clamp(voice.words_min, voice.words_max);
    let mut values = site_values(&site);
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
        ("target_words", target.to_string()),
        ("related_keywords", related.join(", ")),
    ]);
    let input = ContentInput {
        title: idea.title.clone(),
        brief: idea.description.clone(),
        outline: idea.outline.clone(),
        primary_keyword: idea.primary_keyword.clone(),
        secondary_keywords: idea.secondary_keywords.clone(),
        content_structure: idea.content_structure,
        target_words: target,
        related_keywords: related,
        voice: WriterVoice {
            words: Some((voice.words_min, voice.words_max)),
            always_say: voice.always_say.clone(),
            never_say: voice.never_say.clone(),
        },
    };
    let max_tokens = input.max_output_tokens();
    let input = input_json(AiFunction::GenerateContent, &input)?;
    let (out, usage): (ArticleOutput, _) = ask(
        p,
        &site,
        AiFunction::GenerateContent,
        input,
        max_tokens,
        values,
        subject,
        run,
    )
    .await?;
    let title = clean_text(&out.title, ARTICLE_TITLE_MAX as usize);
    let title = if title.is_empty() {
        idea.title.clone()
    } else {
        title
    };
    // The Markdown is kept as written once fitted (it is never rendered unsanitised).
    let body_markdown = normalise_body(&out.body_markdown, &title);
    let excerpt = clean_text(&out.excerpt, EXCERPT_MAX as usize);
    let intro = first_paragraph_text(&body_markdown);
    let draft = Draft {
        slug: slugify(&title),
        meta_title: fit_meta_title(
            &clean_text(&out.meta_title, META_TITLE_MAX as usize),
            &title,
            &idea.primary_keyword,
        ),
        meta_description: fit_meta_description(
            &clean_text(&out.meta_description, META_DESCRIPTION_MAX as usize),
            &[&excerpt, &intro],
        ),
        excerpt,
        body_html: render_markdown(&body_markdown),
        word_count: word_count(&body_markdown),
        body_markdown,
        primary_keyword: idea.primary_keyword.clone(),
        secondary_keywords: idea.secondary_keywords.clone(),
        offline: usage.provider == OFFLINE_PROVIDER,
        title,
    };
    if draft.word_count < 50 {
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
            task.id, draft.word_count
        )));
    }
    Ok((draft, usage))
}

/// An idea's stored word target as the model is sent it. Ideas are saved from the model's
/// answer with the target clamped to the schema's bounds, so one outside `u32` is a corrupt
/// row: the task fails naming the idea, rather than being written to a made-up length.
fn target_words(idea: IdeaId, stored: i64) -> Result<u32> {
    u32::try_from(stored).map_err(|_| {
        StoreError::Corrupt {
            what: "idea",
            detail: format!("idea {idea} has a word target of {stored}"),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_target_outside_u32_is_corrupt_not_a_default() {
        assert_eq!(target_words(IdeaId::new(4), 1200).unwrap(), 1200);
        let e = target_words(IdeaId::new(4), -1).unwrap_err();
        assert!(
            matches!(e, PipelineError::Store(StoreError::Corrupt { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("idea 4"), "{e}");
    }
}
