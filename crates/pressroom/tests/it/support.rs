//! What the CLI tests share.

/// The example keyword file shipped in the repository.
pub fn example() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/keywords.csv").to_string()
}
