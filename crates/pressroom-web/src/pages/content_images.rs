//! An article's images from its page: alt text, a new picture, an uploaded one.

use super::upload::csrf_file;
use crate::auth::{CsrfForm, PageUser};
use crate::error::{ApiError, PageResult};
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect};
use pressroom_domain::ImageId;
use pressroom_pipeline::content;
use serde::Deserialize;

fn back_to_article(content: pressroom_domain::ContentId) -> PageResult {
    Ok(Redirect::to(&format!("/content/{content}#images")).into_response())
}

#[derive(Deserialize)]
pub(super) struct AltForm {
    alt_text: String,
}

pub(super) async fn alt(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, f): CsrfForm<AltForm>,
) -> PageResult {
    c.require_edit()?;
    let image =
        content::set_image_alt(&s.pipeline, c.account(), ImageId::new(id), &f.alt_text).await?;
    back_to_article(image.content_id)
}

pub(super) async fn regenerate(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(c, _): CsrfForm<super::view::Empty>,
) -> PageResult {
    c.require_edit()?;
    let id = ImageId::new(id);
    content::regenerate_image(&s.pipeline, c.account(), id).await?;
    back_to_article(s.pipeline.db().image(c.account(), id).await?.content_id)
}

pub(super) async fn upload(
    State(s): State<AppState>,
    PageUser(c): PageUser,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    c.require_edit()?;
    let (bytes, _name) = csrf_file(&c, form).await?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file: the file is empty").into());
    }
    let image = content::upload_image(&s.pipeline, c.account(), ImageId::new(id), bytes).await?;
    back_to_article(image.content_id)
}
