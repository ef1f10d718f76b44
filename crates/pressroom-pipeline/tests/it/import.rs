//! Keyword import against both engines.

use pressroom_domain::*;
use pressroom_pipeline::import::{ImportError, import_keywords};
use pressroom_store::{Db, KeywordFilter, Page, engine_test};
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
    db.count_keywords(acct.id, site.id, &KeywordFilter::default())
        .await
        .unwrap()
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

async fn stored(db: &Db) -> Vec<Keyword> {
    let (acct, site) = db.local_default().await.unwrap();
    db.keywords(
        acct.id,
        site.id,
        &KeywordFilter::default(),
        Page {
            limit: 100,
            offset: 0,
        },
    )
    .await
    .unwrap()
}

engine_test!(
    rows_without_keyword_are_skipped_and_unreadable_metrics_left_empty,
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
        assert_eq!(lines, vec![3], "only the row without a keyword is skipped");
        let warned: Vec<(u64, &str)> = report
            .warnings
            .iter()
            .map(|w| (w.line, w.message.as_str()))
            .collect();
        assert_eq!(
            warned,
            vec![
                (
                    4,
                    "invalid number for volume: \"lots\"; the keyword is kept with its volume empty"
                ),
                (
                    6,
                    "invalid number for difficulty: \"140\"; the keyword is kept with its difficulty empty"
                ),
                (
                    7,
                    "invalid intent: \"curious\"; the keyword is kept with its intent empty"
                ),
            ]
        );
        assert_eq!(
            (
                report.inserted,
                report.merged,
                report.skipped,
                report.incomplete,
                report.rows
            ),
            (5, 1, 1, 3, 7)
        );
        let kws = stored(&db).await;
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
        let jacket = kws
            .iter()
            .find(|k| k.normalised == "waterproof jacket")
            .unwrap();
        assert_eq!(
            (jacket.volume, jacket.difficulty, jacket.cpc, jacket.intent),
            (
                None,
                Some(10),
                Some(UsdMicros(500_000)),
                Some(Intent::Commercial)
            ),
            "the other metrics of the row are kept"
        );
        let tent = kws.iter().find(|k| k.normalised == "best tent").unwrap();
        assert_eq!((tent.volume, tent.difficulty), (Some(300), None));
    }
);

engine_test!(semicolon_files_read_european_numbers, |db: Db| async move {
    let csv = "Keyword;Volume;CPC;KD\n\
                   laufschuhe;1.200;0,45;34\n\
                   wanderschuhe;12.345;1.234,50;34,0\n\
                   regenjacke;1.5;1.5;\n\
                   zelt;2 400;2;\n";
    let report = import_bytes(&db, csv.as_bytes().to_vec()).await.unwrap();
    assert_eq!(report.numbers, "1.234,5");
    assert_eq!(
        (report.inserted, report.skipped, report.incomplete),
        (4, 0, 1)
    );
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].line, 4);
    assert!(report.warnings[0].message.contains("volume: \"1.5\""));
    let kws = stored(&db).await;
    let get = |n: &str| kws.iter().find(|k| k.normalised == n).unwrap();
    assert_eq!(
        (get("laufschuhe").volume, get("laufschuhe").cpc),
        (Some(1200), Some(UsdMicros(450_000)))
    );
    let boots = get("wanderschuhe");
    assert_eq!(
        (boots.volume, boots.cpc, boots.difficulty),
        (Some(12_345), Some(UsdMicros(1_234_500_000)), Some(34))
    );
    assert_eq!(
        (get("regenjacke").volume, get("regenjacke").cpc),
        (None, Some(UsdMicros(1_500_000))),
        "a lone point in a CPC is a decimal point"
    );
    assert_eq!(get("zelt").volume, Some(2400));
    // The same cells in a comma file: a CPC with a comma and a point reads US-style.
    let csv = "Keyword,Volume,CPC\nboots,\"1,200\",\"1,234.50\"\n";
    let report = import_bytes(&db, csv.as_bytes().to_vec()).await.unwrap();
    assert_eq!((report.numbers.as_str(), report.incomplete), ("1,234.5", 0));
    let boots = stored(&db)
        .await
        .into_iter()
        .find(|k| k.normalised == "boots")
        .unwrap();
    assert_eq!(
        (boots.volume, boots.cpc),
        (Some(1200), Some(UsdMicros(1_234_500_000)))
    );
});

engine_test!(
    an_unterminated_quote_is_refused_with_its_line,
    |db: Db| async move {
        let csv = "Keyword,Volume\ngood one,1\n\"broken one,2\nswallowed,3\nlast,4\n";
        let err = import_bytes(&db, csv.as_bytes().to_vec())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ImportError::Unreadable { line: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("never closed"), "{err}");
        assert!(err.to_string().contains("nothing was imported"), "{err}");
        assert_eq!(count(&db).await, 0);
        // Far down a large file, after chunks were written in the transaction: still nothing.
        let mut big = String::from("Keyword,Volume\n");
        for i in 0..5000 {
            big.push_str(&format!("keyword number {i},{i}\n"));
        }
        big.push_str("\"open,1\nafter,2");
        let err = import_bytes(&db, big.into_bytes()).await.unwrap_err();
        assert!(
            matches!(err, ImportError::Unreadable { line: 5002, .. }),
            "{err}"
        );
        assert_eq!(count(&db).await, 0);
        // A closed multi-line quote at the very end, without a final newline, is fine.
        let ok = "Keyword,Volume\n\"two\nlines\",5";
        let report = import_bytes(&db, ok.as_bytes().to_vec()).await.unwrap();
        assert_eq!((report.inserted, report.skipped), (1, 0));
        // An open quote in the title lines above the header fails the same way.
        let title = "\"Report title\nKeyword,Volume\nx,1\n";
        let err = import_bytes(&db, title.as_bytes().to_vec())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ImportError::Unreadable { line: 1, .. }),
            "{err}"
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
        let lines: Vec<u64> = report.warnings.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![8, 9], "{:?}", report.warnings);
        assert_eq!(
            report.inserted, 4,
            "bad volumes leave the keywords without one"
        );
    }
);
