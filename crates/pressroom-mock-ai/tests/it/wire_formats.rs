//! The mock speaks the wire formats whole: any `json_schema` request gets an instance of the
//! schema it sent, a scripted `out-of-bounds` answer breaks exactly one bound, and Runware's
//! authentication task and `dataURI` output work as the real API documents them.

use crate::support::mock;
use base64::Engine;
use pressroom_domain::AiFunction;
use pressroom_domain::ai::output_schema;
use pressroom_domain::ai::schema::violations;
use pressroom_mock_ai::{MockConfig, MockHandle, Step};
use serde_json::{Value, json};

async fn chat_with_schema(m: &MockHandle, name: &str, schema: &Value) -> Value {
    let body = json!({
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Answer, please."}],
        "response_format": {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": true}},
    });
    let r = reqwest::Client::new()
        .post(format!("{}/chat/completions", m.v1()))
        .bearer_auth("sk-test")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{name}: {}", r.status());
    let reply: Value = r.json().await.unwrap();
    let content = reply["choices"][0]["message"]["content"].as_str().unwrap();
    serde_json::from_str(content).unwrap_or_else(|e| panic!("{name}: {content}: {e}"))
}

#[tokio::test]
async fn every_json_schema_request_gets_an_instance_of_its_schema() {
    let m = mock(MockConfig::default()).await;
    let schemas = [
        (
            "weather",
            json!({"type": "object", "additionalProperties": false, "required": ["city", "celsius", "tags"],
            "properties": {
                "city": {"type": "string", "minLength": 2, "maxLength": 40},
                "celsius": {"type": "integer", "minimum": -60, "maximum": -10},
                "tags": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "string", "enum": ["wet", "dry"]}}
            }}),
        ),
        (
            "nested",
            json!({"type": "object", "additionalProperties": false, "required": ["rows"],
            "properties": {"rows": {"type": "array", "minItems": 4, "maxItems": 4, "items": {
                "type": "object", "additionalProperties": false, "required": ["id", "score", "note"],
                "properties": {
                    "id": {"type": "integer", "minimum": 10},
                    "score": {"type": "number", "minimum": 0.5, "maximum": 0.75},
                    "note": {"type": ["string", "null"], "maxLength": 3}
                }}}}}),
        ),
        // Pressroom's own names, but tighter bounds than the offline generator writes to:
        // the answer follows the schema that was sent.
        (
            "pressroom_ideas",
            json!({"type": "object", "additionalProperties": false, "required": ["ideas"],
                "properties": {"ideas": {"type": "array", "maxItems": 1, "items": {"type": "object",
                    "required": ["title"], "properties": {"title": {"type": "string", "maxLength": 5}}}}}}),
        ),
    ];
    for (name, schema) in &schemas {
        let v = chat_with_schema(&m, name, schema).await;
        assert!(
            violations(schema, &v).is_empty(),
            "{name}: {v} breaks {schema}: {:?}",
            violations(schema, &v)
        );
    }
    // The domain's schemas, under their names (offline content) and under others (generated).
    for f in AiFunction::ALL {
        let Some(schema) = output_schema(*f) else {
            continue;
        };
        for name in [f.schema_name().unwrap(), "some_other_name"] {
            let v = chat_with_schema(&m, name, &schema).await;
            assert!(
                violations(&schema, &v).is_empty(),
                "{name}: {:?}",
                violations(&schema, &v)
            );
        }
    }
}

#[tokio::test]
async fn a_scripted_out_of_bounds_answer_breaks_one_bound() {
    let m = mock(MockConfig::default()).await;
    let schema = output_schema(AiFunction::GenerateIdeas).unwrap();
    m.script([Step::Named("out_of_bounds:target_words".into())]);
    let v = chat_with_schema(&m, "pressroom_ideas", &schema).await;
    let problems = violations(&schema, &v);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "ideas[0].target_words");
    assert_eq!(v["ideas"][0]["target_words"], 2_000_000_000_000_000i64);

    m.script([Step::Named("out-of-bounds".into())]);
    let v = chat_with_schema(
        &m,
        "weather",
        &json!({"type": "object", "required": ["n"],
        "properties": {"n": {"type": "integer", "maximum": 3}}}),
    )
    .await;
    assert_eq!(v["n"], 2_000_000_000_000_000i64);

    // The script is used up: the next answer is valid again.
    let v = chat_with_schema(&m, "pressroom_ideas", &schema).await;
    assert!(violations(&schema, &v).is_empty());
}

fn inference(output_type: &str) -> Value {
    json!({
        "taskType": "imageInference",
        "taskUUID": "39d7207a-87ef-4c93-8082-1431f9c1dc97",
        "positivePrompt": "a lighthouse at dusk",
        "width": 512, "height": 512,
        "model": "runware:100@1",
        "numberResults": 1,
        "outputType": output_type,
    })
}

async fn runware(m: &MockHandle, tasks: Value, bearer: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(m.v1()).json(&tasks);
    if let Some(k) = bearer {
        req = req.bearer_auth(k);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn runware_takes_the_key_as_an_authentication_task() {
    let m = mock(MockConfig::default()).await;
    let auth = |key: &str| json!({"taskType": "authentication", "apiKey": key});

    let (status, body) = runware(&m, json!([auth("rw-key"), inference("URL")]), None).await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{body}");
    assert_eq!(data[0]["taskType"], "authentication");
    assert_eq!(data[0]["connectionSessionUUID"].as_str().unwrap().len(), 36);
    assert_eq!(data[1]["taskType"], "imageInference");
    assert!(data[1]["imageURL"].as_str().unwrap().ends_with(".png"));

    for bad in [
        auth(""),
        auth("invalid"),
        json!({"taskType": "authentication"}),
    ] {
        let (status, body) = runware(&m, json!([bad, inference("URL")]), None).await;
        assert_eq!(status, 401, "{body}");
        assert!(body["errors"][0]["message"].is_string());
    }
    // Neither header nor task: refused.
    let (status, _) = runware(&m, json!([inference("URL")]), None).await;
    assert_eq!(status, 401);
    // The header alone still works.
    let (status, body) = runware(&m, json!([inference("URL")]), Some("rw-key")).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn runware_answers_each_output_type() {
    let m = mock(MockConfig::default()).await;
    let (status, body) = runware(&m, json!([inference("dataURI")]), Some("rw-key")).await;
    assert_eq!(status, 200, "{body}");
    let uri = body["data"][0]["imageDataURI"].as_str().unwrap();
    let b64 = uri.strip_prefix("data:image/png;base64,").unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!((img.width(), img.height()), (512, 512));
    assert!(body["data"][0].get("imageBase64Data").is_none());

    let (_, body) = runware(&m, json!([inference("base64Data")]), Some("rw-key")).await;
    assert!(body["data"][0]["imageBase64Data"].is_string());
    let (_, body) = runware(&m, json!([inference("URL")]), Some("rw-key")).await;
    assert!(body["data"][0]["imageURL"].is_string());

    let (status, body) = runware(&m, json!([inference("WEBP")]), Some("rw-key")).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["parameter"], "outputType");
}
