//! `pressroom content list|show|edit|regenerate|revisions|restore|links|unlink`: an article
//! whole (meta, checks, score, images with alt text and path, links), as scripts read it.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use anyhow::Context;
use clap::Subcommand;
use pressroom_domain::*;
use pressroom_pipeline::article::{self, Urls, load_article};
use pressroom_pipeline::content::{self, ContentEdit, ContentEditInput};
use pressroom_web::dto::{ArticleDto, ContentDto, LinkDto, RevisionDto};
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ContentCommand {
    /// A site's articles with status, score and the offline mark, oldest first.
    List {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        #[arg(long, value_parser = ["draft", "review", "approved", "rejected", "published"])]
        status: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
        /// Only articles with an id above this one (the next page).
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
    /// One article whole: meta, checks and score, images with alt text and path, links.
    Show { id: i64 },
    /// Change what an editor changes; the on-page check is recomputed.
    Edit {
        id: i64,
        #[arg(long)]
        title: Option<String>,
        /// Make the slug from the new title.
        #[arg(long, requires = "title")]
        slug_from_title: bool,
        #[arg(long)]
        meta_title: Option<String>,
        #[arg(long)]
        meta_description: Option<String>,
        #[arg(long, conflicts_with = "slug_from_title")]
        slug: Option<String>,
        #[arg(long)]
        excerpt: Option<String>,
        #[arg(long)]
        primary_keyword: Option<String>,
        /// The new body, Markdown, from this file.
        #[arg(long)]
        body_file: Option<PathBuf>,
    },
    /// Write the article again (a model call, charged); the old text is kept as a revision.
    Regenerate { id: i64 },
    /// The article's earlier texts, newest first.
    Revisions { id: i64 },
    /// Put an earlier text back as a new version.
    Restore { id: i64, revision: i64 },
    /// Links from and to the article, removed ones included.
    Links { id: i64 },
    /// Remove a link for good (a refresh does not put it back).
    Unlink { link: i64 },
}

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: ContentCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    match cmd {
        ContentCommand::List {
            site,
            status,
            limit,
            after,
        } => {
            let site = find_site(p.db(), account, &site).await?;
            let status = status.as_deref().map(ContentStatus::parse).transpose()?;
            let rows = p
                .db()
                .content_after(account, site.id, status, after, limit.clamp(1, 1000))
                .await?;
            let next = rows.last().map(|c| c.id.get());
            let rows: Vec<ContentDto> = rows.into_iter().map(ContentDto::from).collect();
            out.emit(
                || {
                    let mut lines: Vec<String> = rows.iter().map(list_line).collect();
                    lines.push(format!("{} articles", rows.len()));
                    lines.join("\n")
                },
                json!({"content": rows, "next_after": next}),
            );
        }
        ContentCommand::Show { id } => {
            let a = load_article(&p, account, ContentId::new(id), &Urls::site_relative()).await?;
            show(out, a.into());
        }
        ContentCommand::Edit {
            id,
            title,
            slug_from_title,
            meta_title,
            meta_description,
            slug,
            excerpt,
            primary_keyword,
            body_file,
        } => {
            let body = body_file
                .map(|f| {
                    std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))
                })
                .transpose()?;
            let edit = ContentEdit::parse(ContentEditInput {
                title: title.as_deref(),
                body_markdown: body.as_deref(),
                meta_title: meta_title.as_deref(),
                meta_description: meta_description.as_deref(),
                slug: slug.as_deref(),
                excerpt: excerpt.as_deref(),
                primary_keyword: primary_keyword.as_deref(),
                slug_from_title,
            })?;
            if edit.is_empty() {
                anyhow::bail!("give at least one field to change, e.g. --meta-title TEXT");
            }
            content::edit_content(&p, account, ContentId::new(id), edit).await?;
            let a = load_article(&p, account, ContentId::new(id), &Urls::site_relative()).await?;
            show(out, a.into());
        }
        ContentCommand::Regenerate { id } => {
            content::regenerate_content(&p, account, ContentId::new(id)).await?;
            let a = load_article(&p, account, ContentId::new(id), &Urls::site_relative()).await?;
            show(out, a.into());
        }
        ContentCommand::Revisions { id } => {
            let id = ContentId::new(id);
            p.db().content(account, id).await?;
            let rows: Vec<RevisionDto> = p
                .db()
                .revisions(account, id)
                .await?
                .into_iter()
                .map(RevisionDto::from)
                .collect();
            out.emit(
                || {
                    let mut lines: Vec<String> = rows
                        .iter()
                        .map(|r| format!("{:>6}  version {:>3}  {}", r.id, r.version, r.title))
                        .collect();
                    lines.push(format!("{} earlier versions", rows.len()));
                    lines.join("\n")
                },
                json!({"revisions": rows}),
            );
        }
        ContentCommand::Restore { id, revision } => {
            content::restore_revision(&p, account, ContentId::new(id), RevisionId::new(revision))
                .await?;
            let a = load_article(&p, account, ContentId::new(id), &Urls::site_relative()).await?;
            show(out, a.into());
        }
        ContentCommand::Links { id } => {
            let id = ContentId::new(id);
            p.db().content(account, id).await?;
            let rows: Vec<LinkDto> = p
                .db()
                .links_of_content(account, id)
                .await?
                .into_iter()
                .map(LinkDto::from)
                .collect();
            out.emit(
                || {
                    rows.iter()
                        .map(|l| {
                            format!(
                                "{:>6}  {} -> {}  \"{}\"  {}",
                                l.id, l.source_id, l.target_id, l.anchor, l.status
                            )
                        })
                        .chain(std::iter::once(format!("{} links", rows.len())))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                json!({"links": rows}),
            );
        }
        ContentCommand::Unlink { link } => {
            let l = article::remove_link(&p, account, LinkId::new(link)).await?;
            out.emit(
                || format!("link {} from {} to {} removed", l.id, l.source_id, l.target_id),
                json!({"link": {"id": l.id, "source_id": l.source_id, "target_id": l.target_id, "anchor": l.anchor, "status": l.status}}),
            );
        }
    }
    Ok(Exit::Ok)
}

fn list_line(c: &ContentDto) -> String {
    format!(
        "{:>6}  {:<9} {:>4}  {}{}",
        c.id,
        c.status,
        c.score.map_or("-".to_string(), |s| s.to_string()),
        if c.offline { "[offline sample] " } else { "" },
        c.title
    )
}

fn show(out: &Out, a: ArticleDto) {
    let value = serde_json::to_value(&a).unwrap_or_else(|e| json!({"error": e.to_string()}));
    out.emit(
        || {
            let c = &a.content;
            let mut lines = vec![
                format!(
                    "{} (content {}, {}, version {})",
                    c.title, c.id, c.status, c.version
                ),
                format!("slug: {}", c.slug),
                format!(
                    "meta title ({}): {}",
                    c.meta_title.chars().count(),
                    c.meta_title
                ),
                format!(
                    "meta description ({}): {}",
                    c.meta_description.chars().count(),
                    c.meta_description
                ),
                format!(
                    "primary keyword: {}  ·  {} words",
                    c.primary_keyword, c.word_count
                ),
            ];
            if c.offline {
                lines.push("OFFLINE SAMPLE: written without a model; not for publishing".into());
            }
            lines.push(format!(
                "on-page score: {}",
                c.score
                    .map_or("not checked".to_string(), |s| format!("{s}/100"))
            ));
            for check in &c.checks {
                let mark = if check.pass { "pass" } else { "FAIL" };
                lines.push(format!("  {mark}  {:<20} {}", check.name, check.reason));
            }
            for i in &a.images {
                lines.push(format!(
                    "image {} {} #{} {}: \"{}\" {}",
                    i.id,
                    i.image_type,
                    i.position,
                    i.status,
                    i.alt_text,
                    i.path.as_deref().unwrap_or("")
                ));
            }
            for l in &a.links {
                lines.push(format!(
                    "link {} -> {} \"{}\"",
                    l.id, l.target_title, l.anchor
                ));
            }
            lines.join("\n")
        },
        value,
    );
}
