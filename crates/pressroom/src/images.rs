//! `pressroom images generate|list|retry|alt|regenerate|upload`: images by id, a site's images
//! by status, a site's failures queued again (all through the pipeline's image generation
//! queue), and one image's alt text, new picture or uploaded file.

use crate::ImagesCommand;
use crate::config::{Config, find_site, pipeline, work_until};
use crate::exit::Exit;
use crate::output::{Out, note, outcome_error};
use anyhow::{Context, bail};
use pressroom_domain::ids::parse_id_list;
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::content;
use pressroom_pipeline::images::{self, ImageRequestOutcome, generate_images};
use serde_json::json;

pub async fn command(config: &Config, out: &Out, cmd: ImagesCommand) -> anyhow::Result<Exit> {
    match cmd {
        ImagesCommand::Generate { ids } => generate(config, out, &ids).await,
        ImagesCommand::List {
            site,
            status,
            limit,
            after,
        } => list(config, out, &site, status.as_deref(), limit, after).await,
        ImagesCommand::Retry { failed: _, site } => retry_failed(config, out, &site).await,
        ImagesCommand::Alt { id, text } => {
            let (p, account) = pipeline(config).await?;
            let image = content::set_image_alt(&p, account, ImageId::new(id), &text).await?;
            out.emit(
                || format!("image {}: alt text \"{}\"", image.id, image.alt_text),
                json!({"image": image}),
            );
            Ok(Exit::Ok)
        }
        ImagesCommand::Regenerate { id } => {
            let (p, account) = pipeline(config).await?;
            let id = ImageId::new(id);
            let outcome = content::regenerate_image(&p, account, id).await?;
            settle(&p, account, &queued(&[outcome])).await?;
            finished(out, p.db().image(account, id).await?)
        }
        ImagesCommand::Upload { id, file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let (p, account) = pipeline(config).await?;
            finished(
                out,
                content::upload_image(&p, account, ImageId::new(id), bytes).await?,
            )
        }
    }
}

/// One image after a change: generated (with its file) or failed (exit 3, with the error).
fn finished(out: &Out, image: Image) -> anyhow::Result<Exit> {
    let exit = Exit::of_batch(0, usize::from(image.status == ImageStatus::Failed));
    let error = outcome_error(exit, || {
        format!(
            "image {} failed: {}",
            image.id,
            image.error.as_deref().unwrap_or("")
        )
    });
    out.emit(
        || match image.status {
            ImageStatus::Failed => format!(
                "image {}: failed {}",
                image.id,
                image.error.as_deref().unwrap_or("")
            ),
            status => format!(
                "image {}: {status} ({})",
                image.id,
                image.file_path.as_deref().unwrap_or("")
            ),
        },
        json!({"image": image, "error": error}),
    );
    Ok(exit)
}

async fn list(
    config: &Config,
    out: &Out,
    site: &str,
    status: Option<&str>,
    limit: u32,
    after: i64,
) -> anyhow::Result<Exit> {
    // clap has already limited --status to the four names.
    let status = status.map(ImageStatus::parse).transpose()?;
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let rows = p
        .db()
        .images_after(account, site.id, status, after, limit.clamp(1, 1000))
        .await?;
    out.emit(
        || {
            let mut lines: Vec<String> = rows
                .iter()
                .map(|i| {
                    format!(
                        "{:>7}  content {:>6}  {:<9} {:<10} {}",
                        i.id,
                        i.content_id,
                        i.image_type.as_str(),
                        i.status.as_str(),
                        i.error.as_deref().or(i.file_path.as_deref()).unwrap_or("")
                    )
                })
                .collect();
            lines.push(format!("{} images", rows.len()));
            if status == Some(ImageStatus::Failed) && !rows.is_empty() {
                lines.push(format!(
                    "retry them with `pressroom images retry --failed --site {}`",
                    site.name
                ));
            }
            lines.join("\n")
        },
        json!({"images": rows, "next_after": rows.last().map(|i| i.id)}),
    );
    Ok(Exit::Ok)
}

/// Queues every failed image of the site again and works them here until they settle.
/// Exits 3 when some fail again.
async fn retry_failed(config: &Config, out: &Out, site: &str) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let site = find_site(p.db(), account, site).await?;
    let outcomes = images::retry_failed(&p, account, site.id).await?;
    let queued = queued(&outcomes);
    settle(&p, account, &queued).await?;
    let again: Vec<Image> = p
        .db()
        .images_by_ids(account, &queued)
        .await?
        .into_iter()
        .filter(|i| i.status == ImageStatus::Failed)
        .collect();
    let exit = Exit::of_batch(0, again.len());
    let error = outcome_error(exit, || {
        format!("{} of {} images failed again", again.len(), queued.len())
    });
    out.emit(
        || {
            let mut lines = vec![format!(
                "{} failed images queued again: {} generated, {} failed again",
                queued.len(),
                queued.len() - again.len(),
                again.len()
            )];
            lines.extend(again.iter().map(|i| format!("image {}: {}", i.id, i.error.as_deref().unwrap_or(""))));
            lines.join("\n")
        },
        json!({"retried": queued.len(), "failed_again": again.iter().map(|i| json!({"id": i.id, "error": i.error})).collect::<Vec<_>>(), "error": error}),
    );
    if exit != Exit::Ok && !out.json {
        note!(
            "{} images failed again; see `pressroom images list --status failed --site {}`",
            again.len(),
            site.name
        );
    }
    Ok(exit)
}

fn queued(outcomes: &[ImageRequestOutcome]) -> Vec<ImageId> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            ImageRequestOutcome::Queued { image } => Some(*image),
            _ => None,
        })
        .collect()
}

/// Runs an embedded worker until every image in `ids` is generated or failed.
async fn settle(p: &Pipeline, account: AccountId, ids: &[ImageId]) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    work_until(p, || {
        let p = p.clone();
        let ids = ids.to_vec();
        async move {
            Ok(p.db()
                .images_by_ids(account, &ids)
                .await?
                .iter()
                .all(|i| i.status.is_settled()))
        }
    })
    .await
}

/// Generates images by id and works them here, so the command returns with them settled.
/// Exits 4 when an id is unknown, 3 when an image failed.
async fn generate(config: &Config, out: &Out, ids: &str) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let ids: Vec<ImageId> = parse_id_list(ids)?;
    if ids.is_empty() {
        bail!("--ids needs at least one image id");
    }
    let outcomes = generate_images(&p, account, &ids, None).await?;
    let queued = queued(&outcomes);
    settle(&p, account, &queued).await?;
    let images = p.db().images_by_ids(account, &ids).await?;
    let missing = outcomes
        .iter()
        .filter(|o| matches!(o, ImageRequestOutcome::NotFound { .. }))
        .count();
    let failed = images
        .iter()
        .filter(|i| queued.contains(&i.id) && i.status == ImageStatus::Failed)
        .count();
    let exit = Exit::of_batch(missing, failed);
    let error = outcome_error(exit, || {
        format!(
            "of {} images, {missing} not found and {failed} failed",
            ids.len()
        )
    });
    out.emit(
        || {
            outcomes
                .iter()
                .map(|o| match o {
                    ImageRequestOutcome::NotFound { image } => format!("image {image}: not found"),
                    ImageRequestOutcome::AlreadyGenerated { image } => {
                        format!("image {image}: already generated, skipped")
                    }
                    ImageRequestOutcome::Queued { image } => {
                        match images.iter().find(|i| i.id == *image) {
                            Some(i) if i.status == ImageStatus::Generated => format!(
                                "image {image}: generated ({})",
                                i.file_path.as_deref().unwrap_or("")
                            ),
                            Some(i) => format!(
                                "image {image}: {} {}",
                                i.status,
                                i.error.as_deref().unwrap_or("")
                            ),
                            None => format!("image {image}: not found"),
                        }
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
        json!({"requests": outcomes, "images": images, "error": error}),
    );
    Ok(exit)
}
