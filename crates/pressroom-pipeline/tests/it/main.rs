//! The pipeline's integration tests, linked as one binary.

mod answers;
mod articles;
mod budget;
mod control;
mod editing;
mod embeddings;
mod export;
mod import;
mod keys;
mod pipeline;
mod planning;
mod publishing;
mod publishing_queue;
mod scale;
mod schedule;
mod serp;
mod settings;
mod support;
mod voice;
mod webhook_publish;
mod webhooks;
