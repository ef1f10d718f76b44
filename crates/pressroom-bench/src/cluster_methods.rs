//! The embedding and SERP methods of `pressroom-bench cluster` (see `cluster.rs`).

use crate::import::peak_rss_kib;
use crate::keyword_lists::{fnv, generate};
use pressroom_domain::clustering::{
    EMBEDDING_THRESHOLD, EmbeddingClusterer, SerpClusterer, adjusted_rand_index,
};
use pressroom_providers::embeddings::{OpenAiEmbeddings, offline_vector};
use pressroom_providers::openai::OpenAiConfig;
use pressroom_providers::{
    EmbeddingProvider, EmbeddingRequest, Limits, ModelRegistry, ProviderDeps,
};
use serde_json::json;
use std::collections::HashSet;
use std::time::Instant;

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Vectors for `phrases` from the server at `url`, 256 a call, or offline ones.
fn vectors(phrases: &[String], url: Option<&str>, model: &str) -> anyhow::Result<Vec<Vec<f32>>> {
    let Some(url) = url else {
        return Ok(phrases.iter().map(|p| offline_vector(p)).collect());
    };
    let provider = OpenAiEmbeddings::new(
        OpenAiConfig {
            base_url: url.to_string(),
            api_key: std::env::var("OPENAI_API_KEY").unwrap_or_else(|_| "local".into()),
            account: 0,
        },
        ProviderDeps::new(ModelRegistry::seeded().shared(), Limits::new()),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut out = Vec::with_capacity(phrases.len());
    for chunk in phrases.chunks(256) {
        let request = EmbeddingRequest {
            model: model.to_string(),
            inputs: chunk.to_vec(),
        };
        let response = rt.block_on(provider.embed(&request)).result?;
        out.extend(response.vectors);
    }
    Ok(out)
}

pub fn embedding(
    keywords: &[String],
    intents: &[String],
    generated: Option<usize>,
    url: Option<&str>,
    model: &str,
) -> anyhow::Result<()> {
    let source = if url.is_some() { model } else { "offline" };
    if let Some(n) = generated {
        let phrases = generate(keywords, n);
        let embed_start = Instant::now();
        let vs = vectors(&phrases, url, model)?;
        let embed_secs = embed_start.elapsed().as_secs_f64();
        let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
        let started = Instant::now();
        let found = EmbeddingClusterer::default().cluster(&refs);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{}",
            json!({"bench": "cluster", "method": "embedding", "vectors": source,
                   "dimensions": vs.first().map_or(0, Vec::len), "keywords": n,
                   "clusters": found.iter().collect::<HashSet<_>>().len(),
                   "embed_secs": round3(embed_secs), "cluster_secs": round3(secs),
                   "peak_rss_kib": peak_rss_kib()})
        );
        return Ok(());
    }
    let vs = vectors(keywords, url, model)?;
    let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
    let distinct = intents.iter().collect::<HashSet<_>>().len();
    for t in [
        0.2, 0.3, 0.35, 0.4, 0.425, 0.45, 0.475, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8,
    ] {
        let found = EmbeddingClusterer::new(t).cluster(&refs);
        println!(
            "{}",
            json!({"bench": "cluster", "method": "embedding", "vectors": source,
                   "dimensions": vs.first().map_or(0, Vec::len), "threshold": t,
                   "default": t == EMBEDDING_THRESHOLD, "keywords": keywords.len(),
                   "intents": distinct, "clusters": found.iter().collect::<HashSet<_>>().len(),
                   "ari": round3(adjusted_rand_index(intents, &found))})
        );
    }
    Ok(())
}

/// Synthetic results: each intent has 8 pages and each keyword ranks 6 of them (picked by a
/// hash of the keyword); near-neighbour intents share pages through the words of their names
/// (the espresso intents all rank an "espresso" page), up to 2; pages of the keyword's own fill
/// the top 10. Keywords of one intent share at least 6 pages, neighbours at most 2.
pub fn serp(keywords: &[String], intents: &[String]) -> anyhow::Result<()> {
    let lists: Vec<Vec<String>> = keywords
        .iter()
        .zip(intents)
        .map(|(k, intent)| {
            let h = fnv(k);
            let skip = [(h % 8) as usize, ((h / 8) % 8) as usize];
            let mut urls: Vec<String> = (0..8)
                .filter(|u| !skip.contains(u))
                .map(|u| format!("{intent}.example/{u}"))
                .collect();
            urls.truncate(6);
            let words = intent
                .split('_')
                .filter(|w| w.len() > 3 && !matches!(*w, "best" | "recipe" | "for"));
            urls.extend(words.take(2).map(|w| format!("topic.example/{w}")));
            let own = 10 - urls.len();
            urls.extend((0..own).map(|u| format!("own.example/{h:x}/{u}")));
            urls.sort_by_key(|u| fnv(&format!("{k}{u}")));
            urls
        })
        .collect();
    let refs: Vec<&[String]> = lists.iter().map(Vec::as_slice).collect();
    let distinct = intents.iter().collect::<HashSet<_>>().len();
    for min in 1..=8 {
        let found = SerpClusterer::new(min).cluster(&refs);
        println!(
            "{}",
            json!({"bench": "cluster", "method": "serp", "synthetic": true, "min_shared": min,
                   "keywords": keywords.len(), "intents": distinct,
                   "clusters": found.iter().collect::<HashSet<_>>().len(),
                   "ari": round3(adjusted_rand_index(intents, &found))})
        );
    }
    Ok(())
}
