//! Keyword import: writes a CSV of N rows shaped like a keyword-tool export (every tenth row a
//! case/whitespace duplicate, every hundredth a bad number), imports it into a fresh database,
//! and prints rows per second and the process's peak resident memory, which stays flat as N
//! grows because the import streams.

use clap::Args;
use pressroom_pipeline::import::import_keywords;
use pressroom_store::Db;
use std::io::Write;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    engine: String,
    /// PostgreSQL URL (default: PRESSROOM_TEST_POSTGRES_URL); a fresh schema is used.
    #[arg(long)]
    database_url: Option<String>,
}

pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("keywords.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        writeln!(w, "Keyword,Search Volume,KD,CPC,Intent")?;
        for i in 0..args.rows {
            match i % 100 {
                99 => writeln!(w, "broken row {i},lots,10,1.00,informational")?,
                n if n % 10 == 9 => writeln!(
                    w,
                    "  Keyword  Phrase {} ,{},{},0.{:02},commercial",
                    i - 1,
                    i % 5000,
                    i % 100,
                    i % 100
                )?,
                _ => writeln!(
                    w,
                    "keyword phrase {i},{},{},1.{:02},informational",
                    i % 5000,
                    i % 100,
                    i % 100
                )?,
            }
        }
    }
    let bytes = std::fs::metadata(&file)?.len();
    let db = open_db(&args.engine, args.database_url, dir.path()).await?;
    db.migrate().await?;
    let (account, site) = db.local_default().await?;
    let rss_before = peak_rss_kib();
    let started = Instant::now();
    let report = import_keywords(
        &db,
        account.id,
        site.id,
        "bench",
        std::fs::File::open(&file)?,
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    let stored = db
        .count_keywords(
            account.id,
            site.id,
            &pressroom_store::KeywordFilter::default(),
        )
        .await?;
    println!(
        "{}",
        serde_json::json!({
            "engine": args.engine, "rows": args.rows, "file_bytes": bytes,
            "inserted": report.inserted, "merged": report.merged, "skipped": report.skipped, "stored": stored,
            "elapsed_ms": (secs * 1000.0).round(), "rows_per_sec": (args.rows as f64 / secs).round(),
            "peak_rss_kib_before": rss_before, "peak_rss_kib_after": peak_rss_kib(),
        })
    );
    Ok(())
}

/// A fresh database: SQLite in `dir`, or a new schema on the PostgreSQL server.
pub async fn open_db(
    engine: &str,
    url: Option<String>,
    dir: &std::path::Path,
) -> anyhow::Result<Db> {
    if engine != "postgres" {
        return Ok(Db::open_sqlite(&dir.join("bench.db")).await?);
    }
    let base = url
        .or_else(|| std::env::var("PRESSROOM_TEST_POSTGRES_URL").ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--database-url or PRESSROOM_TEST_POSTGRES_URL is required for postgres"
            )
        })?;
    let schema = format!("bench_{}", std::process::id());
    let admin = Db::connect(&base).await?;
    if let Db::Postgres(p) = &admin {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(p)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(p)
            .await?;
    }
    let opts: sqlx::postgres::PgConnectOptions = std::str::FromStr::from_str(&base)?;
    Ok(Db::connect_postgres(opts.options([("search_path", schema.as_str())])).await?)
}
