//! The providers' integration tests, linked as one binary.

mod offline;
mod offline_article;
mod offline_voice;
