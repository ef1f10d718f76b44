//! A site's images grouped by article: generate chosen ones, retry the failed ones.

use super::view::{Empty, Nav, csrf, nav, render};
use crate::actions;
use crate::auth::{CsrfForm, PageUser};
use crate::dto::ImageDto;
use crate::error::{ApiError, PageResult};
use crate::input::{own_site, ticked_ids};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::{Image, ImageId, ImageStatus, ImageType};
use pressroom_pipeline::images;

struct ImageGroup {
    content_id: i64,
    title: String,
    status: String,
    images: Vec<ImageDto>,
}

#[derive(Template)]
#[template(path = "images.html")]
struct ImagesTpl {
    nav: Option<Nav>,
    flash: Option<String>,
    site_id: i64,
    csrf: String,
    can_edit: bool,
    groups: Vec<ImageGroup>,
    generated: usize,
    pending: usize,
    failed: usize,
}

pub(super) async fn images_page(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(site): Path<i64>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    let db = s.pipeline.db();
    let all = db.images(c.account(), site.id, None, 1000).await?;
    let count = |f: fn(ImageStatus) -> bool| all.iter().filter(|i| f(i.status)).count();
    let generated = count(|s| s == ImageStatus::Generated);
    let failed = count(|s| s == ImageStatus::Failed);
    let pending = count(|s| matches!(s, ImageStatus::Pending | ImageStatus::Generating));
    let mut groups: Vec<ImageGroup> = Vec::new();
    for content in db.content_list(c.account(), site.id, None, 1000).await? {
        let mut imgs: Vec<&Image> = all.iter().filter(|i| i.content_id == content.id).collect();
        if imgs.is_empty() {
            continue;
        }
        imgs.sort_by_key(|i| (i.image_type != ImageType::Featured, i.position));
        groups.push(ImageGroup {
            content_id: content.id.get(),
            title: content.title,
            status: content.status.to_string(),
            images: imgs.into_iter().cloned().map(ImageDto::from).collect(),
        });
    }
    render(&ImagesTpl {
        nav: Some(nav(&c, "images", Some(&site))),
        flash: None,
        site_id: site.id.get(),
        csrf: csrf(&c),
        can_edit: c.user.role.can_edit(),
        groups,
        generated,
        pending,
        failed,
    })
}

/// The ticked images (`ids=1&ids=2…`). The button
/// pressed says what to do: generate (pending and failed ones; generated ones are skipped) or
/// `action=regenerate`, a new picture for each, generated ones included (each charged).
pub(super) async fn generate(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    c.require_edit()?;
    let site = own_site(&s, &c, site).await?;
    let ids: Vec<ImageId> = ticked_ids(&pairs)?;
    if ids.is_empty() {
        return Err(ApiError::invalid("ids: select at least one image").into());
    }
    if pairs
        .iter()
        .any(|(k, v)| k == "action" && v == "regenerate")
    {
        // This site's images only; one being generated right now is left alone, the rest go.
        let mine = s.pipeline.db().images_by_ids(c.account(), &ids).await?;
        for image in mine.iter().filter(|i| i.site_id == site.id) {
            match pressroom_pipeline::content::regenerate_image(&s.pipeline, c.account(), image.id)
                .await
            {
                Ok(_) | Err(pressroom_pipeline::PipelineError::IllegalMove(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    } else {
        images::generate_images(&s.pipeline, c.account(), &ids, None).await?;
    }
    Ok(Redirect::to(&format!("/sites/{}/images", site.id)).into_response())
}

pub(super) async fn retry_failed(
    State(s): State<AppState>,
    Path(site): Path<i64>,
    CsrfForm(c, _): CsrfForm<Empty>,
) -> PageResult {
    let site = own_site(&s, &c, site).await?;
    actions::retry_failed_images(&s, &c, site.id).await?;
    Ok(Redirect::to(&format!("/sites/{}/images", site.id)).into_response())
}
