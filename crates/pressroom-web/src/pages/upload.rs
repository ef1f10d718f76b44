//! File uploads from the pages: a multipart form whose CSRF token is a field like any other.

use crate::auth::{Caller, same_secret};
use crate::error::ApiError;
use crate::input::upload_name;
use axum::extract::Multipart;

/// The `file` field of a page's multipart form, with its name, once the form's `csrf` field
/// matched the session's token.
pub(super) async fn csrf_file(
    c: &Caller,
    mut form: Multipart,
) -> Result<(Vec<u8>, String), ApiError> {
    let mut csrf_ok = false;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        match field.name() {
            Some("csrf") => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                csrf_ok = c.csrf.as_deref().is_some_and(|t| same_secret(t, &v));
            }
            Some("file") => {
                let name = upload_name(field.file_name())?;
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                file = Some((bytes.to_vec(), name));
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(ApiError::forbidden(
            "the form expired or did not come from this site; reload the page and try again",
        ));
    }
    file.ok_or_else(|| ApiError::invalid("file: choose a file to upload"))
}
