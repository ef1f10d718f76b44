//! The web crate's integration tests, linked as one binary: the API, the pages, and the
//! browser test, over the running app that `support` starts.

mod api;
mod articles_api;
mod browser;
mod destinations_api;
mod editing;
mod pages;
mod prompts;
mod publishing_api;
mod schedule_pages;
mod settings_api;
mod support;
mod team;
mod webhooks_api;
