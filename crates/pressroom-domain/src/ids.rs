//! Typed 64-bit ids. An `ImageId` is not a `TaskId`: the original product's Stage-6 bug
//! (image ids handed to a function that wanted task ids) does not compile here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($($name:ident => $label:literal),* $(,)?) => {$(
        #[doc = concat!("Id of a ", $label, " row.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self { Self(raw) }
            pub const fn get(self) -> i64 { self.0 }
            /// What the id names, for error messages.
            pub const LABEL: &'static str = $label;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }

        impl FromStr for $name {
            type Err = crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().parse::<i64>() {
                    Ok(v) if v > 0 => Ok(Self(v)),
                    _ => Err(crate::DomainError::InvalidId { kind: $label, value: s.to_string() }),
                }
            }
        }
    )*};
}

id_type! {
    AccountId => "account",
    UserId => "user",
    ApiTokenId => "api token",
    SiteId => "site",
    KeywordId => "keyword",
    ClusterId => "cluster",
    IdeaId => "idea",
    TaskId => "task",
    ContentId => "content",
    ImageId => "image",
    UsageId => "usage record",
    CreditEntryId => "credit entry",
    RunId => "automation run",
    RunEventId => "run event",
    JobId => "job",
    LinkId => "internal link",
    RevisionId => "revision",
    SettingsChangeId => "settings change",
    ProviderKeyId => "provider key",
    WebhookId => "webhook",
    DeliveryId => "webhook delivery",
    ScheduleSlotId => "schedule slot",
    DestinationId => "destination",
    PublicationId => "publication",
}

/// Parses a comma-separated id list such as `1,2, 3`, naming the first bad element.
pub fn parse_id_list<T: FromStr<Err = crate::DomainError>>(
    s: &str,
) -> Result<Vec<T>, crate::DomainError> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(str::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_reject_garbage() {
        assert_eq!("42".parse::<ImageId>().unwrap().get(), 42);
        let err = "x1".parse::<TaskId>().unwrap_err();
        assert_eq!(err.to_string(), "invalid task id: \"x1\"");
        assert!("0".parse::<ImageId>().is_err());
        assert!("-3".parse::<ImageId>().is_err());
        let ids: Vec<ImageId> = parse_id_list("1, 2,3,").unwrap();
        assert_eq!(ids, vec![ImageId::new(1), ImageId::new(2), ImageId::new(3)]);
        assert!(parse_id_list::<ImageId>("1,a").is_err());
    }
}
