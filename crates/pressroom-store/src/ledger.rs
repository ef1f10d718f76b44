//! The credit ledger. The balance on the account changes only here, in the same transaction as
//! an append-only entry whose idempotency key is unique per account: a retried or resumed job
//! that charges again with the same key changes nothing.

use crate::{Result, StoreError, Tx, now_ms, on_conn};
use pressroom_domain::{AccountId, CreditEntryId, Credits, UsageId};

/// What a charge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    Applied {
        entry: CreditEntryId,
        balance_after: Credits,
    },
    /// The key was charged before; nothing changed.
    AlreadyApplied,
}

impl Tx {
    /// Takes `amount` credits from `account` under `key`. Fails with `InsufficientCredits`
    /// (changing nothing) when the balance cannot cover it.
    pub async fn charge_credits(
        &mut self,
        account: AccountId,
        amount: Credits,
        reason: &str,
        key: &str,
        usage: Option<UsageId>,
    ) -> Result<Charge> {
        if amount.0 < 0 {
            return Err(pressroom_domain::DomainError::OutOfRange {
                field: "charge",
                min: 0,
                max: i64::MAX,
            }
            .into());
        }
        self.apply_delta(account, Credits(-amount.0), reason, key, usage)
            .await
    }

    pub async fn grant_credits(
        &mut self,
        account: AccountId,
        amount: Credits,
        reason: &str,
        key: &str,
    ) -> Result<Charge> {
        if amount.0 <= 0 {
            return Err(pressroom_domain::DomainError::OutOfRange {
                field: "grant",
                min: 1,
                max: i64::MAX,
            }
            .into());
        }
        self.apply_delta(account, amount, reason, key, None).await
    }

    async fn apply_delta(
        &mut self,
        account: AccountId,
        delta: Credits,
        reason: &str,
        key: &str,
        usage: Option<UsageId>,
    ) -> Result<Charge> {
        let seen: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
            "SELECT id FROM credit_entries WHERE account_id = $1 AND idempotency_key = $2")
            .bind(account.get()).bind(key).fetch_optional(c).await)?;
        if seen.is_some() {
            return Ok(Charge::AlreadyApplied);
        }
        // The guard in the WHERE clause makes the balance check and the update one atomic step.
        let balance: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
            "UPDATE accounts SET credits = credits + $1 WHERE id = $2 AND credits + $1 >= 0 RETURNING credits")
            .bind(delta.0).bind(account.get()).fetch_optional(c).await)?;
        let Some(balance) = balance else {
            let current: Option<i64> = on_conn!(self, c => sqlx::query_scalar(
                "SELECT credits FROM accounts WHERE id = $1").bind(account.get()).fetch_optional(c).await)?;
            return match current {
                Some(b) => Err(StoreError::InsufficientCredits {
                    needed: Credits(-delta.0),
                    balance: Credits(b),
                }),
                None => Err(StoreError::not_found("account", account)),
            };
        };
        let entry: i64 = on_conn!(self, c => sqlx::query_scalar(
            "INSERT INTO credit_entries (account_id, delta, reason, idempotency_key, balance_after, usage_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(account.get()).bind(delta.0).bind(reason).bind(key).bind(balance)
            .bind(usage.map(|u| u.get())).bind(now_ms()).fetch_one(c).await)?;
        Ok(Charge::Applied {
            entry: CreditEntryId::new(entry),
            balance_after: Credits(balance),
        })
    }
}

impl crate::Db {
    /// The newest ledger entries of `account`, newest first.
    pub async fn credit_entries(
        &self,
        account: AccountId,
        limit: u32,
    ) -> Result<Vec<pressroom_domain::CreditEntry>> {
        let rows: Vec<(i64, i64, String, String, i64, i64)> = crate::on_db!(self, p => sqlx::query_as(
            "SELECT id, delta, reason, idempotency_key, balance_after, created_at FROM credit_entries
             WHERE account_id = $1 ORDER BY id DESC LIMIT $2")
            .bind(account.get()).bind(i64::from(limit.clamp(1, 1000))).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, delta, reason, idempotency_key, balance_after, created_at)| {
                    pressroom_domain::CreditEntry {
                        id: CreditEntryId::new(id),
                        account_id: account,
                        delta: Credits(delta),
                        reason,
                        idempotency_key,
                        balance_after: Credits(balance_after),
                        created_at,
                    }
                },
            )
            .collect())
    }
}
