//! Bodies of the automation-run routes: runs, their stages, estimates and events.

use pressroom_domain::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct StageResultDto {
    pub stage: u8,
    pub name: String,
    pub processed: i64,
    pub created: i64,
    pub failed: i64,
    pub skipped: i64,
    pub credits: i64,
    pub elapsed_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RunDto {
    pub id: i64,
    pub site_id: i64,
    pub trigger: String,
    pub status: String,
    pub current_stage: u8,
    pub stages: Vec<StageResultDto>,
    pub credits_used: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The clusters the run is limited to (empty: the whole site).
    pub scope_clusters: Vec<i64>,
    pub max_articles: Option<u32>,
}

impl From<AutomationRun> for RunDto {
    fn from(r: AutomationRun) -> RunDto {
        let stages = Stage::ALL
            .iter()
            .zip(r.stage_results.iter())
            .map(|(s, res)| StageResultDto {
                stage: s.number(),
                name: s.name().to_string(),
                processed: res.processed,
                created: res.created,
                failed: res.failed,
                skipped: res.skipped,
                credits: res.credits.0,
                elapsed_ms: res.elapsed_ms,
            })
            .collect();
        RunDto {
            id: r.id.get(),
            site_id: r.site_id.get(),
            trigger: r.trigger.to_string(),
            status: r.status.to_string(),
            current_stage: r.current_stage.number(),
            stages,
            credits_used: r.credits_used.0,
            error: r.error,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            scope_clusters: r.scope.clusters.iter().map(|c| c.get()).collect(),
            max_articles: r.scope.max_articles,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EstimateDto {
    pub credits: i64,
    /// What the providers charge for it at list prices, in millionths of a dollar.
    pub usd_micros: i64,
    /// The same, for people (`$1.23`).
    pub usd: String,
    /// Credits the site may still spend this month; absent without a budget.
    pub budget_left: Option<i64>,
    pub balance: i64,
    pub clusters: i64,
    pub ideas: i64,
    pub articles: i64,
    pub images: i64,
    /// Whether the balance and the per-run cap cover the estimate.
    pub enough: bool,
}

impl From<pressroom_pipeline::runs::Estimate> for EstimateDto {
    fn from(e: pressroom_pipeline::runs::Estimate) -> EstimateDto {
        EstimateDto {
            credits: e.credits.0,
            usd_micros: e.usd.0,
            usd: e.usd.rounded(),
            budget_left: e.budget_left.map(|c| c.0),
            balance: e.balance.0,
            clusters: e.clusters,
            ideas: e.ideas,
            articles: e.articles,
            images: e.images,
            enough: e.enough,
        }
    }
}

/// What a run is limited to: chosen clusters (empty: all, and new keywords are clustered) and
/// at most N articles.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRunBody {
    #[serde(default)]
    pub clusters: Vec<i64>,
    pub max_articles: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct StartedRun {
    pub run: RunDto,
    pub estimate: EstimateDto,
}

#[derive(Serialize, ToSchema)]
pub struct RunEventDto {
    pub id: i64,
    pub run_id: i64,
    pub stage: Option<u8>,
    pub level: String,
    pub message: String,
    /// Structured counts (processed, created, failed…) and the item, if any.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    pub created_at: i64,
}

impl From<RunEvent> for RunEventDto {
    fn from(e: RunEvent) -> RunEventDto {
        RunEventDto {
            id: e.id.get(),
            run_id: e.run_id.get(),
            stage: e.stage.map(|s| s.number()),
            level: e.level.to_string(),
            message: e.message,
            fields: e.fields,
            created_at: e.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events after this event id.
    pub after: Option<i64>,
    /// 1-1000, default 200.
    pub limit: Option<u32>,
}
