//! "Test connection": each step a publish needs, the first that fails named exactly.

use super::outcome::SendFailure;
use super::send::wordpress_client;
use crate::context::{Pipeline, Result};
use pressroom_domain::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub ok: bool,
    pub destination: DestinationId,
    /// One line: what works, or what is wrong.
    pub summary: String,
    /// What was found (site, user, roles, SEO plugin) and warnings.
    pub details: Vec<String>,
}

impl TestReport {
    pub fn text(&self) -> String {
        let mut s = format!(
            "{} {}",
            if self.ok { "ok:" } else { "failed:" },
            self.summary
        );
        for d in &self.details {
            s.push_str("\n  ");
            s.push_str(d);
        }
        s
    }
}

pub async fn test_destination(
    p: &Pipeline,
    account: AccountId,
    id: DestinationId,
) -> Result<TestReport> {
    let d = p.db().destination(account, id).await?;
    let failed = |summary: String| TestReport {
        ok: false,
        destination: id,
        summary,
        details: Vec::new(),
    };
    if d.status != DestinationStatus::Active {
        return Ok(failed(format!("destination {id} was removed")));
    }
    Ok(match d.kind {
        DestinationKind::WordPress => {
            let client = match wordpress_client(p, &d).await {
                Ok(c) => c,
                Err(
                    SendFailure::Transient(m)
                    | SendFailure::Permanent(m)
                    | SendFailure::Ambiguous(m),
                ) => return Ok(failed(m)),
                Err(SendFailure::RateLimited { message, .. }) => return Ok(failed(message)),
            };
            match client.test_connection().await {
                Ok(r) => {
                    let mut details = vec![
                        format!("site: {} ({})", r.site_name, r.site_url),
                        format!(
                            "user: {} (id {}, roles {})",
                            r.user,
                            r.user_id,
                            r.roles.join(", ")
                        ),
                        format!("SEO plugin: {:?}", r.seo),
                    ];
                    details.extend(r.warnings.iter().map(|w| format!("warning: {w}")));
                    TestReport {
                        ok: true,
                        destination: id,
                        summary: format!("WordPress at {} accepts posts from {}", d.url, r.user),
                        details,
                    }
                }
                Err(e) => failed(e.to_string()),
            }
        }
        DestinationKind::Webhook => match super::receiver::ping(p, &d).await {
            Ok(summary) => TestReport {
                ok: true,
                destination: id,
                summary,
                details: Vec::new(),
            },
            Err(e) => failed(e),
        },
    })
}
