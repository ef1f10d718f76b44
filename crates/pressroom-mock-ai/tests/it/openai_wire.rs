//! The mock's OpenAI replies are what the real service sends: they validate against the
//! official `openai` Python package's types, and carry every field the published OpenAPI
//! document marks required.

use crate::support::{mock, prompt};
use pressroom_domain::AiFunction;
use pressroom_mock_ai::MockConfig;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

/// Raw replies: (file name, JSON).
async fn replies() -> Vec<(String, Value)> {
    let m = mock(MockConfig::default()).await;
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{}/{path}", m.v1()))
            .bearer_auth("sk-test")
            .json(&body)
            .send()
    };
    let mut out = Vec::new();
    for f in [AiFunction::AutoCluster, AiFunction::GenerateContent] {
        let (user, _) = prompt(f);
        let body = json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "Be careful."}, {"role": "user", "content": user}],
            "response_format": {"type": "json_schema", "json_schema": {
                "name": f.schema_name().unwrap(),
                "schema": pressroom_domain::ai::output_schema(f).unwrap(),
                "strict": true,
            }},
        });
        let r = post("chat/completions", body).await.unwrap();
        assert!(r.status().is_success());
        out.push((format!("chat-{}.json", f.as_str()), r.json().await.unwrap()));
    }
    for (model, size, format) in [
        ("dall-e-3", "1792x1024", Some("url")),
        ("dall-e-2", "256x256", Some("b64_json")),
        ("gpt-image-1", "1024x1024", None),
    ] {
        let mut body =
            json!({"model": model, "prompt": "A lighthouse at dusk.", "n": 1, "size": size});
        if let Some(f) = format {
            body["response_format"] = json!(f);
        }
        let r = post("images/generations", body).await.unwrap();
        assert!(r.status().is_success(), "{model}");
        out.push((format!("images-{model}.json"), r.json().await.unwrap()));
    }
    out
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

#[tokio::test]
async fn replies_validate_with_the_openai_python_package() {
    let have_openai = Command::new("python3")
        .args(["-c", "import openai"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_openai {
        assert!(
            !in_ci(),
            "CI=true but python3 with the `openai` package is missing (pip install openai)"
        );
        eprintln!(
            "SKIPPED: python3 with the `openai` package is not installed (pip install openai)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, json) in replies().await {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
        files.push(path);
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/validate_openai.py");
    let out = Command::new("python3")
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openai package rejected a mock reply:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        files.len()
    );
}

/// The top-level `required:` list of a schema in the OpenAPI YAML (a plain text scan: the
/// document's layout is regular, and this avoids a YAML dependency).
fn required_fields(yaml: &str, schema: &str) -> Vec<String> {
    let header = format!("    {schema}:\n");
    let Some(start) = yaml.find(&header) else {
        return Vec::new();
    };
    let body = &yaml[start + header.len()..];
    let mut fields = Vec::new();
    let mut in_required = false;
    for line in body.lines() {
        // The next schema starts at four spaces of indentation.
        if line.starts_with("    ") && !line.starts_with("     ") && !line.trim().is_empty() {
            break;
        }
        if line == "      required:" {
            in_required = true;
            continue;
        }
        if in_required {
            match line.strip_prefix("        - ") {
                Some(f) => fields.push(f.trim().to_string()),
                None => in_required = false,
            }
        }
    }
    fields
}

#[tokio::test]
async fn replies_carry_the_openapi_required_fields() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/openai-openapi.yaml");
    let Ok(yaml) = std::fs::read_to_string(&spec) else {
        eprintln!("SKIPPED: {} not found", spec.display());
        return;
    };
    let chat_required = required_fields(&yaml, "CreateChatCompletionResponse");
    assert!(
        chat_required.contains(&"choices".to_string()),
        "{chat_required:?}"
    );
    let images_required = required_fields(&yaml, "ImagesResponse");
    assert!(images_required.contains(&"created".to_string()));
    let message_required = required_fields(&yaml, "ChatCompletionResponseMessage");
    for (name, reply) in replies().await {
        let required = if name.starts_with("chat-") {
            &chat_required
        } else {
            &images_required
        };
        for field in required {
            assert!(reply.get(field).is_some(), "{name} lacks required {field}");
        }
        if name.starts_with("chat-") {
            let choice = &reply["choices"][0];
            for f in ["finish_reason", "index", "message", "logprobs"] {
                assert!(choice.get(f).is_some(), "{name} choice lacks {f}");
            }
            for f in &message_required {
                assert!(
                    choice["message"].get(f).is_some(),
                    "{name} message lacks {f}"
                );
            }
            for f in ["prompt_tokens", "completion_tokens", "total_tokens"] {
                assert!(reply["usage"][f].is_i64(), "{name} usage.{f}");
            }
        }
    }
}
