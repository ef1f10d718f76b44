//! Articles get their image prompts and alt text: one model call each.

use super::call::{ask, input_json, record_failure, settle, site_values};
use crate::article::recheck;
use crate::context::{Pipeline, PipelineError, Result};
use crate::html::clean_text;
use pressroom_domain::ai::bounds::*;
use pressroom_domain::ai::*;
use pressroom_domain::article::section_headings;
use pressroom_domain::template::bullet_list;
use pressroom_domain::text::capitalise;
use pressroom_domain::*;
use pressroom_store::{NewImage, NewUsage};
use tracing::field::Empty;

/// generate-image-prompts: one featured and N in-article `pending` images for a draft article
/// that has none yet, each with its alt text; an in-article image is for one H2 section and is
/// placed after it.
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
    // A body without sections (an editor's, say) still gets its images: they illustrate the
    // article as a whole and go at its end.
    let mut headings = section_headings(&content.body_markdown);
    if headings.is_empty() {
        headings.push(content.title.clone());
    }
    let sections = pick_sections(&headings, site.settings.in_article_images as usize);
    let mut values = site_values(&site);
    values.extend([
        ("title", content.title.clone()),
        ("excerpt", content.excerpt.clone()),
        ("primary_keyword", content.primary_keyword.clone()),
        ("headings", bullet_list(&sections)),
        ("in_article_count", sections.len().to_string()),
    ]);
    let input = ImagePromptsInput {
        title: content.title.clone(),
        excerpt: content.excerpt.clone(),
        primary_keyword: content.primary_keyword.clone(),
        headings: sections.clone(),
        in_article_count: sections.len() as u32,
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
        alt_text: alt_or(&out.featured_alt, || {
            written_alt(&content.title, None, &content.primary_keyword)
        }),
        section: None,
    }];
    // One image per section asked for; the model's extra answers are dropped and a section
    // it gave no usable prompt for gets no image.
    for (section, item) in sections.iter().zip(&out.in_article_images) {
        let prompt = clean_text(&item.prompt, IMAGE_PROMPT_MAX as usize);
        if prompt.is_empty() {
            continue;
        }
        images.push(NewImage {
            image_type: ImageType::InArticle,
            position: images.len() as i64,
            prompt,
            negative_prompt: None,
            size: site.settings.in_article_image_size.clone(),
            alt_text: alt_or(&item.alt, || {
                written_alt(&content.title, Some(section), &content.primary_keyword)
            }),
            section: Some(section.clone()),
        });
    }
    let mut tx = p.db().begin().await?;
    let ids = tx.insert_images(&content, &images).await?;
    settle(&mut tx, account, &usage, None).await?;
    tx.commit().await?;
    recheck(p, account, content.id).await?;
    Ok((ids, usage.credits))
}

/// The sections `n` in-article images illustrate: spread evenly over the article (8 sections
/// and 2 images: the 3rd and the 6th); with more images than sections, every section gets one
/// and the rest go round again, so the site's image count is kept.
pub(crate) fn pick_sections(headings: &[String], n: usize) -> Vec<String> {
    let h = headings.len();
    if h == 0 {
        return Vec::new();
    }
    if n > h {
        return (0..n).map(|i| headings[i % h].clone()).collect();
    }
    (0..n)
        .map(|i| headings[(i + 1) * h / (n + 1)].clone())
        .collect()
}

/// The model's alt text made plain and short; when it gave none, one written from the
/// section and keyword.
fn alt_or(alt: &str, written: impl FnOnce() -> String) -> String {
    let alt = clean_text(alt, ALT_TEXT_MAX as usize);
    if alt.is_empty() { written() } else { alt }
}

/// "Choosing a grind size, for an article about french press coffee".
pub(crate) fn written_alt(title: &str, section: Option<&str>, keyword: &str) -> String {
    let topic = if keyword.trim().is_empty() {
        title.trim()
    } else {
        keyword.trim()
    };
    let alt = match section {
        Some(s) => format!("{}, from an article about {topic}", capitalise(s.trim())),
        None => format!("{} — {topic}", title.trim()),
    };
    clean_text(&alt, ALT_TEXT_MAX as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_spread_over_the_article() {
        let h: Vec<String> = (1..=8).map(|i| format!("S{i}")).collect();
        assert_eq!(pick_sections(&h, 2), ["S3", "S6"]);
        assert_eq!(pick_sections(&h, 1), ["S5"]);
        assert_eq!(pick_sections(&h[..2], 3), ["S1", "S2", "S1"]);
        assert_eq!(pick_sections(&h, 8), h);
        assert!(pick_sections(&[], 2).is_empty());
        assert!(pick_sections(&h, 0).is_empty());
    }

    #[test]
    fn written_alt_names_the_section_and_topic() {
        assert_eq!(
            written_alt(
                "French Press Guide",
                Some("choosing a grind"),
                "french press"
            ),
            "Choosing a grind, from an article about french press"
        );
        assert!(written_alt(&"x".repeat(300), None, "").chars().count() <= 125);
    }
}
