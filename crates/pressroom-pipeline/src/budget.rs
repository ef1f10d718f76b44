//! Per-site monthly budgets: a site's spend this month (in its own time zone) against the
//! credits it may spend. Runs, image generations and each paid call check here before any
//! provider is asked, so a budget is never passed by more than a call already under way.

use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::*;
use serde::Serialize;

/// A site's spend this month against its budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteBudget {
    pub site: SiteId,
    pub site_name: String,
    /// `December 2026`, in the site's time zone.
    pub month: String,
    pub month_start: TimestampMs,
    pub spent: Credits,
    /// `None`: no budget.
    pub budget: Option<Credits>,
    /// Budget minus spend, never below zero; `None`: no budget.
    pub left: Option<Credits>,
}

/// `site`'s spend this month, by the pipeline's clock.
pub async fn site_budget(p: &Pipeline, site: &Site) -> Result<SiteBudget> {
    let (month_start, month) = budget::month_of(&site.settings.timezone, p.now())?;
    let spent = p
        .db()
        .site_spend_since(site.account_id, site.id, month_start)
        .await?;
    let budget = site.settings.monthly_budget.map(Credits);
    Ok(SiteBudget {
        site: site.id,
        site_name: site.name.clone(),
        month,
        month_start,
        spent,
        budget,
        left: budget.map(|b| Credits((b.0 - spent.0).max(0))),
    })
}

/// Every site of `account` with its spend this month (the usage page, `schedule list`).
pub async fn budgets(p: &Pipeline, account: AccountId) -> Result<Vec<SiteBudget>> {
    let mut out = Vec::new();
    for site in p.db().sites(account).await? {
        out.push(site_budget(p, &site).await?);
    }
    Ok(out)
}

/// Refuses, before anything is spent, work that needs about `need` credits when it would take
/// `site` past its monthly budget. `what` names the work (`this run`), `outcome` what was not
/// done (`nothing was started`). Free work (offline providers) is never refused.
pub async fn ensure_within_budget(
    p: &Pipeline,
    site: &Site,
    need: Credits,
    what: &str,
    outcome: &str,
) -> Result<()> {
    let Some(limit) = site.settings.monthly_budget else {
        return Ok(());
    };
    if need.0 <= 0 {
        return Ok(());
    }
    let b = site_budget(p, site).await?;
    if b.spent.0.saturating_add(need.0) > limit {
        return Err(PipelineError::OverBudget(format!(
            "site {} has spent {} of its {limit}-credit budget for {}; {what} needs about {need}; {outcome}",
            site.name, b.spent, b.month
        )));
    }
    Ok(())
}

/// True when `site` has spent its whole budget this month (checked at each stage start).
pub async fn exhausted(p: &Pipeline, site: &Site) -> Result<Option<SiteBudget>> {
    if site.settings.monthly_budget.is_none() {
        return Ok(None);
    }
    let b = site_budget(p, site).await?;
    Ok(b.left.filter(|l| l.0 <= 0).map(|_| b))
}

/// Refuses a batch of image generations that would take any of their sites past its budget,
/// before anything is queued: each site's images still to make, at its image model's price.
pub async fn ensure_images_within_budget(
    p: &Pipeline,
    account: AccountId,
    images: &[Image],
) -> Result<()> {
    let mut per_site: std::collections::BTreeMap<SiteId, i64> = Default::default();
    for image in images.iter().filter(|i| i.status != ImageStatus::Generated) {
        *per_site.entry(image.site_id).or_default() += 1;
    }
    for (site, n) in per_site {
        let site = p.db().site(account, site).await?;
        if site.settings.monthly_budget.is_none() {
            continue;
        }
        let choice = crate::keys::image_for(p, &site).await?;
        let need = p
            .model_spec(
                choice.provider.name(),
                pressroom_providers::ModelKind::Image,
                &choice.model,
            )?
            .image_credits(n);
        let what = if n == 1 {
            "this image".to_string()
        } else {
            format!("these {n} images")
        };
        ensure_within_budget(p, &site, need, &what, "nothing was queued").await?;
    }
    Ok(())
}
