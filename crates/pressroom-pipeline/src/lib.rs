//! Pressroom's use cases. The CLI, the REST API and the web pages are thin: each user action
//! calls one function here, so the three interfaces behave the same.

pub mod import;
