//! An editor's actions on one article: edit what an editor edits, move it through review (one
//! or many), regenerate it or restore an earlier text, and change its images. The API, the
//! web pages and the CLI call these, so the three behave the same.

mod edit;
mod images;
mod review;
mod versions;

pub use edit::{ContentEdit, ContentEditInput, edit_content};
pub use images::{regenerate_image, set_image_alt, upload_image};
pub use review::{ReviewOutcome, review_many, review_on_site, review_one, review_passing};
pub use versions::{regenerate_content, restore_revision};
