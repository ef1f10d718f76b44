//! Small closed vocabularies used across entities.

use crate::DomainError;
use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($name:ident, $field:literal { $($variant:ident => $text:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),* } }
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                match s { $($text => Ok($name::$variant),)* _ => Err(DomainError::InvalidValue { field: $field, value: s.to_string() }) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

vocabulary!(Role, "role" { Owner => "owner", Editor => "editor", Viewer => "viewer" });
// `llm`: grouped by the model in batches (clusters made before whole-list clustering);
// `manual`: made by a person (split, or a cluster created by hand).
vocabulary!(ClusterMethod, "cluster method" {
    Llm => "llm", Lexical => "lexical", Embedding => "embedding", Serp => "serp", Manual => "manual",
});
vocabulary!(ContentStructure, "content structure" {
    Article => "article", Guide => "guide", Listicle => "listicle",
    Comparison => "comparison", HowTo => "how-to", Review => "review",
});
vocabulary!(ImageType, "image type" { Featured => "featured", InArticle => "in-article" });
vocabulary!(RunTrigger, "trigger" { Manual => "manual", Scheduled => "scheduled", Cli => "cli" });
vocabulary!(ReviewMode, "review mode" { Manual => "manual", Auto => "auto" });
// `on`: an approved article is queued at every active destination of its site by itself.
vocabulary!(AutoPublish, "auto publish" { Off => "off", On => "on" });
// `removed`: taken out by a person; kept so a refresh does not put it back.
vocabulary!(LinkStatus, "link status" { Active => "active", Removed => "removed" });
vocabulary!(EventLevel, "event level" { Info => "info", Warn => "warn", Error => "error" });

impl Role {
    /// Editors and owners change content; viewers only read.
    pub fn can_edit(self) -> bool {
        matches!(self, Role::Owner | Role::Editor)
    }
}

/// The seven pipeline stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Stage {
    KeywordsToClusters = 1,
    ClustersToIdeas = 2,
    IdeasToTasks = 3,
    TasksToContent = 4,
    ContentToImagePrompts = 5,
    ImagePromptsToImages = 6,
    ReviewGate = 7,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::KeywordsToClusters,
        Stage::ClustersToIdeas,
        Stage::IdeasToTasks,
        Stage::TasksToContent,
        Stage::ContentToImagePrompts,
        Stage::ImagePromptsToImages,
        Stage::ReviewGate,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::KeywordsToClusters => "Keywords -> Clusters",
            Stage::ClustersToIdeas => "Clusters -> Ideas",
            Stage::IdeasToTasks => "Ideas -> Tasks",
            Stage::TasksToContent => "Tasks -> Content",
            Stage::ContentToImagePrompts => "Content -> Image prompts",
            Stage::ImagePromptsToImages => "Image prompts -> Images",
            Stage::ReviewGate => "Review gate",
        }
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.number() as usize).copied()
    }
}

impl TryFrom<u8> for Stage {
    type Error = DomainError;
    fn try_from(n: u8) -> Result<Stage, DomainError> {
        Stage::ALL
            .get((n as usize).wrapping_sub(1))
            .copied()
            .ok_or_else(|| DomainError::InvalidValue {
                field: "stage",
                value: n.to_string(),
            })
    }
}

impl From<Stage> for u8 {
    fn from(s: Stage) -> u8 {
        s.number()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_ordered_and_numbered() {
        assert_eq!(Stage::try_from(6).unwrap(), Stage::ImagePromptsToImages);
        assert!(Stage::try_from(0).is_err());
        assert!(Stage::try_from(8).is_err());
        assert_eq!(
            Stage::KeywordsToClusters.next(),
            Some(Stage::ClustersToIdeas)
        );
        assert_eq!(Stage::ReviewGate.next(), None);
        assert_eq!(
            ImageType::parse("in-article").unwrap(),
            ImageType::InArticle
        );
        assert_eq!(
            ContentStructure::parse("how-to").unwrap(),
            ContentStructure::HowTo
        );
    }
}
// What an account's webhooks can be told. `ping`: a test delivery asked for by a person.
vocabulary!(WebhookEvent, "webhook event" {
    RunCompleted => "run-completed", RunFailed => "run-failed",
    RunAwaitingReview => "run-awaiting-review", ImagesFailed => "images-failed", Ping => "ping",
});
vocabulary!(WebhookStatus, "webhook status" { Active => "active", Removed => "removed" });
// `pending` until a receiver answered 2xx (`delivered`) or every attempt failed (`failed`).
vocabulary!(DeliveryStatus, "delivery status" {
    Pending => "pending", Delivered => "delivered", Failed => "failed",
});
// Where a destination sends articles. A static export is a command, not a destination.
vocabulary!(DestinationKind, "destination kind" { WordPress => "wordpress", Webhook => "webhook" });
vocabulary!(DestinationStatus, "destination status" { Active => "active", Removed => "removed" });
