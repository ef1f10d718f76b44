//! The credits a run will need, estimated before it starts from counts of what waits at each
//! stage (no ceiling: every waiting item is counted, with one grouped count per table).

use crate::context::{Pipeline, Result};
use pressroom_domain::*;
use pressroom_providers::ModelKind;
use serde::Serialize;

/// Tokens assumed per text call when estimating a run's credits.
const EST_TOKENS_PER_CALL: i64 = 3000;
/// Clusters assumed per new keyword, and ideas per new cluster, until the stages say otherwise.
const KEYWORDS_PER_CLUSTER: i64 = 5;
const IDEAS_PER_CLUSTER: i64 = 5;

/// Credits a run is expected to need, before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub credits: Credits,
    /// What the providers will charge for it, at the models' list prices.
    pub usd: UsdMicros,
    /// Credits the site may still spend this month; `None`: no budget.
    pub budget_left: Option<Credits>,
    pub balance: Credits,
    /// Expected new items: clusters, ideas, articles, images.
    pub clusters: i64,
    pub ideas: i64,
    pub articles: i64,
    pub images: i64,
    pub enough: bool,
}

/// Estimates the credits a run on `site` needs from what is waiting at each stage.
pub async fn estimate(p: &Pipeline, account: AccountId, site: SiteId) -> Result<Estimate> {
    let site = p.db().site(account, site).await?;
    let s = &site.settings;
    let counts = p.db().pipeline_counts(account, site.id).await?;
    let new_kw = s.caps.keywords.map_or(counts.keywords_new, |c| {
        counts.keywords_new.min(i64::from(c))
    });
    let batch = i64::from(s.batch_sizes.keywords.max(1));
    let cluster_calls = (new_kw + batch - 1) / batch;
    let clusters = counts.clusters_new + (new_kw + KEYWORDS_PER_CLUSTER - 1) / KEYWORDS_PER_CLUSTER;
    let ideas = counts.ideas_new + clusters * IDEAS_PER_CLUSTER;
    let waiting = ideas + counts.tasks_waiting;
    let articles = s
        .caps
        .content
        .map_or(waiting, |c| waiting.min(i64::from(c)));
    let images = counts.images_pending + articles * (1 + i64::from(s.in_article_images));
    let images = s.caps.images.map_or(images, |c| images.min(i64::from(c)));
    let text = crate::keys::text_for(p, &site).await?;
    let image = crate::keys::image_for(p, &site).await?;
    let text_spec = p.model_spec(text.provider.name(), ModelKind::Text, &text.model)?;
    let image_spec = p.model_spec(image.provider.name(), ModelKind::Image, &image.model)?;
    let text_rate = text_spec.text_credits(EST_TOKENS_PER_CALL, 0);
    let image_rate = image_spec.image_credits(1);
    let text_calls = cluster_calls + clusters + articles * 2;
    let credits =
        Credits(text_rate.0.saturating_mul(text_calls) + image_rate.0.saturating_mul(images));
    let usd = UsdMicros(
        text_spec
            .text_cost(EST_TOKENS_PER_CALL, 0)
            .0
            .saturating_mul(text_calls)
            .saturating_add(image_spec.image_cost(1).0.saturating_mul(images)),
    );
    let budget_left = crate::budget::site_budget(p, &site).await?.left;
    let balance = p.db().account(account).await?.credits;
    let enough = balance >= credits && s.caps.credits.is_none_or(|cap| credits.0 <= cap);
    Ok(Estimate {
        credits,
        usd,
        budget_left,
        balance,
        clusters,
        ideas,
        articles,
        images,
        enough,
    })
}

/// What a run's estimate says, for the CLI and the pages: credits, dollars, budget left.
pub fn estimate_line(est: &Estimate) -> String {
    let mut s = format!(
        "estimated {} credits (about {} at list prices)",
        est.credits,
        est.usd.rounded()
    );
    if let Some(left) = est.budget_left {
        s.push_str(&format!("; {left} credits left in this month's budget"));
    }
    s
}
