//! Importing search results for the SERP clustering method: a rank tracker's export of
//! keyword, position and URL rows (`pressroom serp import`).
//!
//! The header row (within the first lines) must name a keyword column (`keyword`, `query`,
//! ...), a position column (`position`, `rank`, ...) and a URL column (`url`, `link`, ...),
//! in any case; the encoding (a BOM, UTF-16, else UTF-8 or Windows-1252) and the delimiter
//! (comma, semicolon or tab) are sniffed as for keyword imports. Each keyword keeps its 10
//! best positions; importing a keyword again replaces its rows. All or nothing: one bad row
//! (no keyword, a position that is not a whole number from 1, a URL that is not a web
//! address) and nothing is imported, every bad row named by its line.

use crate::import::{RowError, sniff_delimiter, sniff_encoding};
use pressroom_domain::clustering::SERP_TOP;
use pressroom_domain::{AccountId, KeywordDraft, SiteId};
use pressroom_store::{Db, SerpRow, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use thiserror::Error;

/// Lines searched for the header row.
const HEADER_SEARCH_LINES: usize = 10;
/// Bad rows listed in the error; the rest are counted.
const MAX_LISTED: usize = 100;

#[derive(Debug, Error)]
pub enum SerpImportError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "no header row with keyword, position and URL columns in the first {HEADER_SEARCH_LINES} lines (keyword: keyword, query, search term; position: position, rank; URL: url, link, landing page); found: {found}"
    )]
    NoHeader { found: String },
    #[error("{count} bad rows; nothing was imported: {}", list(.rows, *.count))]
    BadRows { rows: Vec<RowError>, count: u64 },
    #[error("line {line}: {message}; nothing was imported")]
    Unreadable { line: u64, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn list(rows: &[RowError], count: u64) -> String {
    let mut s = rows
        .iter()
        .map(|r| format!("line {}: {}", r.line, r.message))
        .collect::<Vec<_>>()
        .join("; ");
    if count > rows.len() as u64 {
        s.push_str(&format!("; and {} more", count - rows.len() as u64));
    }
    s
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SerpImportReport {
    /// Data rows read (header and blank lines excluded).
    pub rows: u64,
    /// Keywords whose results were stored (replacing any they had).
    pub keywords: u64,
    /// Results stored: at most 10 a keyword.
    pub results: u64,
    /// Rows beyond a keyword's 10 best positions, or repeating a URL it already has.
    pub dropped: u64,
    pub encoding: String,
    pub delimiter: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Keyword,
    Position,
    Url,
}

fn column(raw: &str) -> Option<Column> {
    let h: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(match h.as_str() {
        "keyword" | "keywords" | "query" | "queries" | "search query" | "search term"
        | "phrase" => Column::Keyword,
        "position" | "pos" | "rank" | "ranking" | "serp position" | "google position" => {
            Column::Position
        }
        "url" | "link" | "ranking url" | "result url" | "landing page" | "page url" => Column::Url,
        _ => return None,
    })
}

/// A URL as compared between keywords: scheme, `www.`, the fragment and a trailing slash
/// dropped, the host lower-cased. `None` when it is not a web address.
pub fn normalise_url(raw: &str) -> Option<String> {
    let t = raw.trim();
    let lower = t.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &t[8..]
    } else if lower.starts_with("http://") {
        &t[7..]
    } else if lower.contains("://") {
        return None;
    } else {
        t
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let valid = host.contains('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !path.chars().any(char::is_whitespace);
    if !valid {
        return None;
    }
    Some(format!("{host}{}", path.trim_end_matches('/')))
}

/// A result row as read: position, line, normalised URL.
type ResultRow = (i64, u64, String);

struct Parsed {
    report: SerpImportReport,
    /// Each keyword's normalised phrase and its rows, in the order keywords first appear.
    keywords: Vec<(String, Vec<ResultRow>)>,
}

fn parse(bytes: &[u8]) -> Result<Parsed, SerpImportError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SerpImportError::Empty);
    }
    let encoding = sniff_encoding(&bytes[..bytes.len().min(16 * 1024)]);
    let text = encoding.decode_with_bom_removal(bytes).0;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut columns: Option<(usize, usize, usize)> = None;
    let mut seen_headers: Vec<String> = Vec::new();
    let mut bad: Vec<RowError> = Vec::new();
    let mut bad_count = 0u64;
    let mut report = SerpImportReport {
        encoding: encoding.name().to_string(),
        delimiter: match delimiter {
            b'\t' => "tab".into(),
            d => (d as char).to_string(),
        },
        ..SerpImportReport::default()
    };
    let mut order: Vec<String> = Vec::new();
    let mut rows: HashMap<String, Vec<ResultRow>> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 1;
        let record = record.map_err(|e| SerpImportError::Unreadable {
            line: e.position().map_or(line, |p| p.line()),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some((k, p, u)) = columns else {
            let found: Vec<(usize, Column)> = record
                .iter()
                .enumerate()
                .filter_map(|(i, h)| column(h).map(|c| (i, c)))
                .collect();
            let first = |c: Column| found.iter().find(|(_, f)| *f == c).map(|(i, _)| *i);
            match (
                first(Column::Keyword),
                first(Column::Position),
                first(Column::Url),
            ) {
                (Some(k), Some(p), Some(u)) => columns = Some((k, p, u)),
                _ if seen_headers.len() + 1 < HEADER_SEARCH_LINES => {
                    seen_headers.push(record.iter().collect::<Vec<_>>().join(", "));
                }
                _ => {
                    seen_headers.push(record.iter().collect::<Vec<_>>().join(", "));
                    return Err(SerpImportError::NoHeader {
                        found: seen_headers.first().cloned().unwrap_or_default(),
                    });
                }
            }
            continue;
        };
        report.rows += 1;
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let problem = match (
            KeywordDraft::new(cell(k)),
            cell(p).parse::<i64>().ok().filter(|v| *v >= 1),
            normalise_url(cell(u)),
        ) {
            (Err(e), _, _) => Some(format!("keyword: {e}")),
            (_, None, _) => Some(format!(
                "position {:?} is not a whole number from 1",
                cell(p)
            )),
            (_, _, None) => Some(format!("URL {:?} is not a web address", cell(u))),
            (Ok(draft), Some(position), Some(url)) => {
                let entry = rows.entry(draft.normalised.clone()).or_insert_with(|| {
                    order.push(draft.normalised.clone());
                    Vec::new()
                });
                entry.push((position, line, url));
                None
            }
        };
        if let Some(message) = problem {
            bad_count += 1;
            if bad.len() < MAX_LISTED {
                bad.push(RowError { line, message });
            }
        }
    }
    if columns.is_none() {
        return Err(SerpImportError::NoHeader {
            found: seen_headers.first().cloned().unwrap_or_default(),
        });
    }
    if bad_count > 0 {
        return Err(SerpImportError::BadRows {
            rows: bad,
            count: bad_count,
        });
    }
    let keywords = order
        .into_iter()
        .map(|k| {
            let mut r = rows.remove(&k).unwrap_or_default();
            // Best position first; the file's order breaks ties; a URL counts once.
            r.sort_by_key(|(position, line, _)| (*position, *line));
            let mut kept: Vec<ResultRow> = Vec::new();
            for row in r {
                if kept.len() < SERP_TOP && !kept.iter().any(|k| k.2 == row.2) {
                    kept.push(row);
                } else {
                    report.dropped += 1;
                }
            }
            report.results += kept.len() as u64;
            (k, kept)
        })
        .collect::<Vec<_>>();
    report.keywords = keywords.len() as u64;
    Ok(Parsed { report, keywords })
}

/// Imports `bytes` (a whole export) as `site`'s search results, in one transaction.
pub async fn import_serp(
    db: &Db,
    account: AccountId,
    site: SiteId,
    bytes: Vec<u8>,
) -> Result<SerpImportReport, SerpImportError> {
    let site = db.site(account, site).await?.id;
    let parsed = tokio::task::spawn_blocking(move || parse(&bytes))
        .await
        .map_err(|e| SerpImportError::Unreadable {
            line: 0,
            message: format!("the parser stopped: {e}"),
        })??;
    let results: Vec<(String, Vec<SerpRow>)> = parsed
        .keywords
        .into_iter()
        .map(|(k, rows)| {
            let rows = rows
                .into_iter()
                .map(|(position, _, url)| SerpRow { position, url })
                .collect();
            (k, rows)
        })
        .collect();
    let mut tx = db.begin().await?;
    tx.replace_serp_results(account, site, &results).await?;
    tx.commit().await?;
    Ok(parsed.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_compared_without_scheme_www_fragment_or_trailing_slash() {
        let n = |s| normalise_url(s);
        assert_eq!(
            n("https://www.Example.com/Guide/#top").as_deref(),
            Some("example.com/Guide")
        );
        assert_eq!(n("http://example.com").as_deref(), Some("example.com"));
        assert_eq!(n("example.com/a?b=1").as_deref(), Some("example.com/a?b=1"));
        assert_eq!(n("ftp://example.com/x"), None);
        assert_eq!(n("not a url"), None);
        assert_eq!(n(""), None);
    }

    #[test]
    fn top_ten_by_position_with_bom_semicolons_and_other_headers() {
        let mut file = "\u{feff}Query;Rank;Link\n".to_string();
        for pos in (1..=12).rev() {
            file.push_str(&format!("Trail Shoes;{pos};https://site{pos}.example/\n"));
        }
        file.push_str("trail  shoes;3;https://www.site3.example/\n");
        let p = parse(file.as_bytes()).unwrap();
        assert_eq!(p.report.rows, 13);
        assert_eq!(p.report.delimiter, ";");
        assert_eq!(p.keywords.len(), 1);
        let (k, rows) = &p.keywords[0];
        assert_eq!(k, "trail shoes");
        let urls: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(urls.len(), 10);
        assert_eq!(urls[0], "site1.example");
        assert_eq!(urls[9], "site10.example");
        assert_eq!((p.report.results, p.report.dropped), (10, 3));
    }

    #[test]
    fn bad_rows_are_named_and_nothing_is_kept() {
        let file = "keyword\tposition\turl\nshoes\t1\thttps://a.example/\n\t2\thttps://b.example/\nshoes\tfirst\thttps://c.example/\nshoes\t4\tmailto:x\n";
        match parse(file.as_bytes()) {
            Err(SerpImportError::BadRows { rows, count }) => {
                assert_eq!(count, 3);
                let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
                assert_eq!(lines, vec![3, 4, 5]);
                assert!(rows[1].message.contains("\"first\""), "{:?}", rows[1]);
            }
            other => panic!("{:?}", other.map(|p| p.report)),
        }
        let e = parse(b"keyword,volume\nshoes,10\n").err().unwrap();
        assert!(matches!(e, SerpImportError::NoHeader { .. }), "{e}");
        assert!(e.to_string().contains("keyword, volume"), "{e}");
        assert!(matches!(parse(b" \n"), Err(SerpImportError::Empty)));
    }
}
