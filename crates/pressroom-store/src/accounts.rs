//! Accounts, and the local default account and site a single user gets without signing up.

use crate::rows::AccountRow;
use crate::{Db, Result, StoreError, Tx, now_ms, on_conn, on_db};
use pressroom_domain::{Account, AccountId, Credits, Site, SiteSettings};

pub const LOCAL_ACCOUNT_NAME: &str = "local";
pub const LOCAL_SITE_NAME: &str = "default";
/// Credits the local account starts with, so a first offline run just works; the ledger
/// records them as a grant like any other.
pub const LOCAL_STARTING_CREDITS: Credits = Credits(10_000);

impl Db {
    /// Creates an account with a starting grant recorded in the ledger.
    pub async fn create_account(&self, name: &str, starting_credits: Credits) -> Result<Account> {
        let mut tx = self.begin().await?;
        let account = tx.insert_account(name, false).await?;
        if starting_credits.0 > 0 {
            tx.grant_credits(
                account,
                starting_credits,
                "starting credits",
                &format!("grant:start:{}", account.get()),
            )
            .await?;
        }
        tx.commit().await?;
        self.account(account).await
    }

    pub async fn account(&self, account: AccountId) -> Result<Account> {
        let row: Option<AccountRow> = on_db!(self, p => sqlx::query_as(
            "SELECT id, name, credits, status, created_at FROM accounts WHERE id = $1")
            .bind(account.get()).fetch_optional(p).await)?;
        row.ok_or_else(|| StoreError::not_found("account", account))?
            .try_into()
    }

    /// The local default account and its default site, created on first use. Safe when two
    /// processes start at once: the database's unique index decides who creates them.
    pub async fn local_default(&self) -> Result<(Account, Site)> {
        let existing: Option<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT id FROM accounts WHERE is_local_default").fetch_optional(p).await)?;
        let account = match existing {
            Some(id) => AccountId::new(id),
            None => {
                let mut tx = self.begin().await?;
                let created: Option<i64> = on_conn!(&mut tx, c => sqlx::query_scalar(
                    "INSERT INTO accounts (name, credits, status, is_local_default, created_at)
                     VALUES ($1, 0, 'active', TRUE, $2)
                     ON CONFLICT (is_local_default) WHERE is_local_default DO NOTHING RETURNING id")
                    .bind(LOCAL_ACCOUNT_NAME).bind(now_ms()).fetch_optional(c).await)?;
                match created {
                    Some(id) => {
                        let id = AccountId::new(id);
                        tx.grant_credits(
                            id,
                            LOCAL_STARTING_CREDITS,
                            "starting credits",
                            &format!("grant:start:{}", id.get()),
                        )
                        .await?;
                        tx.commit().await?;
                        id
                    }
                    None => {
                        tx.rollback().await?;
                        let id: i64 = on_db!(self, p => sqlx::query_scalar(
                            "SELECT id FROM accounts WHERE is_local_default").fetch_one(p).await)?;
                        AccountId::new(id)
                    }
                }
            }
        };
        let site = self.ensure_site(account, LOCAL_SITE_NAME).await?;
        Ok((self.account(account).await?, site))
    }

    /// The named site of `account`, created with default settings if missing.
    pub async fn ensure_site(&self, account: AccountId, name: &str) -> Result<Site> {
        if let Some(site) = self.site_by_name(account, name).await? {
            return Ok(site);
        }
        match self
            .create_site(account, name, None, "en", &SiteSettings::default())
            .await
        {
            Err(StoreError::AlreadyExists { .. }) => self
                .site_by_name(account, name)
                .await?
                .ok_or_else(|| StoreError::not_found("site", name)),
            other => other,
        }
    }
}

impl Tx {
    pub(crate) async fn insert_account(
        &mut self,
        name: &str,
        local_default: bool,
    ) -> Result<AccountId> {
        let id: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO accounts (name, credits, status, is_local_default, created_at)
             VALUES ($1, 0, 'active', $2, $3) RETURNING id")
            .bind(name).bind(local_default).bind(now_ms()).fetch_one(c).await)?;
        Ok(AccountId::new(id))
    }
}
