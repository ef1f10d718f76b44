//! Keyword import against both engines.

use pressroom_domain::*;
use pressroom_pipeline::import::{ImportError, import_keywords};
use pressroom_store::{Db, KeywordFilter, engine_test};
use std::io::{Cursor, Read};

async fn import_bytes(
    db: &Db,
    bytes: Vec<u8>,
) -> Result<pressroom_pipeline::import::ImportReport, ImportError> {
    let (acct, site) = db.local_default().await.unwrap();
    import_keywords(db, acct.id, site.id, "test", Cursor::new(bytes)).await
}

async fn count(db: &Db) -> i64 {
    let (acct, site) = db.local_default().await.unwrap();
    db.count_keywords(acct.id, site.id, None).await.unwrap()
}

fn example() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/keywords.csv"
    ))
    .unwrap()
}

engine_test!(
    example_imports_once_and_reimport_adds_nothing,
    |db: Db| async move {
        let first = import_bytes(&db, example()).await.unwrap();
        assert!(first.inserted >= 100, "{first:?}");
        assert_eq!(first.skipped, 0, "{:?}", first.errors);
        let n = count(&db).await;
        assert_eq!(n as u64, first.inserted);
        let second = import_bytes(&db, example()).await.unwrap();
        assert_eq!(second.inserted, 0);
        assert_eq!(second.merged, first.rows);
        assert_eq!(count(&db).await, n);
    }
);

engine_test!(
    bad_rows_are_reported_by_line_and_skipped,
    |db: Db| async move {
        let csv = "Keyword,Volume,KD,CPC,Intent\n\
               trail running shoes,1200,34,1.25,commercial\n\
               ,100,1,1,informational\n\
               waterproof jacket,lots,10,0.5,commercial\n\
               \n\
               best tent,300,140,2,transactional\n\
               camping stove,300,40,2,curious\n\
               Trail  Running SHOES,1500,,,\n\
               hiking socks,\"2,400\",12,$0.80,I\n";
        let report = import_bytes(&db, csv.as_bytes().to_vec()).await.unwrap();
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 6, 7], "{:?}", report.errors);
        assert!(
            report.errors[1].message.contains("volume"),
            "{}",
            report.errors[1].message
        );
        assert!(report.errors[2].message.contains("difficulty"));
        assert!(report.errors[3].message.contains("intent"));
        assert_eq!(
            (report.inserted, report.merged, report.skipped, report.rows),
            (2, 1, 4, 7)
        );
        let (acct, site) = db.local_default().await.unwrap();
        let kws = db
            .keywords(
                acct.id,
                site.id,
                &KeywordFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let shoes = kws
            .iter()
            .find(|k| k.normalised == "trail running shoes")
            .unwrap();
        assert_eq!(
            (shoes.phrase.as_str(), shoes.volume, shoes.difficulty),
            ("trail running shoes", Some(1500), Some(34))
        );
        let socks = kws.iter().find(|k| k.normalised == "hiking socks").unwrap();
        assert_eq!(
            (socks.volume, socks.cpc, socks.intent),
            (
                Some(2400),
                Some(UsdMicros(800_000)),
                Some(Intent::Informational)
            )
        );
    }
);

engine_test!(
    file_without_keyword_column_is_refused_whole,
    |db: Db| async move {
        let err = import_bytes(&db, b"Term,Volume\nshoes,10\n".to_vec())
            .await
            .unwrap_err();
        assert!(matches!(err, ImportError::NoKeywordColumn { .. }), "{err}");
        assert!(err.to_string().contains("\"Term\""), "{err}");
        assert!(matches!(
            import_bytes(&db, b"  \n".to_vec()).await,
            Err(ImportError::Empty)
        ));
        assert_eq!(count(&db).await, 0);
    }
);

engine_test!(
    utf16_tab_exports_with_preamble_are_read,
    |db: Db| async move {
        // Google Ads Keyword Planner: UTF-16LE with BOM, tab-separated, two title lines first.
        let text = "Keyword Stats 2026-11-01 at 10_00_00\nAll locations\nKeyword\tCurrency\tAvg. monthly searches\nçorba tarifi\tUSD\t5000\nnaïve café\tUSD\t800\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let report = import_bytes(&db, bytes).await.unwrap();
        assert_eq!(report.inserted, 2, "{report:?}");
        assert_eq!(report.encoding, "UTF-16LE");
        assert_eq!(report.delimiter, "tab");
        // BOM-less UTF-16BE, semicolons.
        let text = "Phrase;Search Volume\nécole primaire;1 200\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let report = import_bytes(&db, bytes).await.unwrap();
        assert_eq!((report.inserted, report.encoding.as_str()), (1, "UTF-16BE"));
        // UTF-8 with BOM.
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice("Keyword,Volume\nÉcole Primaire,10\n".as_bytes());
        let report = import_bytes(&db, bytes).await.unwrap();
        assert_eq!(
            (report.inserted, report.merged),
            (0, 1),
            "case-insensitive across imports"
        );
        assert_eq!(count(&db).await, 3);
    }
);

/// A reader that fails after `ok` bytes, like a file on a dying disk.
struct FailingReader {
    inner: Cursor<Vec<u8>>,
    ok: usize,
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.inner.position() as usize >= self.ok {
            return Err(std::io::Error::other("disk on fire"));
        }
        let n = buf.len().min(self.ok - self.inner.position() as usize);
        self.inner.read(&mut buf[..n])
    }
}

engine_test!(a_read_failure_midway_writes_nothing, |db: Db| async move {
    let mut csv = String::from("Keyword,Volume\n");
    for i in 0..20_000 {
        csv.push_str(&format!("keyword number {i},{i}\n"));
    }
    let bytes = csv.into_bytes();
    let ok = bytes.len() * 3 / 4; // past several chunks
    let (acct, site) = db.local_default().await.unwrap();
    let err = import_keywords(
        &db,
        acct.id,
        site.id,
        "test",
        FailingReader {
            inner: Cursor::new(bytes),
            ok,
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("disk on fire"), "{err}");
    assert_eq!(count(&db).await, 0);
});

engine_test!(import_into_foreign_site_is_refused, |db: Db| async move {
    let (_, site) = db.local_default().await.unwrap();
    let other = db.create_account("other", Credits(0)).await.unwrap();
    let err = import_keywords(
        &db,
        other.id,
        site.id,
        "test",
        Cursor::new(b"Keyword\nx\n".to_vec()),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    assert_eq!(count(&db).await, 0);
});

engine_test!(
    crlf_files_with_blank_lines_report_true_line_numbers,
    |db: Db| async move {
        let csv =
            "Keyword;Volume\r\n\r\nok one;1\r\n\"multi\r\nline\";2\r\n\r\n\r\nbad;x\r\nlast;y";
        let report = import_bytes(&db, csv.as_bytes().to_vec()).await.unwrap();
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![8, 9], "{:?}", report.errors);
        assert_eq!(report.inserted, 2);
    }
);
