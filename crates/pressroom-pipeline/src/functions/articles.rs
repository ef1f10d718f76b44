//! Tasks become articles and articles get their image prompts: one model call each.

use super::call::{ask, input_json, language_values, record_failure, settle};
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::{clean_text, headings, render_markdown, slugify, word_count};
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::template::bullet_list;
use pressroom_domain::*;
use pressroom_store::{NewContent, NewImage, NewUsage, StoreError};
use tracing::field::Empty;

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
        target_words: target_words(idea.id, idea.target_words)?,
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
#[tracing::instrument(name = "generate_image_prompts", skip_all, fields(
    account = account.get(), site = Empty, run = run.map(RunId::get), content = content.get()
))]
pub async fn generate_image_prompts(
    p: &Pipeline,
    account: AccountId,
    content: ContentId,
    run: Option<RunId>,
) -> Result<(Vec<ImageId>, Credits)> {
    let content = p.db().content(account, content).await?;
    tracing::Span::current().record("site", content.site_id.get());
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
    let input = input_json(AiFunction::GenerateImagePrompts, &input)?;
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
