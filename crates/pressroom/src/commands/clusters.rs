//! `pressroom clusters list|show|rename|merge|split|move|archive|restore`,
//! `pressroom keywords archive|restore|delete` and `pressroom ideas list|delete`: a person's
//! edits of the plan, each one call of `pressroom_pipeline::planning` (the API and the pages
//! call the same functions). A missing id exits 4; refused input exits 1 with its reason.

use crate::config::{Config, find_site, open, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;
use pressroom_domain::ids::parse_id_list;
use pressroom_domain::text::ClusterName;
use pressroom_domain::*;
use pressroom_pipeline::planning::{self, ClusterEdit, KeywordsEdited};
use serde_json::json;

/// Rows a list or a cluster's keywords show at most.
const LIST_ROWS: u32 = 1000;

#[derive(Subcommand, Debug)]
pub enum ClustersCommand {
    /// A site's clusters in id order, with keyword counts and volumes.
    List {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        /// new, mapped or archived.
        #[arg(long, value_parser = ["new", "mapped", "archived"])]
        status: Option<String>,
    },
    /// One cluster with its keywords (highest volume first) and ideas.
    Show { id: String },
    /// Rename a cluster (unique in its site), optionally with a new description.
    Rename {
        id: String,
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Move a cluster's keywords, ideas and tasks into another cluster of its site, and
    /// archive it.
    Merge {
        id: String,
        #[arg(long)]
        into: String,
    },
    /// Move some keywords of a cluster into a new cluster, e.g. --keywords 4,5 --name "Trail
    /// shoes for women".
    Split {
        id: String,
        #[arg(long)]
        keywords: String,
        #[arg(long)]
        name: String,
    },
    /// Move keywords to a cluster of their site, e.g. --keywords 4,5 --to 12.
    Move {
        #[arg(long)]
        keywords: String,
        #[arg(long)]
        to: String,
    },
    /// Archive a cluster: it gets no ideas and takes no keywords.
    Archive { id: String },
    /// Restore an archived cluster to new (the next run writes its ideas).
    Restore { id: String },
}

#[derive(Subcommand, Debug)]
pub enum IdeasCommand {
    /// A site's ideas in id order.
    List {
        #[arg(long, default_value = pressroom_store::LOCAL_SITE_NAME)]
        site: String,
        /// new, queued or completed.
        #[arg(long, value_parser = ["new", "queued", "completed"])]
        status: Option<String>,
    },
    /// Delete an idea that is still new (no task made from it yet).
    Delete { id: String },
}

/// What `pressroom keywords archive|restore|delete IDS` does.
#[derive(Debug, Clone, Copy)]
pub enum KeywordEdit {
    Archive,
    Restore,
    Delete,
}

pub(super) async fn clusters(
    config: &Config,
    out: &Out,
    cmd: ClustersCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let edit = |name: Option<ClusterName>, description, status| ClusterEdit {
        name,
        description,
        status,
    };
    let cluster = match cmd {
        ClustersCommand::List { site, status } => {
            let site = find_site(p.db(), account, &site).await?;
            let status = status.as_deref().map(ClusterStatus::parse).transpose()?;
            let rows = p.db().clusters(account, site.id, status, LIST_ROWS).await?;
            out.emit(
                || {
                    let mut s = format!(
                        "{:>6}  {:>8}  {:>8}  {:<8}  {:<9} name\n",
                        "id", "keywords", "volume", "method", "status"
                    );
                    for c in &rows {
                        s.push_str(&format!(
                            "{:>6}  {:>8}  {:>8}  {:<8}  {:<9} {}\n",
                            c.id,
                            c.keyword_count,
                            c.total_volume,
                            c.method.as_str(),
                            c.status.as_str(),
                            c.name
                        ));
                    }
                    s.push_str(&format!("{} clusters", rows.len()));
                    s
                },
                json!({"site": site.name, "clusters": rows}),
            );
            return Ok(Exit::Ok);
        }
        ClustersCommand::Show { id } => {
            let cluster = p.db().cluster(account, id.parse()?).await?;
            let keywords = p
                .db()
                .keywords_in_cluster(account, cluster.id, LIST_ROWS)
                .await?;
            let ideas = p
                .db()
                .ideas_in_cluster(account, cluster.id, LIST_ROWS)
                .await?;
            out.emit(
                || {
                    let mut s = format!("{}\n", describe(&cluster));
                    if !cluster.description.is_empty() {
                        s.push_str(&format!("  {}\n", cluster.description));
                    }
                    s.push_str(&format!("keywords ({}):\n", keywords.len()));
                    for k in &keywords {
                        let volume = k.volume.map_or("-".into(), |v| v.to_string());
                        s.push_str(&format!(
                            "{:>8}  {volume:>6}  {:<8}  {}\n",
                            k.id,
                            k.status.as_str(),
                            k.phrase
                        ));
                    }
                    s.push_str(&format!("ideas ({}):", ideas.len()));
                    for i in &ideas {
                        s.push_str(&format!(
                            "\n{:>8}  {:<9}  {}",
                            i.id,
                            i.status.as_str(),
                            i.title
                        ));
                    }
                    s
                },
                json!({"cluster": cluster, "keywords": keywords, "ideas": ideas}),
            );
            return Ok(Exit::Ok);
        }
        ClustersCommand::Rename {
            id,
            name,
            description,
        } => {
            let change = ClusterEdit::parse(Some(&name), description.as_deref(), None)?;
            planning::edit_cluster(&p, account, id.parse()?, change).await?
        }
        ClustersCommand::Archive { id } => {
            let change = edit(None, None, Some(ClusterStatus::Archived));
            planning::edit_cluster(&p, account, id.parse()?, change).await?
        }
        ClustersCommand::Restore { id } => {
            let change = edit(None, None, Some(ClusterStatus::New));
            planning::edit_cluster(&p, account, id.parse()?, change).await?
        }
        ClustersCommand::Merge { id, into } => {
            let merged = planning::merge_clusters(&p, account, id.parse()?, into.parse()?).await?;
            let m = merged.moved;
            out.emit(
                || {
                    format!(
                        "merged cluster {id} into {}: {} keywords, {} ideas, {} tasks moved; cluster {id} is archived",
                        describe(&merged.into),
                        m.keywords,
                        m.ideas,
                        m.tasks
                    )
                },
                json!({"cluster": merged.into, "moved": m}),
            );
            return Ok(Exit::Ok);
        }
        ClustersCommand::Split { id, keywords, name } => {
            let name = ClusterName::parse(&name).map_err(DomainError::from)?;
            let ids: Vec<KeywordId> = parse_id_list(&keywords)?;
            planning::split_cluster(&p, account, id.parse()?, &ids, name).await?
        }
        ClustersCommand::Move { keywords, to } => {
            let ids: Vec<KeywordId> = parse_id_list(&keywords)?;
            let moved = planning::move_keywords(&p, account, &ids, to.parse()?).await?;
            out.emit(
                || {
                    format!(
                        "moved {} keywords to {}",
                        moved.moved,
                        describe(&moved.cluster)
                    )
                },
                json!({"cluster": moved.cluster, "moved": moved.moved}),
            );
            return Ok(Exit::Ok);
        }
    };
    out.emit(|| describe(&cluster), json!({"cluster": cluster}));
    Ok(Exit::Ok)
}

/// `cluster 12 "Trail shoes" (mapped): 4 keywords, volume 2100`.
fn describe(c: &Cluster) -> String {
    format!(
        "cluster {} {:?} ({}): {} keywords, volume {}",
        c.id, c.name, c.status, c.keyword_count, c.total_volume
    )
}

pub(super) async fn edit_keywords(
    config: &Config,
    out: &Out,
    ids: &str,
    action: KeywordEdit,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let ids: Vec<KeywordId> = parse_id_list(ids)?;
    let (edited, done): (KeywordsEdited, &str) = match action {
        KeywordEdit::Archive => (
            planning::archive_keywords(&p, account, &ids).await?,
            "archived",
        ),
        KeywordEdit::Restore => (
            planning::restore_keywords(&p, account, &ids).await?,
            "restored",
        ),
        KeywordEdit::Delete => (
            planning::delete_keywords(&p, account, &ids).await?,
            "deleted",
        ),
    };
    out.emit(
        || {
            let mut s = format!("{} keywords {done}", edited.changed);
            if edited.unchanged > 0 {
                s.push_str(&format!(", {} left as they were", edited.unchanged));
            }
            s
        },
        json!({"changed": edited.changed, "unchanged": edited.unchanged, "keywords": edited.keywords}),
    );
    Ok(Exit::Ok)
}

pub(super) async fn ideas(config: &Config, out: &Out, cmd: IdeasCommand) -> anyhow::Result<Exit> {
    match cmd {
        IdeasCommand::List { site, status } => {
            let (db, account) = open(config).await?;
            let site = find_site(&db, account, &site).await?;
            let status = status.as_deref().map(IdeaStatus::parse).transpose()?;
            let rows = db.ideas(account, site.id, status, LIST_ROWS).await?;
            out.emit(
                || {
                    let mut s = format!("{:>6}  {:>7}  {:<9}  title\n", "id", "cluster", "status");
                    for i in &rows {
                        s.push_str(&format!(
                            "{:>6}  {:>7}  {:<9}  {}\n",
                            i.id,
                            i.cluster_id,
                            i.status.as_str(),
                            i.title
                        ));
                    }
                    s.push_str(&format!("{} ideas", rows.len()));
                    s
                },
                json!({"site": site.name, "ideas": rows}),
            );
        }
        IdeasCommand::Delete { id } => {
            let (p, account) = pipeline(config).await?;
            let idea = planning::delete_idea(&p, account, id.parse()?).await?;
            out.emit(
                || format!("deleted idea {} {:?}", idea.id, idea.title),
                json!({"deleted": idea}),
            );
        }
    }
    Ok(Exit::Ok)
}
