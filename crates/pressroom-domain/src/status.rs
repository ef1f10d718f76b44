//! Every status enum and the one place where its allowed moves are written down.
//! Storage calls [`Status::check_move`] before any status write, so an illegal move is a
//! typed error, never a silent write.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// A status column: a fixed set of names plus a table of allowed moves.
pub trait Status: Copy + Eq + std::fmt::Debug + 'static {
    /// Entity name, for error messages.
    const ENTITY: &'static str;
    /// Every status, in declaration order (filters list them).
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Result<Self, DomainError>;
    fn allowed(self, to: Self) -> bool;

    /// Checks a move and returns the target, or names the illegal move.
    fn check_move(self, to: Self) -> Result<Self, DomainError> {
        if self.allowed(to) {
            Ok(to)
        } else {
            Err(DomainError::IllegalTransition {
                entity: Self::ENTITY,
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }
}

macro_rules! status_enum {
    ($name:ident, $entity:literal { $($variant:ident => $text:literal),* $(,)? }
     moves { $($from:ident => [$($to:ident),*]),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
        }

        impl Status for $name {
            const ENTITY: &'static str = $entity;
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            fn parse(s: &str) -> Result<Self, DomainError> {
                match s { $($text => Ok($name::$variant),)* _ => Err(DomainError::UnknownStatus { entity: $entity, value: s.to_string() }) }
            }
            #[allow(unreachable_patterns)]
            fn allowed(self, to: Self) -> bool {
                match self { $($name::$from => matches!(to, $($name::$to)|*),)* _ => false }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

status_enum!(AccountStatus, "account" { Active => "active", Disabled => "disabled" }
    moves { Active => [Disabled], Disabled => [Active] });

status_enum!(UserStatus, "user" { Active => "active", Disabled => "disabled" }
    moves { Active => [Disabled], Disabled => [Active] });

status_enum!(TokenStatus, "api token" { Active => "active", Revoked => "revoked" }
    moves { Active => [Revoked] });

status_enum!(SiteStatus, "site" { Active => "active", Archived => "archived" }
    moves { Active => [Archived], Archived => [Active] });

status_enum!(KeywordStatus, "keyword" { New => "new", Mapped => "mapped", Archived => "archived" }
    // A restored keyword goes back to its cluster (mapped) when it still has one, else to new.
    moves { New => [Mapped, Archived], Mapped => [Archived], Archived => [New, Mapped] });

// Mapped -> New: keywords joined a planned cluster; stage 2 looks again for intents that have
// no article yet.
status_enum!(ClusterStatus, "cluster" { New => "new", Mapped => "mapped", Archived => "archived" }
    moves { New => [Mapped, Archived], Mapped => [New, Archived], Archived => [New] });

status_enum!(IdeaStatus, "idea" { New => "new", Queued => "queued", Completed => "completed" }
    moves { New => [Queued], Queued => [Completed] });

status_enum!(TaskStatus, "task" { Queued => "queued", InProgress => "in_progress", Completed => "completed", Failed => "failed" }
    // A failed task may be queued again by a person or a retry.
    moves { Queued => [InProgress], InProgress => [Completed, Failed, Queued], Failed => [Queued] });

status_enum!(ContentStatus, "content" { Draft => "draft", Review => "review", Approved => "approved", Rejected => "rejected", Published => "published" }
    // A rejected article can be sent back for another look once edited; an approved one goes
    // back to review when it is regenerated or a revision is restored.
    // published -> approved: taken down everywhere it was live (unpublished).
    moves { Draft => [Review], Review => [Approved, Rejected], Rejected => [Review], Approved => [Published, Review], Published => [Approved] });

// One article at one destination. `sending`: a worker is talking to the destination (or died
// doing so: the next attempt looks for the post before making one). `unknown`: the request
// went out and no answer came, so the post may exist; the next attempt finds out. `failed`
// keeps the error; a retry or a person sends it again. A published one goes back to
// `pending` to be sent again (updated in place) or to `unpublished` when taken down.
status_enum!(PublicationStatus, "publication" { Pending => "pending", Sending => "sending", Published => "published", Failed => "failed", Unknown => "unknown", Unpublished => "unpublished" }
moves {
    Pending => [Sending, Unpublished],
    // sending -> pending: a send whose worker died on its last attempt, queued again by a
    // person after a long silence (the next send looks for the post first).
    Sending => [Sending, Published, Failed, Unknown, Pending],
    Unknown => [Sending, Pending],
    Failed => [Sending, Pending],
    Published => [Pending, Sending, Unpublished],
    Unpublished => [Pending, Sending],
});

status_enum!(ImageStatus, "image" { Pending => "pending", Generating => "generating", Generated => "generated", Failed => "failed" }
    // generating -> pending: a worker that died mid-call hands the image back for another try.
    // generated -> pending: regenerated on request; -> generated from pending or failed: a file
    // uploaded by a person.
    moves { Pending => [Generating, Generated], Generating => [Generated, Failed, Pending], Generated => [Pending], Failed => [Pending, Generated] });

status_enum!(RunStatus, "automation run" { Queued => "queued", Running => "running", Paused => "paused", AwaitingReview => "awaiting_review", Completed => "completed", Failed => "failed", Cancelled => "cancelled" }
moves {
    Queued => [Running, Paused, Cancelled],
    Running => [Paused, AwaitingReview, Completed, Failed, Cancelled],
    Paused => [Running, Cancelled],
});

status_enum!(JobState, "job" { Available => "available", Running => "running", Done => "done", Dead => "dead", Cancelled => "cancelled" }
    // retry is a move back to available with a later run_at.
    moves { Available => [Running, Cancelled], Running => [Done, Available, Dead, Cancelled] });

impl RunStatus {
    /// A run that holds its site's lock.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            RunStatus::Queued | RunStatus::Running | RunStatus::Paused
        )
    }
}

impl ImageStatus {
    /// Generated or failed: nothing more will happen without a person asking.
    pub fn is_settled(self) -> bool {
        matches!(self, ImageStatus::Generated | ImageStatus::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_moves_pass_and_illegal_ones_are_typed_errors() {
        assert_eq!(
            ImageStatus::Pending
                .check_move(ImageStatus::Generating)
                .unwrap(),
            ImageStatus::Generating
        );
        let err = ImageStatus::Generated
            .check_move(ImageStatus::Failed)
            .unwrap_err();
        assert_eq!(
            err,
            DomainError::IllegalTransition {
                entity: "image",
                from: "generated",
                to: "failed"
            }
        );
        assert!(
            ContentStatus::Draft
                .check_move(ContentStatus::Approved)
                .is_err()
        );
        assert!(IdeaStatus::Completed.check_move(IdeaStatus::New).is_err());
        assert!(RunStatus::Completed.check_move(RunStatus::Running).is_err());
        assert!(RunStatus::Paused.check_move(RunStatus::Running).is_ok());
        assert!(ImageStatus::Failed.check_move(ImageStatus::Pending).is_ok());
    }

    #[test]
    fn names_round_trip_for_every_status() {
        fn round<S: Status>(all: &[S]) {
            for s in all {
                assert_eq!(S::parse(s.as_str()).unwrap(), *s);
            }
            assert!(S::parse("nonsense").is_err());
        }
        round(AccountStatus::ALL);
        round(UserStatus::ALL);
        round(TokenStatus::ALL);
        round(SiteStatus::ALL);
        round(KeywordStatus::ALL);
        round(ClusterStatus::ALL);
        round(IdeaStatus::ALL);
        round(TaskStatus::ALL);
        round(ContentStatus::ALL);
        round(ImageStatus::ALL);
        round(RunStatus::ALL);
        round(JobState::ALL);
    }

    #[test]
    fn no_status_moves_to_itself() {
        for s in ImageStatus::ALL {
            assert!(!s.allowed(*s));
        }
        for s in RunStatus::ALL {
            assert!(!s.allowed(*s));
        }
    }
}
