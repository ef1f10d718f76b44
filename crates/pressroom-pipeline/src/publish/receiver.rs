//! Webhook destinations: the article sent as signed JSON to a receiver.

use super::outcome::{SendFailure, Sent};
use crate::context::Pipeline;
use pressroom_domain::*;

pub(super) async fn deliver(
    _p: &Pipeline,
    _d: &Destination,
    _record: &Publication,
    _content: &Content,
) -> Result<Sent, SendFailure> {
    Err(SendFailure::Permanent(
        "webhook destinations are not built yet".into(),
    ))
}

pub(super) async fn ping(_p: &Pipeline, _d: &Destination) -> Result<String, String> {
    Err("webhook destinations are not built yet".into())
}

pub(super) async fn tell_unpublished(
    _p: &Pipeline,
    _d: &Destination,
    _record: &Publication,
) -> Result<(), String> {
    Err("webhook destinations are not built yet".into())
}
