use super::*;
use crate::error::DownloadError;
use reqwest::Url;
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn forbidden_addresses() {
    for s in [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "2002:a00:1::",
        "ff02::1",
    ] {
        assert!(is_forbidden(ip(s), false), "{s} must be forbidden");
    }
    for s in [
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700::1111",
        "1.1.1.1",
    ] {
        assert!(!is_forbidden(ip(s), false), "{s} must be allowed");
    }
    assert!(!is_forbidden(ip("127.0.0.1"), true));
    assert!(!is_forbidden(ip("::1"), true));
    assert!(
        is_forbidden(ip("10.0.0.1"), true),
        "loopback setting allows loopback only"
    );
    assert!(is_forbidden(ip("169.254.169.254"), true));
}

#[test]
fn private_networks_are_allowed_only_when_asked_and_never_loopback_or_metadata() {
    for s in [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "fd12::1",
        "::ffff:10.0.0.1",
    ] {
        assert!(is_forbidden_with(ip(s), false, false), "{s}");
        assert!(
            !is_forbidden_with(ip(s), false, true),
            "{s} is private: allowed"
        );
    }
    for s in [
        "127.0.0.1",
        "::1",
        "169.254.169.254",
        "fe80::1",
        "0.0.0.0",
        "224.0.0.1",
    ] {
        assert!(is_forbidden_with(ip(s), false, true), "{s} stays refused");
    }
}

#[test]
fn ipv4_in_ipv6_forms_are_judged_as_their_ipv4_address() {
    for (form, refused) in [
        // IPv4-mapped ::ffff:a.b.c.d
        ("::ffff:127.0.0.1", true),
        ("::ffff:192.168.0.1", true),
        ("::ffff:8.8.8.8", false),
        // IPv4-translated ::ffff:0:a.b.c.d
        ("::ffff:0:127.0.0.1", true),
        ("::ffff:0:10.0.0.1", true),
        ("::ffff:0:169.254.169.254", true),
        ("::ffff:0:100.64.0.1", true),
        ("::ffff:0:8.8.8.8", false),
        // Well-known NAT64 64:ff9b::/96
        ("64:ff9b::127.0.0.1", true),
        ("64:ff9b::169.254.169.254", true),
        ("64:ff9b::192.168.1.1", true),
        ("64:ff9b::8.8.8.8", false),
        // Local-use NAT64 64:ff9b:1::/48: refused whatever it embeds.
        ("64:ff9b:1::8.8.8.8", true),
        ("64:ff9b:1:a00::1", true),
        ("64:ff9b:1:ffff:ffff::", true),
        // IPv4-compatible (deprecated) and 6to4.
        ("::127.0.0.1", true),
        ("2002:7f00:1::", true),
        ("2002:808:808::", false),
    ] {
        assert_eq!(
            is_forbidden(ip(form), false),
            refused,
            "{form} must be {}",
            if refused { "refused" } else { "allowed" }
        );
    }
    // The loopback allowance carries through the embedding, and only loopback does.
    assert!(!is_forbidden(ip("::ffff:0:127.0.0.1"), true));
    assert!(!is_forbidden(ip("64:ff9b::127.0.0.1"), true));
    assert!(is_forbidden(ip("::ffff:0:10.0.0.1"), true));
}

#[test]
fn urls_with_translated_addresses_are_refused_before_connecting() {
    let d = SafeDownloader::new(DownloadConfig::default());
    for u in [
        "http://[::ffff:0:a9fe:a9fe]/latest/meta-data",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[64:ff9b:1::1]/x.png",
    ] {
        let err = d.check_url(&Url::parse(u).unwrap()).unwrap_err();
        assert!(
            matches!(err, DownloadError::ForbiddenAddress { .. }),
            "{u}: {err}"
        );
    }
}

/// A valid 1x1 PNG whose IHDR then claims `w`x`h` (with its CRC fixed up, so only the
/// size is a lie).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&[0, 0, 0], 1, 1, image::ExtendedColorType::Rgb8)
        .unwrap();
    // Signature (8), IHDR length (4), "IHDR" (4): width and height follow.
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

use image::ImageEncoder;

#[test]
fn decoding_is_bounded_in_memory() {
    let err = verify_image(png_claiming(100_000, 100_000)).unwrap_err();
    assert!(
        err.to_string().contains("100000x100000") && err.to_string().contains("8192"),
        "{err}"
    );
    // Within the side limit but past the allocation limit: 8000 x 8000 x 4 > 64 MiB.
    let err = verify_image(png_claiming(8000, 8000)).unwrap_err();
    assert!(err.to_string().contains("64 MiB"), "{err}");

    let ok = crate::offline::card::render_title_card(
        &pressroom_domain::ai::ImageSubject {
            image_type: pressroom_domain::ImageType::Featured,
            post_title: "A normal picture".into(),
            caption: "A normal picture".into(),
            position: 0,
            site_name: "test".into(),
            colour_seed: 1,
        },
        1024,
        1024,
    )
    .unwrap();
    let img = verify_image(ok).unwrap();
    assert_eq!((img.width, img.height), (1024, 1024));
    assert_eq!(img.format, ImageFormat::Png);
}

#[test]
fn verify_rejects_non_images() {
    assert!(matches!(
        verify_image(b"<html>not an image</html>".to_vec()),
        Err(DownloadError::NotAnImage(_))
    ));
    // A PNG signature with garbage after it is not an image either.
    let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
    fake.extend_from_slice(&[0u8; 64]);
    assert!(matches!(
        verify_image(fake),
        Err(DownloadError::NotAnImage(_))
    ));
}
