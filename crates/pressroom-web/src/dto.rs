//! The API's request and response bodies. They mirror the domain entities but live here, so
//! the OpenAPI document is generated from the code without the lower crates knowing about it.
//! Long because: every JSON shape of the API is here, one short struct each, so the
//! document's schemas are read in one place.

use pressroom_domain::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

mod content;
mod runs;
mod settings;
mod team;
mod webhooks;
pub use content::*;
pub use runs::*;
pub use settings::*;
pub use team::*;
pub use webhooks::*;
mod prompts;
pub use prompts::*;
mod publishing;
pub use publishing::*;
mod publications;
pub use publications::*;

#[derive(Serialize, ToSchema)]
pub struct SiteDto {
    pub id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub language: String,
    pub status: String,
    /// Site settings (providers, models, sizes, batch sizes, review mode, caps, templates).
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub created_at: i64,
}

impl From<Site> for SiteDto {
    fn from(s: Site) -> SiteDto {
        SiteDto {
            id: s.id.get(),
            settings: serde_json::to_value(&s.settings).unwrap_or_default(),
            name: s.name,
            domain: s.domain,
            language: s.language,
            status: s.status.to_string(),
            created_at: s.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSiteBody {
    /// 1-100 characters, unique in the account.
    pub name: String,
    pub domain: Option<String>,
    /// Default `en`.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct KeywordDto {
    pub id: i64,
    pub site_id: i64,
    pub phrase: String,
    pub volume: Option<i64>,
    pub difficulty: Option<i16>,
    /// Cost per click in micro-dollars.
    pub cpc_micros: Option<i64>,
    pub intent: Option<String>,
    pub country: Option<String>,
    pub source: String,
    pub cluster_id: Option<i64>,
    pub status: String,
}

impl From<Keyword> for KeywordDto {
    fn from(k: Keyword) -> KeywordDto {
        KeywordDto {
            id: k.id.get(),
            site_id: k.site_id.get(),
            phrase: k.phrase,
            volume: k.volume,
            difficulty: k.difficulty,
            cpc_micros: k.cpc.map(|c| c.0),
            intent: k.intent.map(|i| i.as_str().to_string()),
            country: k.country,
            source: k.source,
            cluster_id: k.cluster_id.map(|c| c.get()),
            status: k.status.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KeywordPage {
    /// Keywords matching every filter given (status, search, min_volume), across all pages.
    pub total: i64,
    pub limit: u32,
    pub offset: u64,
    pub items: Vec<KeywordDto>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeywordQuery {
    /// new, mapped or archived.
    pub status: Option<String>,
    /// Only keywords containing this text.
    pub search: Option<String>,
    pub min_volume: Option<i64>,
    /// 1-1000, default 50.
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    pub rows: u64,
    pub inserted: u64,
    pub merged: u64,
    pub skipped: u64,
    /// The first bad rows, with line numbers.
    pub errors: Vec<RowErrorDto>,
    pub encoding: String,
    pub delimiter: String,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorDto {
    pub line: u64,
    pub message: String,
}

impl From<pressroom_pipeline::import::ImportReport> for ImportReportDto {
    fn from(r: pressroom_pipeline::import::ImportReport) -> ImportReportDto {
        ImportReportDto {
            rows: r.rows,
            inserted: r.inserted,
            merged: r.merged,
            skipped: r.skipped,
            errors: r
                .errors
                .into_iter()
                .map(|e| RowErrorDto {
                    line: e.line,
                    message: e.message,
                })
                .collect(),
            encoding: r.encoding,
            delimiter: r.delimiter,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Filter by status (the entity's own statuses).
    pub status: Option<String>,
    /// 1-1000, default 200.
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ClusterDto {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub description: String,
    pub keyword_count: i64,
    pub total_volume: i64,
    pub method: String,
    pub status: String,
}

impl From<Cluster> for ClusterDto {
    fn from(c: Cluster) -> ClusterDto {
        ClusterDto {
            id: c.id.get(),
            site_id: c.site_id.get(),
            name: c.name,
            description: c.description,
            keyword_count: c.keyword_count,
            total_volume: c.total_volume,
            method: c.method.to_string(),
            status: c.status.to_string(),
        }
    }
}

/// A cluster edit: give any of the fields; the others keep their values.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterEditBody {
    /// Whitespace folded, control characters dropped, 1-120 characters, unique in the site.
    pub name: Option<String>,
    /// At most 500 characters; empty clears it.
    pub description: Option<String>,
    /// `archived` archives the cluster; `new` restores an archived one.
    pub status: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The cluster of the same site that takes over this one's keywords, ideas and tasks.
    pub into: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitBody {
    /// Keyword ids of this cluster that move to the new cluster (1-1000).
    pub keywords: Vec<i64>,
    /// The new cluster's name, unique in the site.
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveKeywordsBody {
    /// Keyword ids (1-1000), all of the cluster's site.
    pub keywords: Vec<i64>,
    /// The cluster they move to; not archived.
    pub cluster: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeywordEditBody {
    /// `archived` archives the keyword; `new` or `mapped` restores it (to `mapped` when it
    /// still has a cluster, else `new`).
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct MergedDto {
    /// The cluster merged into, as it is now.
    pub cluster: ClusterDto,
    pub moved_keywords: u64,
    pub moved_ideas: u64,
    pub moved_tasks: u64,
}

impl From<pressroom_pipeline::planning::Merged> for MergedDto {
    fn from(m: pressroom_pipeline::planning::Merged) -> MergedDto {
        MergedDto {
            cluster: m.into.into(),
            moved_keywords: m.moved.keywords,
            moved_ideas: m.moved.ideas,
            moved_tasks: m.moved.tasks,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MovedDto {
    /// The cluster the keywords went to, as it is now.
    pub cluster: ClusterDto,
    /// Keywords that changed cluster (ones already in it are not counted).
    pub moved: u64,
}

impl From<pressroom_pipeline::planning::Moved> for MovedDto {
    fn from(m: pressroom_pipeline::planning::Moved) -> MovedDto {
        MovedDto {
            cluster: m.cluster.into(),
            moved: m.moved,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdeaDto {
    pub id: i64,
    pub site_id: i64,
    pub cluster_id: i64,
    pub title: String,
    pub description: String,
    pub outline: Vec<String>,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub content_structure: String,
    pub target_words: i64,
    pub status: String,
}

impl From<Idea> for IdeaDto {
    fn from(i: Idea) -> IdeaDto {
        IdeaDto {
            id: i.id.get(),
            site_id: i.site_id.get(),
            cluster_id: i.cluster_id.get(),
            title: i.title,
            description: i.description,
            outline: i.outline,
            primary_keyword: i.primary_keyword,
            secondary_keywords: i.secondary_keywords,
            content_structure: i.content_structure.to_string(),
            target_words: i.target_words,
            status: i.status.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    pub site_id: i64,
    pub idea_id: i64,
    pub title: String,
    pub target_words: i64,
    pub status: String,
    pub error: Option<String>,
}

impl From<Task> for TaskDto {
    fn from(t: Task) -> TaskDto {
        TaskDto {
            id: t.id.get(),
            site_id: t.site_id.get(),
            idea_id: t.idea_id.get(),
            title: t.title,
            target_words: t.target_words,
            status: t.status.to_string(),
            error: t.error,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// function (default), provider or day.
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UsageRowDto {
    /// The group: a function, a provider, or a day number since the epoch.
    pub key: String,
    pub calls: i64,
    pub failures: i64,
    pub tokens: i64,
    pub images: i64,
    pub cost_micros: i64,
    pub credits: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CreditEntryDto {
    pub id: i64,
    pub delta: i64,
    pub reason: String,
    pub balance_after: i64,
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CreditsDto {
    pub balance: i64,
    pub entries: Vec<CreditEntryDto>,
}

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub user_id: i64,
    pub account_id: i64,
    pub email: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    /// The visible start of the token.
    pub prefix: String,
    pub status: String,
    pub last_used_at: Option<i64>,
    pub created_at: i64,
}

impl From<ApiToken> for TokenDto {
    fn from(t: ApiToken) -> TokenDto {
        TokenDto {
            id: t.id.get(),
            name: t.name,
            prefix: t.prefix,
            status: t.status.to_string(),
            last_used_at: t.last_used_at,
            created_at: t.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedTokenDto {
    pub token: TokenDto,
    /// The whole token. Shown this once; only its hash is stored.
    pub secret: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// 1-100 characters.
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineCountsDto {
    pub keywords: i64,
    pub keywords_new: i64,
    pub clusters: i64,
    pub ideas: i64,
    pub tasks: i64,
    pub tasks_failed: i64,
    pub content: i64,
    pub content_review: i64,
    pub content_approved: i64,
    pub images: i64,
    pub images_pending: i64,
    pub images_generated: i64,
    pub images_failed: i64,
}

impl From<pressroom_store::PipelineCounts> for PipelineCountsDto {
    fn from(c: pressroom_store::PipelineCounts) -> PipelineCountsDto {
        PipelineCountsDto {
            keywords: c.keywords,
            keywords_new: c.keywords_new,
            clusters: c.clusters,
            ideas: c.ideas,
            tasks: c.tasks,
            tasks_failed: c.tasks_failed,
            content: c.content,
            content_review: c.content_review,
            content_approved: c.content_approved,
            images: c.images,
            images_pending: c.images_pending,
            images_generated: c.images_generated,
            images_failed: c.images_failed,
        }
    }
}
