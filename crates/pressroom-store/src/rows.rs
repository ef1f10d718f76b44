//! Raw rows as both engines return them, and their checked conversion into domain entities.
//! A status or vocabulary string the domain does not know is a `Corrupt` error, not a panic.

use crate::{Result, StoreError};
use pressroom_domain::*;

pub(crate) fn status<S: Status>(s: &str) -> Result<S> {
    Ok(S::parse(s)?)
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Serialising plain data (strings, numbers, maps with string keys) cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub name: String,
    pub credits: i64,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Account> {
        Ok(Account {
            id: AccountId::new(r.id),
            name: r.name,
            credits: Credits(r.credits),
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SiteRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub language: String,
    pub settings: String,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<SiteRow> for Site {
    type Error = StoreError;
    fn try_from(r: SiteRow) -> Result<Site> {
        Ok(Site {
            id: SiteId::new(r.id),
            account_id: AccountId::new(r.account_id),
            name: r.name,
            domain: r.domain,
            language: r.language,
            settings: serde_json::from_str(&r.settings).map_err(|e| StoreError::Corrupt {
                what: "site settings",
                detail: e.to_string(),
            })?,
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeywordRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub phrase: String,
    pub normalised: String,
    pub volume: Option<i64>,
    pub difficulty: Option<i64>,
    pub cpc_micros: Option<i64>,
    pub intent: Option<String>,
    pub country: Option<String>,
    pub source: String,
    pub cluster_id: Option<i64>,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<KeywordRow> for Keyword {
    type Error = StoreError;
    fn try_from(r: KeywordRow) -> Result<Keyword> {
        Ok(Keyword {
            id: KeywordId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            phrase: r.phrase,
            normalised: r.normalised,
            volume: r.volume,
            difficulty: r.difficulty.map(|d| d.clamp(0, 100) as i16),
            cpc: r.cpc_micros.map(UsdMicros),
            intent: r.intent.as_deref().map(Intent::parse).transpose()?,
            country: r.country,
            source: r.source,
            cluster_id: r.cluster_id.map(ClusterId::new),
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

pub(crate) fn json_list(what: &'static str, s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClusterRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub name: String,
    pub description: String,
    pub keyword_count: i64,
    pub total_volume: i64,
    pub method: String,
    pub threshold: Option<f64>,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<ClusterRow> for Cluster {
    type Error = StoreError;
    fn try_from(r: ClusterRow) -> Result<Cluster> {
        Ok(Cluster {
            id: ClusterId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            name: r.name,
            description: r.description,
            keyword_count: r.keyword_count,
            total_volume: r.total_volume,
            method: ClusterMethod::parse(&r.method)?,
            threshold: r.threshold,
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdeaRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub cluster_id: i64,
    pub title: String,
    pub description: String,
    pub outline: String,
    pub primary_keyword: String,
    pub secondary_keywords: String,
    pub content_structure: String,
    pub target_words: i64,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<IdeaRow> for Idea {
    type Error = StoreError;
    fn try_from(r: IdeaRow) -> Result<Idea> {
        Ok(Idea {
            id: IdeaId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            cluster_id: ClusterId::new(r.cluster_id),
            title: r.title,
            description: r.description,
            outline: json_list("idea outline", &r.outline)?,
            primary_keyword: r.primary_keyword,
            secondary_keywords: json_list("idea keywords", &r.secondary_keywords)?,
            content_structure: ContentStructure::parse(&r.content_structure)?,
            target_words: r.target_words,
            status: status(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub idea_id: i64,
    pub cluster_id: i64,
    pub title: String,
    pub brief: String,
    pub keywords: String,
    pub target_words: i64,
    pub status: String,
    pub error: Option<String>,
    pub created_at: i64,
}

impl TryFrom<TaskRow> for Task {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> Result<Task> {
        Ok(Task {
            id: TaskId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            idea_id: IdeaId::new(r.idea_id),
            cluster_id: ClusterId::new(r.cluster_id),
            title: r.title,
            brief: r.brief,
            keywords: json_list("task keywords", &r.keywords)?,
            target_words: r.target_words,
            status: status(&r.status)?,
            error: r.error,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContentRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub task_id: i64,
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_html: String,
    pub body_markdown: String,
    pub word_count: i64,
    pub primary_keyword: String,
    pub secondary_keywords: String,
    pub status: String,
    pub offline: bool,
    pub version: i64,
    pub checks: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<ContentRow> for Content {
    type Error = StoreError;
    fn try_from(r: ContentRow) -> Result<Content> {
        Ok(Content {
            id: ContentId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            task_id: TaskId::new(r.task_id),
            title: r.title,
            slug: r.slug,
            meta_title: r.meta_title,
            meta_description: r.meta_description,
            excerpt: r.excerpt,
            body_html: r.body_html,
            body_markdown: r.body_markdown,
            word_count: r.word_count,
            primary_keyword: r.primary_keyword,
            secondary_keywords: json_list("content keywords", &r.secondary_keywords)?,
            status: status(&r.status)?,
            offline: r.offline,
            version: r.version,
            // Written from an `OnPageReport` only (`set_content_checks`): text that does not
            // parse was changed behind the store's back, and is said so, with the row.
            checks: r
                .checks
                .map(|c| {
                    serde_json::from_str(&c).map_err(|e| StoreError::Corrupt {
                        what: "content checks",
                        detail: format!("content {}: {e}", r.id),
                    })
                })
                .transpose()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ImageRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub content_id: i64,
    pub image_type: String,
    pub position: i64,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub alt_text: String,
    pub section: Option<String>,
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
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<ImageRow> for Image {
    type Error = StoreError;
    fn try_from(r: ImageRow) -> Result<Image> {
        Ok(Image {
            id: ImageId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            content_id: ContentId::new(r.content_id),
            image_type: ImageType::parse(&r.image_type)?,
            position: r.position,
            prompt: r.prompt,
            negative_prompt: r.negative_prompt,
            alt_text: r.alt_text,
            section: r.section,
            generation: r.generation,
            provider: r.provider,
            model: r.model,
            size: r.size,
            file_path: r.file_path,
            public_url: r.public_url,
            bytes: r.bytes,
            sha256: r.sha256,
            error: r.error,
            attempts: r.attempts,
            status: status(&r.status)?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RevisionRow {
    pub id: i64,
    pub account_id: i64,
    pub content_id: i64,
    pub version: i64,
    pub title: String,
    pub slug: String,
    pub meta_title: String,
    pub meta_description: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub primary_keyword: String,
    pub offline: bool,
    pub created_at: i64,
}

impl From<RevisionRow> for ContentRevision {
    fn from(r: RevisionRow) -> ContentRevision {
        ContentRevision {
            id: RevisionId::new(r.id),
            account_id: AccountId::new(r.account_id),
            content_id: ContentId::new(r.content_id),
            version: r.version,
            title: r.title,
            slug: r.slug,
            meta_title: r.meta_title,
            meta_description: r.meta_description,
            excerpt: r.excerpt,
            body_markdown: r.body_markdown,
            primary_keyword: r.primary_keyword,
            offline: r.offline,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LinkRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub source_id: i64,
    pub target_id: i64,
    pub anchor: String,
    pub status: String,
    pub created_at: i64,
}

impl TryFrom<LinkRow> for InternalLink {
    type Error = StoreError;
    fn try_from(r: LinkRow) -> Result<InternalLink> {
        Ok(InternalLink {
            id: LinkId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            source_id: ContentId::new(r.source_id),
            target_id: ContentId::new(r.target_id),
            anchor: r.anchor,
            status: LinkStatus::parse(&r.status)?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    pub id: i64,
    pub account_id: i64,
    pub site_id: i64,
    pub trigger: String,
    pub status: String,
    pub current_stage: i64,
    pub stage_results: String,
    pub credits_used: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub providers: Option<String>,
    pub scope: Option<String>,
}

impl TryFrom<RunRow> for AutomationRun {
    type Error = StoreError;
    fn try_from(r: RunRow) -> Result<AutomationRun> {
        Ok(AutomationRun {
            id: RunId::new(r.id),
            account_id: AccountId::new(r.account_id),
            site_id: SiteId::new(r.site_id),
            trigger: RunTrigger::parse(&r.trigger)?,
            status: status(&r.status)?,
            current_stage: Stage::try_from(u8::try_from(r.current_stage).unwrap_or(0))?,
            stage_results: serde_json::from_str(&r.stage_results).map_err(|e| {
                StoreError::Corrupt {
                    what: "stage results",
                    detail: e.to_string(),
                }
            })?,
            credits_used: Credits(r.credits_used),
            error: r.error,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            scope: r
                .scope
                .map(|s| {
                    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt {
                        what: "run scope",
                        detail: e.to_string(),
                    })
                })
                .transpose()?
                .unwrap_or_default(),
            providers: r
                .providers
                .map(|p| {
                    serde_json::from_str(&p).map_err(|e| StoreError::Corrupt {
                        what: "run providers",
                        detail: e.to_string(),
                    })
                })
                .transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunEventRow {
    pub id: i64,
    pub run_id: i64,
    pub stage: Option<i64>,
    pub level: String,
    pub message: String,
    pub fields: String,
    pub created_at: i64,
}

impl TryFrom<RunEventRow> for RunEvent {
    type Error = StoreError;
    fn try_from(r: RunEventRow) -> Result<RunEvent> {
        Ok(RunEvent {
            id: RunEventId::new(r.id),
            run_id: RunId::new(r.run_id),
            // A stage outside u8 becomes 0, which `Stage::try_from` refuses like any other
            // number that is not a stage.
            stage: r
                .stage
                .map(|s| Stage::try_from(u8::try_from(s).unwrap_or(0)))
                .transpose()?,
            level: EventLevel::parse(&r.level)?,
            message: r.message,
            // Written from a `serde_json::Value` only (`add_run_event`): text that does not
            // parse was changed behind the store's back, and is said so, with the row.
            fields: serde_json::from_str(&r.fields).map_err(|e| StoreError::Corrupt {
                what: "run event fields",
                detail: format!("event {} of run {}: {e}", r.id, r.run_id),
            })?,
            created_at: r.created_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(fields: &str) -> RunEventRow {
        RunEventRow {
            id: 17,
            run_id: 3,
            stage: Some(2),
            level: "info".into(),
            message: "stage 2 started".into(),
            fields: fields.into(),
            created_at: 0,
        }
    }

    #[test]
    fn event_fields_that_do_not_parse_are_corrupt_and_name_the_row() {
        let e = RunEvent::try_from(event("{\"stage\": 2")).unwrap_err();
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
        let message = e.to_string();
        assert!(message.contains("event 17 of run 3"), "{message}");
        let ok = RunEvent::try_from(event("{\"stage\": 2}")).unwrap();
        assert_eq!(ok.fields, serde_json::json!({"stage": 2}));
    }

    #[test]
    fn content_checks_that_do_not_parse_are_corrupt_and_name_the_row() {
        let row = |checks: Option<&str>| ContentRow {
            id: 42,
            account_id: 1,
            site_id: 1,
            task_id: 1,
            title: "t".into(),
            slug: "t".into(),
            meta_title: String::new(),
            meta_description: String::new(),
            excerpt: String::new(),
            body_html: String::new(),
            body_markdown: String::new(),
            word_count: 0,
            primary_keyword: String::new(),
            secondary_keywords: "[]".into(),
            status: "review".into(),
            offline: true,
            version: 3,
            checks: checks.map(Into::into),
            created_at: 0,
            updated_at: 0,
        };
        let e = Content::try_from(row(Some("{\"score\": 100"))).unwrap_err();
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
        assert!(e.to_string().contains("content 42"), "{e}");
        let ok = Content::try_from(row(Some(r#"{"score": 100, "checks": []}"#))).unwrap();
        assert_eq!(
            (ok.offline, ok.version, ok.checks.map(|c| c.score)),
            (true, 3, Some(100))
        );
        assert_eq!(Content::try_from(row(None)).unwrap().checks, None);
    }
}
