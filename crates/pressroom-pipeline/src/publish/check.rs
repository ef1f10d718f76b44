//! After publishing: the live page fetched as a reader would, its status, title and featured
//! image checked, the result recorded on the publication. A failed check is recorded and
//! shown; it does not undo the publish (the post exists).

use super::outcome::LiveTarget;
use super::send::policy;
use crate::context::Pipeline;
use pressroom_domain::*;
use serde_json::json;

pub(super) async fn check_live(
    p: &Pipeline,
    d: &Destination,
    record: &Publication,
    target: &LiveTarget,
) {
    // Only the destination's own host is fetched: an answer naming another host is not
    // followed anywhere.
    let same_host = url::Url::parse(&target.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        == d.host();
    let check = if same_host {
        let c = pressroom_publish::check_live(
            policy(p, d),
            &target.url,
            &target.title,
            target.image_url.as_deref(),
        )
        .await;
        json!({
            "passed": c.passed(),
            "http_status": c.http_status,
            "title_found": c.title_found,
            "image_found": c.image_found,
            "error": c.error,
            "checked_at": p.now(),
        })
    } else {
        json!({
            "passed": false,
            "error": format!("{} is not on the destination's host; not fetched", target.url),
            "checked_at": p.now(),
        })
    };
    tracing::info!(
        passed = check["passed"].as_bool().unwrap_or(false),
        "live check"
    );
    if let Err(e) = p
        .db()
        .record_live_check(record.account_id, record.id, &check)
        .await
    {
        tracing::warn!(error = %e, "live check not recorded");
    }
}
