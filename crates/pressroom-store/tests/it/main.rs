//! The store's integration tests, linked as one binary (one link of sqlx instead of one per file).

mod article_edits;
mod articles;
mod clustering_inputs;
mod editing;
mod publishing;
mod repository;
mod settings_log;
mod spend;
mod team_keys;
