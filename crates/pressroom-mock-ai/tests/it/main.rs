//! The mock server's integration tests, linked as one binary: its binary, its wire formats,
//! and the real provider clients and downloader against it.

mod binary;
mod downloader;
mod embeddings_http;
mod measure;
mod openai_wire;
mod providers_http;
mod support;
mod wire_formats;
