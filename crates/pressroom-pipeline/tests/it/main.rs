//! The pipeline's integration tests, linked as one binary.

mod answers;
mod control;
mod editing;
mod import;
mod pipeline;
mod planning;
mod scale;
mod support;
