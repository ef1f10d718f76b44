//! A local stand-in for the OpenAI chat/images/embeddings APIs and Runware, for tests and benchmarks.
//!
//! Wire formats follow the real services (OpenAI replies validate against the `openai` Python
//! package's types and the published OpenAPI document). A `json_schema` request always gets an
//! instance of the schema it sent: for Pressroom's own schemas, content from the offline
//! generator (read back from the `- ` bullet lines of the prompt), for any other schema, or
//! one whose bounds the offline content misses, a generated instance ([`schema::instance`]).
//! Runware takes its key in the `Authorization` header or as a leading `authentication`
//! task, and answers `outputType` `URL`, `base64Data` or `dataURI`.
//!
//! [`spawn_receiver`] starts a webhook receiver that records what it is sent.
//!
//! Test hooks: `POST /__script` queues responses for the next API calls (`[429, 500, 400,
//! "malformed-json", "insufficient-quota", "out-of-bounds", "out-of-bounds:target_words",
//! ...]`, consumed in order), `GET /__stats` gives
//! per-endpoint request counts, peak concurrency and statuses, `POST /__reset` clears both.
//! `GET /__huge?mb=N[&chunked=1]`, `GET /__text` and `GET /__redirect?to=URL` serve bodies for
//! downloader tests.

mod chat;
mod config;
mod embeddings;
mod faults;
mod hooks;
mod images;
pub mod keywords;
mod pictures;
mod receiver;
mod runware;
pub mod schema;
mod server;
mod state;

pub use config::{EndpointStats, ImageMode, MockConfig, Stats, Step};
pub use receiver::{Answer, Received, Receiver, spawn_receiver};
pub use server::{MockHandle, spawn};
