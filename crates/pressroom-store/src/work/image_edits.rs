//! A person's edits of one image: its alt text, a new picture on request, a file of their own.
//! Each new picture adds one to `generation`, so the pipeline charges each once. Status moves
//! go through [`Tx::move_status`]; the file fields are written after, guarded on the status
//! the move left.

use super::{GeneratedImage, IMAGE_COLS};
use crate::rows::*;
use crate::{Result, StoreError, Tx, now_ms, on_conn};
use pressroom_domain::*;
use sqlx::AssertSqlSafe;

impl Tx {
    /// Replaces an image's alt text. `NotFound` for a foreign or unknown id.
    pub async fn set_image_alt(
        &mut self,
        account: AccountId,
        id: ImageId,
        alt: &str,
    ) -> Result<Image> {
        let row: Option<ImageRow> = on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE images SET alt_text = $1, updated_at = $2 WHERE account_id = $3 AND id = $4 RETURNING {IMAGE_COLS}")))
            .bind(alt).bind(now_ms()).bind(account.get()).bind(id.get()).fetch_optional(c).await)?;
        row.ok_or_else(|| StoreError::not_found("image", id))?
            .try_into()
    }

    /// Asks for a new picture: generated or failed -> pending, the next generation, the error
    /// cleared. The old file stays in place (and on the page) until the new one replaces it.
    /// A pending image is an illegal move (it is waiting already), and so is one generating:
    /// the domain lets a dead worker hand that back, but a person waits for the call to end.
    pub async fn restart_image(&mut self, account: AccountId, id: ImageId) -> Result<Image> {
        let current = self.image_for_update(account, id).await?;
        if current.status == ImageStatus::Generating {
            return Err(DomainError::IllegalTransition {
                entity: ImageStatus::ENTITY,
                from: ImageStatus::Generating.as_str(),
                to: ImageStatus::Pending.as_str(),
            }
            .into());
        }
        self.move_status(account, id, ImageStatus::Pending).await?;
        self.next_generation(account, id, ImageStatus::Pending, None)
            .await
    }

    /// Stores a person's own file as the image's picture, from any status: pending, failed,
    /// generated (replaced), and generating too — the person's upload wins over a call in
    /// flight, whose `finish_image` then finds the image no longer generating and writes
    /// nothing. The image is generated afterwards, in the next generation, error cleared. The
    /// caller moves the article on with [`Tx::review_if_images_settled`].
    pub async fn upload_image(
        &mut self,
        account: AccountId,
        id: ImageId,
        file: &GeneratedImage,
    ) -> Result<Image> {
        let current = self.image_for_update(account, id).await?;
        // generated -> generated is no move: the picture is replaced in place.
        if current.status != ImageStatus::Generated {
            self.move_status(account, id, ImageStatus::Generated)
                .await?;
        }
        self.next_generation(account, id, ImageStatus::Generated, Some(file))
            .await
    }

    /// Adds one to the generation and clears the error of an image in `status` (where the
    /// caller just put it), with `file`'s fields when given. `Conflict` when someone moved it
    /// meanwhile (PostgreSQL holds no lock between the move and this).
    async fn next_generation(
        &mut self,
        account: AccountId,
        id: ImageId,
        status: ImageStatus,
        file: Option<&GeneratedImage>,
    ) -> Result<Image> {
        let now = now_ms();
        let row: Option<ImageRow> = match file {
            None => on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
                "UPDATE images SET generation = generation + 1, error = NULL, updated_at = $1
                 WHERE account_id = $2 AND id = $3 AND status = $4 RETURNING {IMAGE_COLS}")))
                .bind(now).bind(account.get()).bind(id.get()).bind(status.as_str()).fetch_optional(c).await)?,
            Some(f) => on_conn!(self, c => sqlx::query_as(AssertSqlSafe(format!(
                "UPDATE images SET generation = generation + 1, error = NULL, updated_at = $1, provider = $2, model = $3,
                     file_path = $4, public_url = $5, bytes = $6, sha256 = $7
                 WHERE account_id = $8 AND id = $9 AND status = $10 RETURNING {IMAGE_COLS}")))
                .bind(now).bind(&f.provider).bind(&f.model).bind(&f.file_path).bind(&f.public_url)
                .bind(f.bytes).bind(&f.sha256).bind(account.get()).bind(id.get()).bind(status.as_str())
                .fetch_optional(c).await)?,
        };
        row.ok_or_else(|| StoreError::Conflict {
            entity: ImageStatus::ENTITY,
            id: id.to_string(),
        })?
        .try_into()
    }
}
