//! `pressroom credits` and `pressroom usage`: the account's balance, ledger and spending.

use crate::config::{Config, open};
use crate::exit::Exit;
use crate::output::Out;
use serde_json::json;

/// The balance and the newest `limit` ledger entries.
pub(super) async fn credits(config: &Config, out: &Out, limit: u32) -> anyhow::Result<Exit> {
    let (db, account) = open(config).await?;
    let balance = db.account(account).await?.credits;
    let entries = db.credit_entries(account, limit).await?;
    out.emit(
        || {
            let mut s = format!("balance: {balance} credits\n");
            for e in &entries {
                s.push_str(&format!(
                    "{:>+8}  {:>8}  {}\n",
                    e.delta.0, e.balance_after.0, e.reason
                ));
            }
            s.trim_end().to_string()
        },
        json!({"balance": balance, "entries": entries}),
    );
    Ok(Exit::Ok)
}

/// Calls, tokens, images, cost and credits grouped by `by`.
pub(super) async fn usage(config: &Config, out: &Out, by: &str) -> anyhow::Result<Exit> {
    let (db, account) = open(config).await?;
    let rows = db.usage_summary(account, by).await?;
    out.emit(
        || {
            let mut s = format!(
                "{:<24} {:>6} {:>6} {:>9} {:>6} {:>12} {:>8}\n",
                by, "calls", "failed", "tokens", "images", "cost", "credits"
            );
            for r in &rows {
                s.push_str(&format!(
                    "{:<24} {:>6} {:>6} {:>9} {:>6} {:>12} {:>8}\n",
                    r.key,
                    r.calls,
                    r.failures,
                    r.tokens,
                    r.images,
                    r.cost.to_string(),
                    r.credits.0
                ));
            }
            s.trim_end().to_string()
        },
        json!({"by": by, "usage": rows}),
    );
    Ok(Exit::Ok)
}
