use crate::rows::{SiteRow, to_json};
use crate::{Db, Result, StoreError, now_ms, on_db};
use pressroom_domain::{AccountId, DomainError, Site, SiteId, SiteSettings, text};

pub(crate) const SITE_COLUMNS: &str =
    "id, account_id, name, domain, language, settings, status, created_at";

impl Db {
    pub async fn create_site(
        &self,
        account: AccountId,
        name: &str,
        domain: Option<&str>,
        language: &str,
        settings: &SiteSettings,
    ) -> Result<Site> {
        // The text rules hold for every caller (API, pages, CLI), not only where a handler
        // remembered to check.
        let name = &text::line("name", name, text::NAME_MAX_CHARS).map_err(DomainError::from)?;
        // A blank domain (an empty form box) is no domain.
        let domain = text::optional_host_name("domain", domain).map_err(DomainError::from)?;
        let language = &text::language_code("language", language).map_err(DomainError::from)?;
        settings.validate()?;
        let id: i64 = on_db!(self, p => sqlx::query_scalar(
            "INSERT INTO sites (account_id, name, domain, language, settings, status, created_at)
             VALUES ($1, $2, $3, $4, $5, 'active', $6) RETURNING id")
            .bind(account.get()).bind(name).bind(domain).bind(language).bind(to_json(settings)).bind(now_ms())
            .fetch_one(p).await)
        .map_err(StoreError::from)
        .map_err(|e| if e.is_unique_violation() { StoreError::AlreadyExists { entity: "site", name: name.to_string() } } else { e })?;
        self.site(account, SiteId::new(id)).await
    }

    pub async fn site(&self, account: AccountId, site: SiteId) -> Result<Site> {
        let row: Option<SiteRow> = on_db!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {SITE_COLUMNS} FROM sites WHERE account_id = $1 AND id = $2")))
            .bind(account.get()).bind(site.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("site", site))?
            .try_into()
    }

    pub async fn site_by_name(&self, account: AccountId, name: &str) -> Result<Option<Site>> {
        let row: Option<SiteRow> = on_db!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {SITE_COLUMNS} FROM sites WHERE account_id = $1 AND name = $2")))
            .bind(account.get()).bind(name.trim()).fetch_optional(p).await)?;
        row.map(Site::try_from).transpose()
    }

    pub async fn sites(&self, account: AccountId) -> Result<Vec<Site>> {
        let rows: Vec<SiteRow> = on_db!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {SITE_COLUMNS} FROM sites WHERE account_id = $1 ORDER BY id")))
            .bind(account.get()).fetch_all(p).await)?;
        rows.into_iter().map(Site::try_from).collect()
    }

    pub async fn update_site_settings(
        &self,
        account: AccountId,
        site: SiteId,
        settings: &SiteSettings,
    ) -> Result<Site> {
        settings.validate()?;
        let changed = on_db!(self, p => sqlx::query(
            "UPDATE sites SET settings = $1 WHERE account_id = $2 AND id = $3")
            .bind(to_json(settings)).bind(account.get()).bind(site.get()).execute(p).await
            .map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("site", site));
        }
        self.site(account, site).await
    }
}
