//! The guarded downloader against the mock's test hooks. No traffic ever goes to a
//! non-loopback address: forbidden targets are refused before connecting.

use crate::support::{downloader, mock};
use pressroom_mock_ai::MockConfig;
use pressroom_providers::{DownloadError, MediaStore};

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn refuses_internal_addresses_without_connecting() {
    let m = mock(MockConfig::default()).await;
    let d = downloader(false);
    let own = format!("{}/images/x-64x64.png", m.base_url());
    for url in [
        own.as_str(),
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/image.png",
        "http://[::1]:9/x.png",
        "http://[::ffff:10.0.0.1]/x.png",
        "http://100.64.1.1/x.png",
    ] {
        let err = d.download(url).await.unwrap_err();
        assert!(
            matches!(err, DownloadError::ForbiddenAddress { .. }),
            "{url}: {err}"
        );
    }
    // A host name is checked on what it resolves to.
    let by_name = format!("http://localhost:{}/images/x-64x64.png", m.addr().port());
    let err = d.download(&by_name).await.unwrap_err();
    assert!(
        matches!(err, DownloadError::ForbiddenAddress { .. }),
        "{err}"
    );
    assert_eq!(m.requests("images_get"), 0, "nothing reached the server");
}

#[tokio::test]
async fn refuses_other_schemes() {
    let d = downloader(true);
    for url in [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "gopher://x/",
        "data:image/png;base64,AAAA",
    ] {
        let err = d.download(url).await.unwrap_err();
        assert!(matches!(err, DownloadError::Scheme(_)), "{url}: {err}");
    }
    assert!(matches!(
        d.download("not a url").await,
        Err(DownloadError::BadUrl(_))
    ));
}

#[tokio::test]
async fn loopback_allowed_when_configured_and_redirects_followed() {
    let m = mock(MockConfig::default()).await;
    let d = downloader(true);
    let direct = d
        .download(&format!("{}/images/abc-64x48.png", m.base_url()))
        .await
        .unwrap();
    assert_eq!((direct.image.width, direct.image.height), (64, 48));
    let via = d
        .download(&format!(
            "{}/__redirect?to={}",
            m.base_url(),
            encode("/images/abc-64x48.png")
        ))
        .await
        .unwrap();
    assert!(via.final_url.ends_with("/images/abc-64x48.png"));
    assert_eq!(via.image.sha256, direct.image.sha256);
}

#[tokio::test]
async fn refuses_redirects_to_forbidden_addresses() {
    let m = mock(MockConfig::default()).await;
    let d = downloader(true);
    for target in [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://10.1.2.3/x.png",
        "http://192.168.0.1/x.png",
        "file:///etc/passwd",
    ] {
        let url = format!("{}/__redirect?to={}", m.base_url(), encode(target));
        let err = d.download(&url).await.unwrap_err();
        assert!(
            matches!(
                err,
                DownloadError::ForbiddenAddress { .. } | DownloadError::Scheme(_)
            ),
            "{target}: {err}"
        );
    }
    assert_eq!(m.requests("redirect"), 4);
}

#[tokio::test]
async fn too_many_redirects() {
    let m = mock(MockConfig::default()).await;
    let mut target = "/images/a-64x64.png".to_string();
    for _ in 0..7 {
        target = format!("/__redirect?to={}", encode(&target));
    }
    let err = downloader(true)
        .download(&format!("{}{}", m.base_url(), target))
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::TooManyRedirects(5)), "{err}");
    assert_eq!(m.requests("redirect"), 6);
}

#[tokio::test]
async fn cuts_off_a_50_mb_body() {
    let m = mock(MockConfig::default()).await;
    let d = downloader(true);
    // With a Content-Length: refused from the header.
    let err = d
        .download(&format!("{}/__huge?mb=50", m.base_url()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DownloadError::TooLarge { cap } if cap == 20 * 1024 * 1024),
        "{err}"
    );
    // Chunked, no length: cut off while streaming.
    let err = d
        .download(&format!("{}/__huge?mb=50&chunked=1", m.base_url()))
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn refuses_a_non_image_body() {
    let m = mock(MockConfig::default()).await;
    let err = downloader(true)
        .download(&format!("{}/__text", m.base_url()))
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::NotAnImage(_)), "{err}");
    let err = downloader(true)
        .download(&format!("{}/images/nope", m.base_url()))
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Http(404)), "{err}");
}

#[tokio::test]
async fn media_store_names_files_itself() {
    let m = mock(MockConfig::default()).await;
    let got = downloader(true)
        .download(&format!("{}/images/..%2F..%2Fevil-64x64.png", m.base_url()))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = MediaStore::new(dir.path());
    let saved = store.store(&got.image).await.unwrap();
    // Whatever the URL said, the stored name is ours: 32 hex digits and the detected format.
    let name = saved
        .path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(name.ends_with(".png"));
    assert_eq!(name.len(), 32 + 4);
    assert!(name[..32].chars().all(|c| c.is_ascii_hexdigit()));
    assert!(saved.path.starts_with(dir.path()));
    assert_eq!(std::fs::read(&saved.path).unwrap(), got.image.bytes);
    assert_eq!(saved.sha256, got.image.sha256);
}

#[tokio::test]
async fn fetch_image_handles_bytes_and_urls() {
    use pressroom_providers::ImageData;
    let m = mock(MockConfig::default()).await;
    let d = downloader(true);
    let url = ImageData::Url(format!("{}/images/q-80x60.png", m.base_url()));
    let from_url = d.fetch_image(&url).await.unwrap();
    assert_eq!((from_url.width, from_url.height), (80, 60));
    let from_bytes = d
        .fetch_image(&ImageData::Bytes(from_url.bytes.clone()))
        .await
        .unwrap();
    assert_eq!(from_bytes.sha256, from_url.sha256);
    let err = d
        .fetch_image(&ImageData::Bytes(b"GIF89a nope".to_vec()))
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::NotAnImage(_)), "{err}");
}
