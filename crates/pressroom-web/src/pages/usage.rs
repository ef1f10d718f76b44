//! AI usage and the credit ledger, with each site's spend this month against its budget.

use super::view::{Nav, fmt_time, nav, render};
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;

struct BarRow {
    label: String,
    value: i64,
    pct: i64,
}

fn bars(rows: Vec<(String, i64)>) -> Vec<BarRow> {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    rows.into_iter()
        .map(|(label, value)| BarRow {
            pct: value * 100 / max,
            label,
            value,
        })
        .collect()
}

struct UsageLine {
    key: String,
    calls: i64,
    failures: i64,
    tokens: i64,
    images: i64,
    cost: String,
    credits: i64,
}

/// A site's month: spent, budget, left (`-` without a budget).
struct BudgetLine {
    site_id: i64,
    site: String,
    month: String,
    spent: i64,
    budget: String,
    left: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "usage.html")]
struct UsageTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    balance: i64,
    by_day: Vec<BarRow>,
    by_function: Vec<BarRow>,
    rows: Vec<UsageLine>,
    entries: Vec<(String, i64, i64, String)>,
    budgets: Vec<BudgetLine>,
}

pub(super) async fn usage(State(s): State<AppState>, PageUser(c): PageUser) -> PageResult {
    let db = s.pipeline.db();
    let by_function = db.usage_summary(c.account(), "function").await?;
    let by_day = db.usage_summary(c.account(), "day").await?;
    let entries = db.credit_entries(c.account(), 100).await?;
    let budgets = pressroom_pipeline::budget::budgets(&s.pipeline, c.account()).await?;
    render(&UsageTpl {
        nav: Some(nav(&c, "usage", None)),
        flash: None,
        balance: db.account(c.account()).await?.credits.0,
        by_day: bars(
            by_day
                .iter()
                .map(|r| {
                    let day = r.key.parse::<i64>().unwrap_or(0);
                    (fmt_time(day * 86_400_000)[..10].to_string(), r.credits.0)
                })
                .collect(),
        ),
        by_function: bars(
            by_function
                .iter()
                .map(|r| (r.key.clone(), r.credits.0))
                .collect(),
        ),
        rows: by_function
            .into_iter()
            .map(|r| UsageLine {
                cost: r.cost.to_string(),
                key: r.key,
                calls: r.calls,
                failures: r.failures,
                tokens: r.tokens,
                images: r.images,
                credits: r.credits.0,
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| {
                (
                    fmt_time(e.created_at),
                    e.delta.0,
                    e.balance_after.0,
                    e.reason,
                )
            })
            .collect(),
        budgets: budgets
            .into_iter()
            .map(|b| BudgetLine {
                site_id: b.site.get(),
                site: b.site_name,
                month: b.month,
                spent: b.spent.0,
                budget: b.budget.map_or("-".into(), |c| c.to_string()),
                left: b.left.map_or("-".into(), |c| c.to_string()),
                over: b.left.is_some_and(|l| l.0 <= 0),
            })
            .collect(),
    })
}
