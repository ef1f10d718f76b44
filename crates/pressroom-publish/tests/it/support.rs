use pressroom_publish::{
    OutboundPolicy, OutgoingArticle, OutgoingImage, WordPressClient, WordPressTarget,
};
use pressroom_testwp::{SeoEmulation, TestWordPress, TestWpOptions};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// A fresh WordPress; fails (never skips) when PHP, WordPress or MariaDB is missing.
pub fn wordpress(seo: SeoEmulation) -> TestWordPress {
    match TestWordPress::start(TestWpOptions { seo }) {
        Ok(wp) => wp,
        Err(e) => panic!("could not start a test WordPress: {e}"),
    }
}

pub fn target(base_url: &str, user: &str, password: &str) -> WordPressTarget {
    let mut t = WordPressTarget::new(base_url, user, password);
    t.policy = OutboundPolicy {
        allow_loopback: true,
        allow_private: false,
    };
    t
}

pub fn admin(wp: &TestWordPress) -> WordPressClient {
    WordPressClient::new(target(&wp.base_url, &wp.admin_user, &wp.app_password)).unwrap()
}

/// A small PNG of one colour; different colours make different bytes and hashes.
pub fn png(rgb: [u8; 3]) -> (Vec<u8>, String) {
    let img = image::RgbImage::from_pixel(40, 30, image::Rgb(rgb));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    let bytes = out.into_inner();
    let sha = hex::encode(Sha256::digest(&bytes));
    (bytes, sha)
}

pub fn image(image_id: i64, featured: bool, rgb: [u8; 3], alt: &str) -> OutgoingImage {
    let (bytes, sha256) = png(rgb);
    OutgoingImage {
        image_id,
        featured,
        src: format!("pressroom-image://{image_id}"),
        alt: alt.into(),
        caption: format!("Caption {image_id}"),
        file_name: format!("image-{image_id}.png"),
        mime: "image/png".into(),
        bytes: bytes.into(),
        sha256,
    }
}

/// An article with a featured image and two images in the body.
pub fn article(content_id: i64, slug: &str) -> OutgoingArticle {
    let images = vec![
        image(
            content_id * 10 + 1,
            true,
            [200, 30, 30],
            "A red compost bin",
        ),
        image(
            content_id * 10 + 2,
            false,
            [30, 200, 30],
            "Green seedlings in trays",
        ),
        image(
            content_id * 10 + 3,
            false,
            [30, 30, 200],
            "Blue watering can",
        ),
    ];
    let html = format!(
        "<h2>Start small</h2>\n<p>Compost turns scraps into soil.</p>\n<figure><img src=\"{}\" alt=\"{}\"></figure>\n<p>Water it.</p>\n<figure><img src=\"{}\" alt=\"{}\"></figure>",
        images[1].src, images[1].alt, images[2].src, images[2].alt
    );
    OutgoingArticle {
        content_id,
        version: 1,
        title: "How to Start Composting at Home".into(),
        slug: slug.into(),
        excerpt: "Compost in five steps.".into(),
        meta_title: "Start Composting at Home | Garden Guide".into(),
        meta_description: "Five steps to turn kitchen scraps into garden soil.".into(),
        focus_keyword: "start composting".into(),
        html,
        markdown: "## Start small".into(),
        tags: vec!["compost".into(), "soil health".into()],
        categories: vec!["Garden Care".into()],
        images,
    }
}

/// A text-only article (the fake knows no media or terms).
pub fn plain_article(content_id: i64, slug: &str) -> OutgoingArticle {
    let mut a = article(content_id, slug);
    a.images.clear();
    a.tags.clear();
    a.categories.clear();
    a.html = "<p>Just words.</p>".into();
    a
}

/// PHP's answer as JSON.
pub fn eval_json(wp: &TestWordPress, code: &str) -> serde_json::Value {
    let out = wp.eval(code).unwrap();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}
