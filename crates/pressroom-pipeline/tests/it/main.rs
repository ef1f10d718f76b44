//! The pipeline's integration tests, linked as one binary.

mod answers;
mod articles;
mod budget;
mod control;
mod editing;
mod embeddings;
mod import;
mod pipeline;
mod planning;
mod scale;
mod schedule;
mod serp;
mod support;
