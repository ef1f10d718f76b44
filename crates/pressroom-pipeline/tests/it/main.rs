//! The pipeline's integration tests, linked as one binary.

mod answers;
mod control;
mod embeddings;
mod import;
mod pipeline;
mod scale;
mod serp;
mod support;
