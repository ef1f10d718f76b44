//! The pipeline's integration tests, linked as one binary.

mod answers;
mod articles;
mod control;
mod editing;
mod embeddings;
mod import;
mod pipeline;
mod planning;
mod scale;
mod serp;
mod support;
mod voice;
