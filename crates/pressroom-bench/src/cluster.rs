//! `pressroom-bench cluster`: clustering a whole keyword list.
//!
//! `--labelled FILE` (a `keyword,intent` CSV) prints, for each threshold, the number of
//! clusters and the adjusted Rand index against the file's intents. `--keywords N` clusters
//! N distinct keywords made from the labelled ones and prints the time and peak memory.
//! `--method lexical` (default), `embedding` (vectors from `--embeddings-url URL --model M`,
//! an OpenAI-compatible server, else the offline provider's) or `serp` (synthetic results:
//! each keyword ranks 6 of its intent's 8 pages and 4 pages of its own; see
//! `crate::cluster_methods`).

use crate::import::peak_rss_kib;
use crate::keyword_lists::{fnv, generate};
use anyhow::{Context, bail};
use pressroom_domain::clustering::{LEXICAL_THRESHOLD, LexicalClusterer, adjusted_rand_index};
use serde_json::json;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct ClusterArgs {
    /// The labelled set, `keyword,intent` with a header.
    #[arg(long, default_value = "examples/labelled-keywords.csv")]
    labelled: PathBuf,
    /// Cluster this many generated keywords and report time and memory (else: quality).
    #[arg(long)]
    keywords: Option<usize>,
    #[arg(long, value_parser = ["lexical", "embedding", "serp"], default_value = "lexical")]
    method: String,
    /// An OpenAI-compatible server (its URL ending in `/v1`) to embed with; offline vectors
    /// when absent. `OPENAI_API_KEY` is sent when set.
    #[arg(long)]
    embeddings_url: Option<String>,
    /// The embedding model to ask the server for.
    #[arg(long, default_value = "text-embedding-3-small")]
    model: String,
}

pub fn run(args: ClusterArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.labelled)
        .with_context(|| format!("cannot read {}", args.labelled.display()))?;
    let mut keywords = Vec::new();
    let mut intents = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let Some((k, i)) = line.split_once(',') else {
            bail!(
                "{} line {}: expected keyword,intent",
                args.labelled.display(),
                n + 1
            );
        };
        keywords.push(k.trim().to_string());
        intents.push(i.trim().to_string());
    }
    // A real export is not sorted by intent (it is by volume, or by nothing): mix the file
    // the same way every time, so batched clustering is not handed its groups ready-made.
    let mut order: Vec<usize> = (0..keywords.len()).collect();
    order.sort_by_key(|i| fnv(&keywords[*i]));
    let keywords: Vec<String> = order.iter().map(|i| keywords[*i].clone()).collect();
    let intents: Vec<String> = order.iter().map(|i| intents[*i].clone()).collect();
    match args.method.as_str() {
        "embedding" => {
            return crate::cluster_methods::embedding(
                &keywords,
                &intents,
                args.keywords,
                args.embeddings_url.as_deref(),
                &args.model,
            );
        }
        "serp" => return crate::cluster_methods::serp(&keywords, &intents),
        _ => {}
    }
    match args.keywords {
        None => {
            let phrases: Vec<&str> = keywords.iter().map(String::as_str).collect();
            let distinct: HashSet<&String> = intents.iter().collect();
            // The batches of 20 that stage 1 used before whole-list clustering scored an ARI
            // of 0.056 with 374 clusters on this set (docs/BENCHMARKS.md); that clusterer is gone.
            for t in [0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7] {
                let found = LexicalClusterer::new(t).cluster(&phrases);
                let clusters = found.iter().collect::<HashSet<_>>().len();
                println!(
                    "{}",
                    json!({"bench": "cluster", "method": "lexical", "threshold": t,
                           "default": t == LEXICAL_THRESHOLD, "keywords": phrases.len(),
                           "intents": distinct.len(), "clusters": clusters,
                           "ari": (adjusted_rand_index(&intents, &found) * 1000.0).round() / 1000.0})
                );
            }
        }
        Some(n) => {
            let generated = generate(&keywords, n);
            let phrases: Vec<&str> = generated.iter().map(String::as_str).collect();
            let started = Instant::now();
            let found = LexicalClusterer::default().cluster(&phrases);
            let secs = started.elapsed().as_secs_f64();
            let clusters = found.iter().collect::<HashSet<_>>().len();
            println!(
                "{}",
                json!({"bench": "cluster", "method": "lexical", "list": "labelled-extended", "keywords": n,
                       "clusters": clusters, "secs": (secs * 1000.0).round() / 1000.0,
                       "keywords_per_sec": (n as f64 / secs).round(),
                       "peak_rss_kib": peak_rss_kib(),
                       "cores": std::thread::available_parallelism().map(|c| c.get()).ok()})
            );
            // The hard case: a list of many distinct searches (product models, every fourth
            // written a second way), thousands of clusters; its labels are known.
            let csv = pressroom_mock_ai::keywords::csv(n);
            let phrases: Vec<&str> = csv
                .lines()
                .skip(1)
                .filter_map(|l| l.rsplit_once(',').map(|(k, _)| k))
                .collect();
            let labels: Vec<usize> = (0..phrases.len()).map(|i| i - (i + 1) / 4).collect();
            let started = Instant::now();
            let found = LexicalClusterer::default().cluster(&phrases);
            let secs = started.elapsed().as_secs_f64();
            let clusters = found.iter().collect::<HashSet<_>>().len();
            println!(
                "{}",
                json!({"bench": "cluster", "method": "lexical", "list": "distinct-searches", "keywords": n,
                       "intents": pressroom_mock_ai::keywords::intents(n),
                       "clusters": clusters, "secs": (secs * 1000.0).round() / 1000.0,
                       "ari": (adjusted_rand_index(&labels, &found) * 1000.0).round() / 1000.0,
                       "keywords_per_sec": (n as f64 / secs).round(),
                       "peak_rss_kib": peak_rss_kib()})
            );
        }
    }
    Ok(())
}
