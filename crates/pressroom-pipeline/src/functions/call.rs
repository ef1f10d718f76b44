//! What every AI function does around its model call: the call itself with one corrective
//! retry, the usage row, the credit check and the charge.

use crate::context::{Pipeline, PipelineError, Result};
use pressroom_domain::ai::*;
use pressroom_domain::*;
use pressroom_providers::{Correction, ModelKind, TextRequest, UsageRecord};
use pressroom_store::{NewUsage, StoreError, Tx};
use serde::Serialize;
use serde::de::DeserializeOwned;

const SYSTEM_PROMPT: &str = "You are an SEO content assistant for a publishing team. Answer with JSON that matches the given schema exactly, and nothing else.";
/// Output tokens assumed per call when checking credits before a call.
const EXPECTED_OUTPUT_TOKENS: i64 = 2000;

pub(crate) fn usage_row(
    u: &UsageRecord,
    site: Option<SiteId>,
    subject: Option<Subject>,
    run: Option<RunId>,
) -> NewUsage {
    NewUsage {
        site,
        function: u.function,
        provider: u.provider.clone(),
        model: u.model.clone(),
        tokens_in: u.tokens_in,
        tokens_out: u.tokens_out,
        images: u.images,
        cost: u.cost,
        credits: if u.success { u.credits } else { Credits::ZERO },
        latency_ms: u.latency_ms,
        error: u.error.clone(),
        subject,
        run,
    }
}

/// Writes a usage row and charges its credits under `key` (once), in `tx`.
pub(crate) async fn settle(
    tx: &mut Tx,
    account: AccountId,
    usage: &NewUsage,
    key: Option<String>,
) -> Result<()> {
    let id = tx.insert_usage(account, usage).await?;
    if usage.credits.0 > 0 {
        let key = key.unwrap_or_else(|| format!("usage:{id}"));
        let reason = format!(
            "{} ({} {})",
            usage.function.as_str(),
            usage.provider,
            usage.model
        );
        tx.charge_credits(account, usage.credits, &reason, &key, Some(id))
            .await?;
    }
    Ok(())
}

/// Records a call that produced nothing usable, in its own transaction.
pub(crate) async fn record_failure(
    p: &Pipeline,
    account: AccountId,
    usage: NewUsage,
) -> Result<()> {
    let mut tx = p.db().begin().await?;
    settle(
        &mut tx,
        account,
        &NewUsage {
            credits: Credits::ZERO,
            ..usage
        },
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses before any provider call when the balance cannot cover `needed`.
pub(crate) async fn ensure_credits(
    p: &Pipeline,
    account: AccountId,
    needed: Credits,
) -> Result<()> {
    if needed.0 <= 0 {
        return Ok(());
    }
    let balance = p.db().account(account).await?.credits;
    if balance < needed {
        return Err(StoreError::InsufficientCredits { needed, balance }.into());
    }
    Ok(())
}

/// One structured call: template, credit check, model, answer checked against the schema's
/// bounds. An invalid answer is asked again once, with the answer and what was wrong with it;
/// a second invalid answer is [`PipelineError::InvalidAnswer`]. Every call writes a usage row:
/// failed ones (invalid answers included) here and without a charge, the successful one is
/// returned for the caller to settle with the output.
#[allow(clippy::too_many_arguments)]
pub(super) async fn ask<T: DeserializeOwned>(
    p: &Pipeline,
    site: &Site,
    function: AiFunction,
    input: serde_json::Value,
    max_tokens: u32,
    values: Vec<(&str, String)>,
    subject: Option<Subject>,
    run: Option<RunId>,
) -> Result<(T, NewUsage)> {
    let account = site.account_id;
    let choice = crate::keys::text_for(p, site).await?;
    let user = site.settings.template(function)?.render(&values);
    let spec = p.model_spec(choice.provider.name(), ModelKind::Text, &choice.model)?;
    let mut request =
        TextRequest::for_function(function, choice.model.clone(), SYSTEM_PROMPT, user, input);
    request.max_tokens = Some(max_tokens);
    loop {
        let sent = pressroom_providers::types::estimate_tokens(&request.user)
            + request.correction.as_ref().map_or(0, |c| {
                pressroom_providers::types::estimate_tokens(&c.answer)
                    + pressroom_providers::types::estimate_tokens(&c.problems)
            });
        let estimate =
            spec.text_credits(sent + 50, EXPECTED_OUTPUT_TOKENS.min(i64::from(max_tokens)));
        ensure_credits(p, account, estimate).await?;
        crate::budget::ensure_within_budget(p, site, estimate, "this call", "it was not made")
            .await?;
        let (result, usage) = choice.provider.complete(&request).await.into_parts();
        tracing::debug!(
            function = function.as_str(),
            provider = %usage.provider,
            model = %usage.model,
            tokens_in = usage.tokens_in,
            tokens_out = usage.tokens_out,
            credits = usage.credits.0,
            latency_ms = usage.latency_ms,
            success = usage.success,
            "model called"
        );
        let usage = usage_row(&usage, Some(site.id), subject, run);
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                record_failure(p, account, usage).await?;
                return Err(e.into());
            }
        };
        let invalid = match check_answer::<T>(function, &response.content) {
            Ok(parsed) => return Ok((parsed, usage)),
            Err(invalid) => invalid,
        };
        record_failure(
            p,
            account,
            NewUsage {
                error: Some(invalid.to_string()),
                ..usage
            },
        )
        .await?;
        if request.correction.is_some() {
            return Err(invalid.into());
        }
        tracing::info!(function = function.as_str(), error = %invalid, "invalid answer; asking once more");
        request.correction = Some(Correction {
            answer: response.content,
            problems: invalid
                .problems
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        });
    }
}

/// The variables every text template gets from its site: its name, its language (as a
/// name) and its brand voice (`{brand_voice}` and one per field).
pub(crate) fn site_values(site: &Site) -> Vec<(&'static str, String)> {
    let mut values = vec![("site_name", site.name.clone())];
    values.extend(site.settings.voice.prompt_values(&site.language));
    values
}

/// A function's input as the JSON the provider is sent. The inputs are plain structs of
/// strings and numbers, so this cannot fail; if one ever did, the call is refused rather than
/// sent with `null` for its input.
pub(super) fn input_json<T: Serialize>(
    function: AiFunction,
    input: &T,
) -> Result<serde_json::Value> {
    serde_json::to_value(input).map_err(|e| {
        PipelineError::Internal(format!(
            "the input of {} does not serialise: {e}",
            function.as_str()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn an_input_that_does_not_serialise_is_an_error_not_null() {
        // JSON object keys must be strings: a map keyed by pairs cannot be sent.
        let bad: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
        let e = input_json(AiFunction::AutoCluster, &bad).unwrap_err();
        assert!(matches!(e, PipelineError::Internal(_)), "{e}");
        let ok = input_json(
            AiFunction::AutoCluster,
            &ClusterInput {
                keywords: vec!["a".into()],
            },
        );
        assert_eq!(ok.unwrap(), serde_json::json!({"keywords": ["a"]}));
    }
}
