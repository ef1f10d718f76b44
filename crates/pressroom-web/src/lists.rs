//! The site lists shown by both the API and the table pages (clusters, ideas, tasks,
//! content, images): one [`Listing`] per kind says how its rows are read, and [`list`] reads
//! any of them for the caller, so the handlers of each kind are one line.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::input::{own_site, status};
use crate::state::AppState;
use pressroom_domain::*;
use pressroom_store::Db;
use std::future::Future;

/// A kind of row a site lists, filtered by its status.
pub trait Listing {
    type Status: Status;
    type Row: Send;
    fn rows(
        db: &Db,
        account: AccountId,
        site: SiteId,
        status: Option<Self::Status>,
        limit: u32,
    ) -> impl Future<Output = pressroom_store::Result<Vec<Self::Row>>> + Send;
}

/// The caller's site and up to `limit` of its rows of kind `L`, in id order, with the status
/// named by `status_param` (blank or absent: all).
pub async fn list<L: Listing>(
    s: &AppState,
    c: &Caller,
    site: i64,
    status_param: Option<&str>,
    limit: u32,
) -> ApiResult<(Site, Vec<L::Row>)> {
    let site = own_site(s, c, site).await?;
    let status = status::<L::Status>(status_param)?;
    let rows = L::rows(s.pipeline.db(), c.account(), site.id, status, limit).await?;
    Ok((site, rows))
}

pub struct Clusters;
pub struct Ideas;
pub struct Tasks;
pub struct Contents;
pub struct Images;

impl Listing for Clusters {
    type Status = ClusterStatus;
    type Row = Cluster;
    fn rows(
        db: &Db,
        account: AccountId,
        site: SiteId,
        status: Option<ClusterStatus>,
        limit: u32,
    ) -> impl Future<Output = pressroom_store::Result<Vec<Cluster>>> + Send {
        db.clusters(account, site, status, limit)
    }
}

impl Listing for Ideas {
    type Status = IdeaStatus;
    type Row = Idea;
    fn rows(
        db: &Db,
        account: AccountId,
        site: SiteId,
        status: Option<IdeaStatus>,
        limit: u32,
    ) -> impl Future<Output = pressroom_store::Result<Vec<Idea>>> + Send {
        db.ideas(account, site, status, limit)
    }
}

impl Listing for Tasks {
    type Status = TaskStatus;
    type Row = Task;
    fn rows(
        db: &Db,
        account: AccountId,
        site: SiteId,
        status: Option<TaskStatus>,
        limit: u32,
    ) -> impl Future<Output = pressroom_store::Result<Vec<Task>>> + Send {
        db.tasks(account, site, status, limit)
    }
}

impl Listing for Contents {
    type Status = ContentStatus;
    type Row = Content;
    fn rows(
        db: &Db,
        account: AccountId,
        site: SiteId,
        status: Option<ContentStatus>,
        limit: u32,
    ) -> impl Future<Output = pressroom_store::Result<Vec<Content>>> + Send {
        db.content_list(account, site, status, limit)
    }
}

impl Listing for Images {
    type Status = ImageStatus;
    type Row = Image;
    fn rows(
        db: &Db,
        account: AccountId,
        site: SiteId,
        status: Option<ImageStatus>,
        limit: u32,
    ) -> impl Future<Output = pressroom_store::Result<Vec<Image>>> + Send {
        db.images(account, site, status, limit)
    }
}
