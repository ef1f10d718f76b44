//! The entities of SPEC section 2 as read from storage.

use crate::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub credits: Credits,
    pub status: AccountStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub role: Role,
    pub status: UserStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub name: String,
    /// The visible start of the token (`prs_ab12cd34`), for recognising it in lists.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub status: TokenStatus,
    pub last_used_at: Option<TimestampMs>,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: SiteId,
    pub account_id: AccountId,
    pub name: String,
    pub domain: Option<String>,
    pub language: String,
    pub settings: SiteSettings,
    pub status: SiteStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyword {
    pub id: KeywordId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub phrase: String,
    pub normalised: String,
    pub volume: Option<i64>,
    pub difficulty: Option<i16>,
    pub cpc: Option<UsdMicros>,
    pub intent: Option<Intent>,
    pub country: Option<String>,
    pub source: String,
    pub cluster_id: Option<ClusterId>,
    pub status: KeywordStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: ClusterId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub name: String,
    pub description: String,
    pub keyword_count: i64,
    pub total_volume: i64,
    pub method: ClusterMethod,
    /// The similarity the method joined keywords at; `None` for a model's or a person's.
    pub threshold: Option<f64>,
    pub status: ClusterStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idea {
    pub id: IdeaId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub cluster_id: ClusterId,
    pub title: String,
    pub description: String,
    pub outline: Vec<String>,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub content_structure: ContentStructure,
    pub target_words: i64,
    pub status: IdeaStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub idea_id: IdeaId,
    pub cluster_id: ClusterId,
    pub title: String,
    pub brief: String,
    pub keywords: Vec<String>,
    pub target_words: i64,
    pub status: TaskStatus,
    pub error: Option<String>,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub id: ContentId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub task_id: TaskId,
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    /// Sanitised HTML, safe to render.
    pub body_html: String,
    pub body_markdown: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub secondary_keywords: Vec<String>,
    pub status: ContentStatus,
    /// Written by the built-in offline writer: a sample, never to be published as is.
    pub offline: bool,
    /// 1 for the first text; each regenerate or restore adds one (the old text is a revision).
    pub version: i64,
    /// The on-page check as of the last write; `None` for rows not checked yet.
    pub checks: Option<crate::article::OnPageReport>,
    pub created_at: TimestampMs,
    pub updated_at: TimestampMs,
}

/// An earlier text of an article, kept when it is regenerated or another revision restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentRevision {
    pub id: RevisionId,
    pub account_id: AccountId,
    pub content_id: ContentId,
    pub version: i64,
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub primary_keyword: String,
    pub offline: bool,
    pub created_at: TimestampMs,
}

/// A link from one article to another of its cluster, placed at the first mention of
/// `anchor` in the source's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalLink {
    pub id: LinkId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub source_id: ContentId,
    pub target_id: ContentId,
    pub anchor: String,
    pub status: LinkStatus,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub id: ImageId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub content_id: ContentId,
    pub image_type: ImageType,
    pub position: i64,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    /// What the image shows, for readers who cannot see it; never empty once prompts exist.
    pub alt_text: String,
    /// The H2 heading an in-article image is placed after; `None` for the featured image.
    pub section: Option<String>,
    /// 1 for the first picture; each regenerate or upload adds one, so each is charged once.
    pub generation: i64,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub size: String,
    pub file_path: Option<String>,
    pub public_url: Option<String>,
    pub bytes: Option<i64>,
    pub sha256: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
    pub status: ImageStatus,
    pub created_at: TimestampMs,
    pub updated_at: TimestampMs,
}

/// The entity an AI call or event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entity", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Keyword(KeywordId),
    Cluster(ClusterId),
    Idea(IdeaId),
    Task(TaskId),
    Content(ContentId),
    Image(ImageId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiUsage {
    pub id: UsageId,
    pub account_id: AccountId,
    pub site_id: Option<SiteId>,
    pub function: AiFunction,
    pub provider: String,
    pub model: String,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub images: i64,
    pub cost: UsdMicros,
    pub credits: Credits,
    pub latency_ms: i64,
    pub success: bool,
    pub error: Option<String>,
    pub subject: Option<Subject>,
    pub run_id: Option<RunId>,
    pub created_at: TimestampMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditEntry {
    pub id: CreditEntryId,
    pub account_id: AccountId,
    pub delta: Credits,
    pub reason: String,
    pub idempotency_key: String,
    pub balance_after: Credits,
    pub created_at: TimestampMs,
}

/// What one stage did in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageResult {
    pub processed: i64,
    pub created: i64,
    pub failed: i64,
    pub skipped: i64,
    pub credits: Credits,
    pub elapsed_ms: i64,
    /// Stage 2: the search intents found in its clusters' keywords that had no article yet;
    /// it plans at most one idea for each.
    #[serde(default)]
    pub intents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationRun {
    pub id: RunId,
    pub account_id: AccountId,
    pub site_id: SiteId,
    pub trigger: RunTrigger,
    pub status: RunStatus,
    pub current_stage: Stage,
    /// Index 0 is stage 1.
    pub stage_results: Vec<StageResult>,
    pub credits_used: Credits,
    pub error: Option<String>,
    pub created_at: TimestampMs,
    pub started_at: Option<TimestampMs>,
    pub finished_at: Option<TimestampMs>,
    /// The providers and models the run's driver used; `None` before it first started.
    pub providers: Option<RunProviders>,
    pub scope: RunScope,
}

/// What a run is limited to; the default is the whole site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunScope {
    /// Only these clusters are planned and written (stage 1 is skipped: new keywords wait);
    /// empty is every cluster.
    pub clusters: Vec<ClusterId>,
    /// At most this many articles are written (with the site's content cap, the lower holds).
    pub max_articles: Option<u32>,
}

impl RunScope {
    pub fn whole_site(&self) -> bool {
        self.clusters.is_empty()
    }

    pub fn includes(&self, cluster: ClusterId) -> bool {
        self.clusters.is_empty() || self.clusters.contains(&cluster)
    }
}

impl AutomationRun {
    /// Items that failed across all stages.
    pub fn failed_items(&self) -> i64 {
        self.stage_results.iter().map(|r| r.failed).sum()
    }
}

/// Which text and image provider and model a run used (the driving process's, which may differ
/// from the shell that asks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunProviders {
    pub text_provider: String,
    pub text_model: String,
    pub image_provider: String,
    pub image_model: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    pub id: RunEventId,
    pub run_id: RunId,
    pub stage: Option<Stage>,
    pub level: EventLevel,
    pub message: String,
    /// Structured counts and item references; progress UIs read these, never the message.
    pub fields: serde_json::Value,
    pub created_at: TimestampMs,
}
