//! `pressroom schedule list`: each site's schedule, its next slot (local and UTC) and what came
//! of its latest slots, with the month's spend against the budget.

use crate::config::{Config, find_site, pipeline};
use crate::exit::Exit;
use crate::output::Out;
use clap::Subcommand;
use pressroom_pipeline::scheduler::{ScheduleView, local_time, schedule_view, schedule_views};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum ScheduleCommand {
    /// Sites' schedules, next slots and latest slots with their outcome.
    List {
        /// Only this site.
        #[arg(long)]
        site: Option<String>,
    },
}

pub(super) async fn command(
    config: &Config,
    out: &Out,
    cmd: ScheduleCommand,
) -> anyhow::Result<Exit> {
    let (p, account) = pipeline(config).await?;
    match cmd {
        ScheduleCommand::List { site } => {
            let views = match site {
                Some(name) => {
                    let site = find_site(p.db(), account, &name).await?;
                    vec![schedule_view(&p, &site).await?]
                }
                None => schedule_views(&p, account).await?,
            };
            out.emit(|| text(&views), json!({ "sites": views }));
            Ok(Exit::Ok)
        }
    }
}

fn text(views: &[ScheduleView]) -> String {
    let mut s = String::new();
    for v in views {
        s.push_str(&format!(
            "{} ({}): {}\n",
            v.site_name, v.timezone, v.summary
        ));
        match (&v.next_slot_local, &v.next_slot_utc) {
            (Some(local), Some(utc)) => s.push_str(&format!("  next slot: {local} ({utc})\n")),
            _ => s.push_str("  next slot: none\n"),
        }
        let b = &v.budget;
        match (b.budget, b.left) {
            (Some(budget), Some(left)) => s.push_str(&format!(
                "  budget: {} of {budget} credits spent in {}, {left} left\n",
                b.spent, b.month
            )),
            _ => s.push_str(&format!(
                "  budget: none ({} credits spent in {})\n",
                b.spent, b.month
            )),
        }
        for slot in &v.slots {
            let run = slot.run_id.map(|r| format!(" run {r}")).unwrap_or_default();
            let detail = slot
                .detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            s.push_str(&format!(
                "  {} {}{run}{detail}\n",
                local_time(&v.timezone, slot.slot_at),
                slot.outcome.as_str()
            ));
        }
    }
    if views.is_empty() {
        s.push_str("no sites\n");
    }
    s.trim_end().to_string()
}
