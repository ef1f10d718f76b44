//! Embedding vectors for a site's phrases, for the embedding clustering method: cached phrases
//! cost nothing; the rest go to the site's embedding provider in batches, each batch checked
//! against the balance first, then charged with its usage row and cached in one transaction.

use super::call::{ensure_credits, record_failure, settle, usage_row};
use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::{AccountId, Credits, RunId, Site, normalise_phrase};
use pressroom_providers::types::estimate_tokens;
use pressroom_providers::{EmbeddingRequest, ModelKind};
use std::collections::HashMap;

/// Phrases per provider call: OpenAI takes up to 2,048 inputs; 256 keeps a failed call cheap
/// to retry and its request small.
pub const EMBED_BATCH: usize = 256;

/// The vector of each of `phrases` (in order; phrases equal once normalised get the same
/// vector) and the credits charged for them. Vectors come from the cache where the site's
/// embedding model has them; the rest are asked for in batches of [`EMBED_BATCH`]. A batch
/// the balance cannot cover is refused before the call; a failed or invalid answer writes a
/// usage row without a charge, caches nothing and ends the call with its error (batches
/// before it stay charged and cached: they were paid for and are reused next time).
pub async fn embed_phrases(
    p: &Pipeline,
    account: AccountId,
    site: &Site,
    phrases: &[String],
    run: Option<RunId>,
) -> Result<(Vec<Vec<f32>>, Credits)> {
    let choice = crate::keys::embeddings_for(p, site).await?;
    let spec = p.model_spec(choice.provider.name(), ModelKind::Embedding, &choice.model)?;
    let normalised: Vec<String> = phrases.iter().map(|s| normalise_phrase(s)).collect();
    let mut distinct: Vec<String> = normalised.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut vectors: HashMap<String, Vec<f32>> = p
        .db()
        .cached_embeddings(account, &choice.model, &distinct)
        .await?;
    let missing: Vec<String> = distinct
        .into_iter()
        .filter(|n| !vectors.contains_key(n))
        .collect();
    let mut charged = Credits::ZERO;
    for batch in missing.chunks(EMBED_BATCH) {
        let tokens: i64 = batch.iter().map(|s| estimate_tokens(s)).sum();
        let need = spec.text_credits(tokens, 0);
        ensure_credits(p, account, need).await?;
        crate::budget::ensure_within_budget(
            p,
            site,
            need,
            "these embeddings",
            "they were not made",
        )
        .await?;
        let request = EmbeddingRequest {
            model: choice.model.clone(),
            inputs: batch.to_vec(),
        };
        let (result, usage) = choice.provider.embed(&request).await.into_parts();
        tracing::debug!(
            provider = %usage.provider,
            model = %usage.model,
            phrases = batch.len(),
            tokens_in = usage.tokens_in,
            credits = usage.credits.0,
            success = usage.success,
            "embeddings called"
        );
        let row = usage_row(&usage, Some(site.id), None, run);
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                record_failure(p, account, row).await?;
                return Err(e.into());
            }
        };
        let mut tx = p.db().begin().await?;
        settle(&mut tx, account, &row, None).await?;
        let entries: Vec<(String, Vec<f32>)> =
            batch.iter().cloned().zip(response.vectors).collect();
        tx.cache_embeddings(account, &choice.model, &entries)
            .await?;
        tx.commit().await?;
        charged = Credits(charged.0 + row.credits.0);
        vectors.extend(entries);
    }
    let out: Vec<Vec<f32>> = normalised
        .iter()
        .map(|n| vectors.get(n).cloned().unwrap_or_default())
        .collect();
    // A model whose server changed its dimensions since vectors were cached cannot be mixed.
    let dims = out.first().map_or(0, Vec::len);
    if let Some((i, v)) = out.iter().enumerate().find(|(_, v)| v.len() != dims) {
        return Err(PipelineError::BadOutput(format!(
            "embeddings of {} have different lengths ({:?}: {dims}, {:?}: {}); the model's cached vectors no longer match it",
            choice.model,
            phrases[0],
            phrases[i],
            v.len()
        )));
    }
    Ok((out, charged))
}
