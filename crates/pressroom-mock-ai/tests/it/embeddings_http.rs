//! The OpenAI-compatible embeddings client against the mock's `/v1/embeddings`, over real
//! HTTP on 127.0.0.1.

use crate::support::*;
use pressroom_domain::{Credits, UsdMicros};
use pressroom_mock_ai::{MockConfig, Step};
use pressroom_providers::embeddings::{OpenAiEmbeddings, offline_vector};
use pressroom_providers::{EmbeddingProvider, EmbeddingRequest, ProviderError};

fn request(inputs: &[&str]) -> EmbeddingRequest {
    EmbeddingRequest {
        model: "text-embedding-3-small".into(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
    }
}

#[tokio::test]
async fn vectors_come_back_in_input_order_with_usage_and_price() {
    let m = mock(MockConfig::default()).await;
    let p = OpenAiEmbeddings::new(openai_config(&m), deps());
    let phrases = [
        "descale espresso machine",
        "repot a houseplant",
        "trail shoes",
    ];
    let out = p.embed(&request(&phrases)).await;
    let resp = out.result.expect("embeddings");
    // The mock lists vectors last first; the client puts them back by `index`.
    for (v, phrase) in resp.vectors.iter().zip(phrases) {
        assert_eq!(v, &offline_vector(phrase));
    }
    let sent = m.last_request("embeddings").expect("request seen");
    assert_eq!(sent["model"], "text-embedding-3-small");
    assert_eq!(sent["input"][1], "repot a houseplant");
    // (24+3)/4 + (18+3)/4 + (11+3)/4 = 6 + 5 + 3 tokens, as the mock reports them.
    assert_eq!(resp.tokens, 14);
    assert_eq!(out.usage.tokens_in, 14);
    assert_eq!(out.usage.cost, UsdMicros(1));
    assert_eq!(out.usage.credits, Credits(1));
    assert!(out.usage.success);
    assert_eq!(m.requests("embeddings"), 1);
}

#[tokio::test]
async fn broken_answers_are_clear_errors_and_server_errors_are_retried() {
    let m = mock(MockConfig::default()).await;
    let p = OpenAiEmbeddings::new(openai_config(&m), deps());
    m.script([Step::Named("wrong-count".into())]);
    let out = p.embed(&request(&["a b", "c d"])).await;
    let e = out.result.unwrap_err();
    assert!(matches!(e, ProviderError::InvalidResponse { .. }), "{e}");
    assert!(e.to_string().contains("1 vectors for 2 inputs"), "{e}");
    assert!(!out.usage.success);
    assert_eq!(out.usage.credits, Credits::ZERO);

    m.script([Step::Named("mixed-dimensions".into())]);
    let e = p.embed(&request(&["a b", "c d"])).await.result.unwrap_err();
    assert!(e.to_string().contains("different dimensions"), "{e}");

    m.script([Step::Status(500)]);
    let out = p.embed(&request(&["a b"])).await;
    assert!(out.result.is_ok());
    assert_eq!(out.usage.attempts, 2);
}
