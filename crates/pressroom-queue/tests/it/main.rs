//! The queue's integration tests, linked as one binary.

mod crash;
mod queue;
