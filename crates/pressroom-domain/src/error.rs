use thiserror::Error;

/// Every way domain input can be wrong. Messages name the field or entity at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A person's text that breaks the text rules (`text.rs`), naming the field.
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
    #[error("invalid {kind} id: {value:?}")]
    InvalidId { kind: &'static str, value: String },
    #[error("{entity} cannot move from {from} to {to}")]
    IllegalTransition {
        entity: &'static str,
        from: &'static str,
        to: &'static str,
    },
    #[error("unknown {entity} status {value:?}")]
    UnknownStatus { entity: &'static str, value: String },
    #[error("invalid {field}: {value:?}")]
    InvalidValue { field: &'static str, value: String },
    #[error("invalid number for {field}: {value:?}")]
    InvalidNumber { field: &'static str, value: String },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} has more than {max} items")]
    TooMany { field: &'static str, max: usize },
    #[error("{field} must be between {min} and {max}")]
    OutOfRange {
        field: &'static str,
        min: i64,
        max: i64,
    },
    #[error("template for {function} uses unknown variable {{{name}}}")]
    UnknownTemplateVariable {
        function: &'static str,
        name: String,
    },
}
