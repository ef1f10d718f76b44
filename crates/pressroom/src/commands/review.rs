//! `pressroom review list|approve|reject|reopen`, by id or (approve) every passing article.

use crate::ReviewCommand;
use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::{Out, note, outcome_error};
use anyhow::bail;
use pressroom_domain::ids::parse_id_list;
use pressroom_domain::*;
use pressroom_pipeline::Pipeline;
use pressroom_pipeline::content::{self, ReviewOutcome};
use serde_json::json;

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: ReviewCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    let ids = match cmd {
        ReviewCommand::List { site } => {
            let site = find_site(p.db(), account, &site).await?;
            let waiting = p
                .db()
                .content_list(account, site.id, Some(ContentStatus::Review), 1000)
                .await?;
            out.emit(
                || {
                    let mut s: Vec<String> = waiting.iter().map(|c| format!("{:>6}  {:>5} words  score {:>3}  {}{}", c.id, c.word_count, c.checks.as_ref().map_or("-".to_string(), |r| r.score.to_string()), if c.offline { "[offline sample] " } else { "" }, c.title)).collect();
                    s.push(format!("{} articles wait for review", waiting.len()));
                    s.join("\n")
                },
                json!({"content": waiting.iter().map(|c| json!({"id": c.id, "title": c.title, "slug": c.slug, "word_count": c.word_count, "excerpt": c.excerpt, "offline": c.offline, "score": c.checks.as_ref().map(|r| r.score)})).collect::<Vec<_>>()}),
            );
            return Ok(Exit::Ok);
        }
        ReviewCommand::Approve {
            all_passing: true,
            site,
            ..
        } => {
            let site = find_site(p.db(), account, &site).await?;
            let results = content::review_passing(&p, account, site.id).await?;
            return report(&p, account, out, &results, ContentStatus::Approved).await;
        }
        ReviewCommand::Approve {
            ids,
            confirm_offline,
            ..
        } => (
            ids.unwrap_or_default(),
            ContentStatus::Approved,
            confirm_offline,
        ),
        ReviewCommand::Reject { ids } => (ids, ContentStatus::Rejected, false),
        ReviewCommand::Reopen { ids } => (ids, ContentStatus::Review, false),
    };
    let (ids, to, confirm_offline) = ids;
    let ids: Vec<ContentId> = parse_id_list(&ids)?;
    if ids.is_empty() {
        bail!("give at least one content id, e.g. 12 or 12,13");
    }
    let results = content::review_many(&p, account, &ids, to, confirm_offline).await?;
    report(&p, account, out, &results, to).await
}

/// One line (or JSON row) per id; exits 4 when an id is unknown, 3 when a move was refused.
async fn report(
    p: &Pipeline,
    account: AccountId,
    out: &Out,
    results: &[ReviewOutcome],
    to: ContentStatus,
) -> anyhow::Result<Exit> {
    // The pipeline reports each failure as text; whether the id exists is asked directly.
    let mut rows = Vec::with_capacity(results.len());
    for r in results {
        let outcome = match &r.result {
            Ok(()) => to.as_str(),
            Err(_) => match p.db().content(account, r.id).await {
                Err(pressroom_store::StoreError::NotFound { .. }) => "not_found",
                _ => "failed",
            },
        };
        rows.push((r.id, outcome, r.result.as_ref().err()));
    }
    let missing = rows.iter().filter(|r| r.1 == "not_found").count();
    let failed = rows.iter().filter(|r| r.1 == "failed").count();
    let exit = Exit::of_batch(missing, failed);
    let message = || {
        format!(
            "{} of {} could not be moved to {to}: {missing} not found, {failed} refused",
            missing + failed,
            rows.len()
        )
    };
    let error = outcome_error(exit, message);
    out.emit(
        || rows.iter().map(|(id, outcome, e)| match e {
            None => format!("content {id}: {outcome}"),
            Some(e) => format!("content {id}: {e}"),
        }).collect::<Vec<_>>().join("\n"),
        json!({
            "results": rows.iter().map(|(id, outcome, e)| json!({"id": id, "ok": e.is_none(), "outcome": outcome, "error": e})).collect::<Vec<_>>(),
            "error": error,
        }),
    );
    if !out.json && exit != Exit::Ok {
        note!("{}", message());
    }
    Ok(exit)
}
