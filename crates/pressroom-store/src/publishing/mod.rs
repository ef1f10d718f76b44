//! Publishing's storage: destinations (secrets sealed by the caller) and publication records.
//! A publication's status moves are checked by [`PublicationStatus::check_move`] and written
//! with a compare-and-set on the status read, so two workers never both move one record.

mod destinations;
mod publications;
mod rows;

pub use destinations::{DestinationUpdate, NewDestination};
pub use publications::{DuePublication, PublicationOutcome, QueuedPublication};
