//! The PNGs the image endpoints and `GET /images/...` serve, and how a reply carries them.

use crate::config::ImageMode;
use crate::state::{Shared, lock, uuid};
use axum::body::Bytes;
use pressroom_domain::ImageType;
use pressroom_domain::ai::ImageSubject;
use pressroom_providers::offline::card;

pub(crate) fn png_for(inner: &Shared, w: u32, h: u32) -> Option<Bytes> {
    if let Some(b) = lock(&inner.pngs).get(&(w, h)) {
        return Some(b.clone());
    }
    let subject = ImageSubject {
        image_type: ImageType::Featured,
        post_title: "pressroom-mock-ai image".into(),
        caption: "pressroom-mock-ai image".into(),
        position: 0,
        site_name: "mock".into(),
        colour_seed: u64::from(w) * 31 + u64::from(h),
    };
    let png = Bytes::from(card::render_title_card(&subject, w, h).ok()?);
    lock(&inner.pngs).insert((w, h), png.clone());
    Some(png)
}

pub(crate) fn image_url(inner: &Shared, w: u32, h: u32) -> String {
    format!("{}/images/{}-{w}x{h}.png", inner.base_url, uuid(inner))
}

pub(crate) fn wants_b64(inner: &Shared, requested_b64: bool) -> bool {
    match inner.config.image_mode {
        ImageMode::Request => requested_b64,
        ImageMode::Url => false,
        ImageMode::B64 => true,
    }
}
