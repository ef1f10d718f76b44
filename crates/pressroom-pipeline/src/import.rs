//! Keyword import from keyword-tool exports (SPEC section 6).
//!
//! The file is streamed: a blocking thread decodes and parses it, merging duplicates within
//! chunks of [`CHUNK_KEYWORDS`] distinct phrases, and hands each chunk over a bounded channel
//! to the writer, which upserts it (merging with what is stored) inside one transaction. Memory
//! stays bounded by the chunk size whatever the file's length, and a failure part-way (an
//! unreadable byte stream, a lost database) rolls the whole import back: nothing half-written.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use pressroom_domain::keyword::NumberStyle;
use pressroom_domain::{AccountId, DomainError, Intent, KeywordDraft, SiteId};
use pressroom_store::{Db, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use thiserror::Error;
use tokio::sync::mpsc;

/// Distinct phrases per chunk handed to the database.
pub const CHUNK_KEYWORDS: usize = 2000;
/// Row errors kept in the report; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 100;
/// Lines searched for the header row (Google Ads exports put a title and a date range first).
const HEADER_SEARCH_LINES: u64 = 10;
const SNIFF_BYTES: usize = 16 * 1024;
/// Appended after the file's last line. It is a row of its own when every quote in the file is
/// closed, and lands inside a field when one is not: that is how an unterminated quote is caught,
/// since the csv crate reads an open quote to the end of the input without complaint. U+FFFF is
/// a noncharacter, which no keyword export contains.
const END_MARK: &str = "\u{FFFF}pressroom-end-of-file\u{FFFF}";

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "no keyword column found: the header must name one of Keyword, Keywords, Phrase, Query, Search term (columns found: {found})"
    )]
    NoKeywordColumn { found: String },
    #[error("line {line}: {message}; nothing was imported")]
    Unreadable { line: u64, message: String },
    #[error("reading the file failed: {0}; nothing was imported")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A skipped row and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data rows read (header and blank lines excluded).
    pub rows: u64,
    /// New keywords stored.
    pub inserted: u64,
    /// Rows merged into another row of the file or a keyword already stored.
    pub merged: u64,
    /// Bad rows skipped.
    pub skipped: u64,
    /// The first [`MAX_REPORTED_ERRORS`] bad rows.
    pub errors: Vec<RowError>,
    /// Rows kept with one or more metrics left empty because their cells could not be read.
    pub incomplete: u64,
    /// The first [`MAX_REPORTED_ERRORS`] unreadable cells of those rows, one entry per cell.
    pub warnings: Vec<RowError>,
    pub encoding: String,
    pub delimiter: String,
    /// How numbers were read, from the delimiter: `1,234.5` or `1.234,5`.
    pub numbers: String,
    /// How each recognised column was understood: ("Avg. monthly searches", "volume").
    pub columns: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Keyword,
    Volume,
    Difficulty,
    Cpc,
    Intent,
    Country,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Keyword => "keyword",
            Field::Volume => "volume",
            Field::Difficulty => "difficulty",
            Field::Cpc => "cpc",
            Field::Intent => "intent",
            Field::Country => "country",
        }
    }

    /// Header names of common exports (Semrush, Ahrefs, Moz, Google Ads, Search Console, ...),
    /// compared after lower-casing and turning punctuation into spaces.
    fn from_header(raw: &str) -> Option<Field> {
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
            "keyword" | "keywords" | "phrase" | "keyword phrase" | "query" | "queries"
            | "top queries" | "search query" | "search term" | "search terms" => Field::Keyword,
            "volume"
            | "search volume"
            | "avg monthly searches"
            | "monthly searches"
            | "monthly volume"
            | "global volume"
            | "sv" => Field::Volume,
            "kd" | "keyword difficulty" | "difficulty" | "kd percent" => Field::Difficulty,
            "cpc" | "cpc usd" | "cost per click" => Field::Cpc,
            "intent" | "intents" | "search intent" => Field::Intent,
            "country" | "country code" | "database" => Field::Country,
            _ => return None,
        })
    }
}

/// Column positions found in the header row.
#[derive(Debug, Default)]
struct Columns {
    keyword: usize,
    others: Vec<(Field, usize)>,
}

impl Columns {
    fn detect(header: &csv::StringRecord) -> Option<(Columns, Vec<(String, String)>)> {
        let mut keyword = None;
        let mut others: Vec<(Field, usize)> = Vec::new();
        let mut described = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let Some(field) = Field::from_header(raw) else {
                continue;
            };
            // The first column of each kind wins; later look-alikes are ignored.
            let taken = if field == Field::Keyword {
                keyword.is_some()
            } else {
                others.iter().any(|(f, _)| *f == field)
            };
            if taken {
                continue;
            }
            if field == Field::Keyword {
                keyword = Some(i);
            } else {
                others.push((field, i));
            }
            described.push((raw.trim().to_string(), field.name().to_string()));
        }
        keyword.map(|keyword| (Columns { keyword, others }, described))
    }

    /// The row's keyword, and the cells that could not be read (their metrics stay empty). A
    /// row without a usable keyword is an error.
    fn parse(
        &self,
        record: &csv::StringRecord,
        style: NumberStyle,
    ) -> Result<Option<(KeywordDraft, Vec<String>)>, DomainError> {
        let phrase = record.get(self.keyword).unwrap_or("");
        if phrase.trim().is_empty() {
            // A row with nothing in any cell is a blank line, not an error.
            if record.iter().all(|c| c.trim().is_empty()) {
                return Ok(None);
            }
            return Err(DomainError::InvalidValue {
                field: "keyword",
                value: String::new(),
            });
        }
        let mut draft = KeywordDraft::new(phrase)?;
        let mut unreadable = Vec::new();
        for (field, i) in &self.others {
            let cell = record.get(*i).unwrap_or("").trim();
            // "n/a" and "-" are how several tools write "no data".
            if cell.is_empty() || cell == "-" || cell.eq_ignore_ascii_case("n/a") {
                continue;
            }
            let read = match field {
                Field::Volume => KeywordDraft::parse_volume(cell).map(|v| draft.volume = Some(v)),
                Field::Difficulty => {
                    KeywordDraft::parse_difficulty(cell).map(|v| draft.difficulty = Some(v))
                }
                Field::Cpc => KeywordDraft::parse_cpc(cell, style).map(|v| draft.cpc = Some(v)),
                Field::Intent => Intent::parse(cell).map(|v| draft.intent = Some(v)),
                Field::Country => {
                    KeywordDraft::parse_country(cell).map(|v| draft.country = Some(v))
                }
                Field::Keyword => Ok(()),
            };
            if let Err(e) = read {
                unreadable.push(format!(
                    "{e}; the keyword is kept with its {} empty",
                    field.name()
                ));
            }
        }
        Ok(Some((draft, unreadable)))
    }
}

/// Picks the encoding from a byte-order mark, from the NUL pattern of BOM-less UTF-16, or from
/// whether the sample is UTF-8; anything else is read as Windows-1252 (what Excel writes).
pub(crate) fn sniff_encoding(sample: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(sample) {
        return enc;
    }
    if sample.len() >= 4 {
        let pairs = sample.len() / 2;
        let even_nuls = sample.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_nuls = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|b| **b == 0)
            .count();
        if odd_nuls * 2 > pairs && even_nuls * 8 < pairs {
            return UTF_16LE;
        }
        if even_nuls * 2 > pairs && odd_nuls * 8 < pairs {
            return UTF_16BE;
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => UTF_8,
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

/// The delimiter that occurs most in the first lines of the decoded sample; ties favour tab,
/// then semicolon, since commas also appear inside numbers and phrases.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let head: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(HEADER_SEARCH_LINES as usize)
        .collect();
    let count = |d: char| head.iter().map(|l| l.matches(d).count()).sum::<usize>();
    let (tabs, semis, commas) = (count('\t'), count(';'), count(','));
    if tabs > 0 && tabs >= semis && tabs >= commas {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

enum Parsed {
    Header {
        encoding: String,
        delimiter: String,
        numbers: String,
        columns: Vec<(String, String)>,
    },
    Chunk {
        drafts: Vec<KeywordDraft>,
        rows: u64,
        duplicates: u64,
    },
    Problems(Problems),
}

/// Skipped rows and unreadable cells, with the first [`MAX_REPORTED_ERRORS`] of each kept.
#[derive(Default)]
struct Problems {
    errors: Vec<RowError>,
    skipped: u64,
    warnings: Vec<RowError>,
    incomplete: u64,
}

impl Problems {
    fn skip(&mut self, line: u64, message: String) {
        self.skipped += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RowError { line, message });
        }
    }

    fn blank(&mut self, line: u64, messages: Vec<String>) {
        self.incomplete += 1;
        for message in messages {
            if self.warnings.len() < MAX_REPORTED_ERRORS {
                self.warnings.push(RowError { line, message });
            }
        }
    }
}

/// Parses `reader` on the calling (blocking) thread, sending header info, chunks and row errors.
fn parse_stream<R: Read>(
    reader: R,
    tx: &mpsc::Sender<Result<Parsed, ImportError>>,
) -> Result<(), ImportError> {
    let mut reader = reader;
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    (&mut reader)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| ImportError::Io(e.to_string()))?;
    if sample.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let encoding = sniff_encoding(&sample);
    let decoded_sample = encoding.decode_with_bom_removal(&sample).0.into_owned();
    let delimiter = sniff_delimiter(&decoded_sample);
    let style = NumberStyle::for_delimiter(delimiter);
    let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_sniffing(true)
        .build(Cursor::new(sample).chain(reader));
    // Line numbers: the csv crate reports where it began scanning, which is wrong after blank
    // lines and lags behind CRLF. Splitting on LF alone (cells are trimmed, so a CR left at a
    // line's end is harmless) and a guaranteed final LF make "line of the terminator minus the
    // line breaks inside the record" exact; see `record_line`.
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(decoder.chain(Cursor::new(format!("\n{END_MARK}\n"))));
    let record_line = |csv: &csv::Reader<_>, record: &csv::StringRecord| {
        let breaks: usize = record.iter().map(|f| f.matches('\n').count()).sum();
        csv.position().line().saturating_sub(1 + breaks as u64)
    };

    let send = |msg: Result<Parsed, ImportError>| {
        tx.blocking_send(msg)
            .map_err(|_| ImportError::Io("import cancelled".into()))
    };
    let mut record = csv::StringRecord::new();
    let mut columns = None;
    let mut first_row: Option<csv::StringRecord> = None;
    let mut chunk: HashMap<String, KeywordDraft> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let (mut rows, mut duplicates) = (0u64, 0u64);
    let mut problems = Problems::default();

    loop {
        let more = match csv.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.kind() {
                    // Invalid UTF-8 in one row: that row is bad, the rest can still be read.
                    csv::ErrorKind::Utf8 { .. } if columns.is_some() => {
                        rows += 1;
                        problems.skip(line, "not valid text in the file's encoding".into());
                        continue;
                    }
                    csv::ErrorKind::Io(io) => return Err(ImportError::Io(io.to_string())),
                    _ => {
                        return Err(ImportError::Unreadable {
                            line,
                            message: e.to_string(),
                        });
                    }
                }
            }
        };
        if !more {
            break;
        }
        if record.len() == 1 && &record[0] == END_MARK {
            break;
        }
        let line = record_line(&csv, &record);
        if record.iter().any(|f| f.contains(END_MARK)) {
            return Err(ImportError::Unreadable {
                // The input ended inside the record: no terminator after it to discount.
                line: line + 1,
                message: "a quoted field opened in this row is never closed (a stray \")".into(),
            });
        }
        let Some(cols) = &columns else {
            if let Some((cols, described)) = Columns::detect(&record) {
                send(Ok(Parsed::Header {
                    encoding: encoding.name().to_string(),
                    delimiter: match delimiter {
                        b'\t' => "tab".into(),
                        d => (d as char).to_string(),
                    },
                    numbers: style.example().into(),
                    columns: described,
                }))?;
                columns = Some(cols);
            } else {
                if first_row.is_none() && record.iter().any(|c| !c.trim().is_empty()) {
                    first_row = Some(record.clone());
                }
                if line >= HEADER_SEARCH_LINES {
                    break;
                }
            }
            continue;
        };
        match cols.parse(&record, style) {
            Ok(None) => continue,
            Ok(Some((draft, unreadable))) => {
                rows += 1;
                if !unreadable.is_empty() {
                    problems.blank(line, unreadable);
                }
                match chunk.get_mut(&draft.normalised) {
                    Some(existing) => {
                        existing.merge(draft);
                        duplicates += 1;
                    }
                    None => {
                        order.push(draft.normalised.clone());
                        chunk.insert(draft.normalised.clone(), draft);
                    }
                }
            }
            Err(e) => {
                rows += 1;
                problems.skip(line, e.to_string());
            }
        }
        if chunk.len() >= CHUNK_KEYWORDS {
            let drafts = order.drain(..).filter_map(|k| chunk.remove(&k)).collect();
            send(Ok(Parsed::Chunk {
                drafts,
                rows,
                duplicates,
            }))?;
            rows = 0;
            duplicates = 0;
        }
    }
    if columns.is_none() {
        let found = first_row
            .map(|r| {
                r.iter()
                    .map(|c| format!("{:?}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "none".into());
        return Err(ImportError::NoKeywordColumn { found });
    }
    let drafts: Vec<KeywordDraft> = order.drain(..).filter_map(|k| chunk.remove(&k)).collect();
    send(Ok(Parsed::Chunk {
        drafts,
        rows,
        duplicates,
    }))?;
    send(Ok(Parsed::Problems(problems)))?;
    Ok(())
}

/// Imports keywords from `reader` into `site` of `account`. Rows without a usable keyword are
/// skipped and reported with line numbers; a cell that cannot be read leaves that metric empty
/// on a keyword that is still imported, and is reported too. A file with no keyword column, an
/// unterminated quote, or one that cannot be read to the end changes nothing.
pub async fn import_keywords<R: Read + Send + 'static>(
    db: &Db,
    account: AccountId,
    site: SiteId,
    source: &str,
    reader: R,
) -> Result<ImportReport, ImportError> {
    let site = db.site(account, site).await?.id;
    let (tx, mut rx) = mpsc::channel::<Result<Parsed, ImportError>>(2);
    let parser = tokio::task::spawn_blocking(move || {
        if let Err(e) = parse_stream(reader, &tx) {
            // The receiver may be gone if the writer failed first; its error is reported then.
            let _ = tx.blocking_send(Err(e));
        }
    });

    let mut report = ImportReport::default();
    let mut db_tx = None;
    while let Some(msg) = rx.recv().await {
        match msg? {
            Parsed::Header {
                encoding,
                delimiter,
                numbers,
                columns,
            } => {
                report.encoding = encoding;
                report.delimiter = delimiter;
                report.numbers = numbers;
                report.columns = columns;
            }
            Parsed::Chunk {
                drafts,
                rows,
                duplicates,
            } => {
                report.rows += rows;
                report.merged += duplicates;
                if drafts.is_empty() {
                    continue;
                }
                if db_tx.is_none() {
                    db_tx = Some(db.begin().await?);
                }
                let Some(t) = db_tx.as_mut() else {
                    unreachable!("opened just above")
                };
                let done = t.upsert_keywords(account, site, source, &drafts).await?;
                report.inserted += done.inserted;
                report.merged += done.merged;
            }
            Parsed::Problems(p) => {
                report.errors = p.errors;
                report.skipped = p.skipped;
                report.warnings = p.warnings;
                report.incomplete = p.incomplete;
            }
        }
    }
    parser
        .await
        .map_err(|e| ImportError::Io(format!("parser stopped: {e}")))?;
    if let Some(t) = db_tx {
        t.commit().await?;
        if report.inserted > 0 {
            db.refresh_keyword_stats().await?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_common_exports_are_recognised() {
        for h in [
            "Keyword",
            "keyword",
            "Phrase",
            "Query",
            "Top queries",
            "Search term",
        ] {
            assert_eq!(Field::from_header(h), Some(Field::Keyword), "{h}");
        }
        assert_eq!(
            Field::from_header("Avg. monthly searches"),
            Some(Field::Volume)
        );
        assert_eq!(Field::from_header("Search Volume"), Some(Field::Volume));
        assert_eq!(Field::from_header("KD %"), Some(Field::Difficulty));
        assert_eq!(
            Field::from_header("Keyword Difficulty"),
            Some(Field::Difficulty)
        );
        assert_eq!(Field::from_header("CPC (USD)"), Some(Field::Cpc));
        assert_eq!(Field::from_header("Competition"), None);
    }

    #[test]
    fn encodings_and_delimiters_are_sniffed() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFKeyword"), UTF_8);
        assert_eq!(sniff_encoding(b"\xFF\xFEK\0e\0y\0"), UTF_16LE);
        assert_eq!(sniff_encoding(b"K\0e\0y\0w\0o\0r\0d\0"), UTF_16LE);
        assert_eq!(sniff_encoding(b"\0K\0e\0y\0w\0o\0r\0d"), UTF_16BE);
        assert_eq!(sniff_encoding("café".as_bytes()), UTF_8);
        assert_eq!(sniff_encoding(b"caf\xE9 au lait"), WINDOWS_1252);
        assert_eq!(sniff_delimiter("Keyword\tVolume\na\t1"), b'\t');
        assert_eq!(sniff_delimiter("Keyword;Volume\na;1,5"), b';');
        assert_eq!(sniff_delimiter("Keyword,Volume\na,1"), b',');
    }
}
