//! Schema-valid answers for any `json_schema` request, and the scripted breaking of one bound.
//!
//! Covers what structured-output clients send: objects (`properties`, `required`), arrays
//! (`items`, `minItems`/`maxItems`), strings (`enum`, `const`, `minLength`/`maxLength`),
//! integers and numbers (`minimum`/`maximum`, exclusive forms), booleans, nulls, type lists
//! such as `["string", "null"]`, `anyOf`/`oneOf`, and `$ref` into `$defs`/`definitions` (as
//! the `openai` Python package's Pydantic helper writes them).

use serde_json::{Map, Value, json};

/// Depth past which references are not followed, so a recursive schema still terminates.
const MAX_DEPTH: usize = 32;

/// A value that satisfies `schema` (the smallest reasonable one).
pub fn instance(schema: &Value) -> Value {
    build(schema, schema, 0)
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..MAX_DEPTH {
        let Some(r) = s.get("$ref").and_then(Value::as_str) else {
            break;
        };
        // `#` is the root; `#/$defs/Name` and `#/definitions/Name` are JSON pointers.
        match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(target) => s = target,
            None => break,
        }
    }
    s
}

fn first_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        // Prefer a real value over null in `["string", "null"]`.
        Some(Value::Array(ts)) => {
            let names: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            names
                .iter()
                .copied()
                .find(|t| *t != "null")
                .or(names.first().copied())
        }
        _ => None,
    }
}

fn build(root: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(root, schema);
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|o| o.first())
        {
            return build(root, first, depth + 1);
        }
    }
    let kind = first_type(schema).unwrap_or(if schema.get("properties").is_some() {
        "object"
    } else if schema.get("items").is_some() {
        "array"
    } else {
        "string"
    });
    match kind {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, s) in props {
                    out.insert(k.clone(), build(root, s, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let max = schema.get("maxItems").and_then(Value::as_u64);
            let n = min.max(1).min(max.unwrap_or(u64::MAX));
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array((0..n).map(|_| build(root, &item, depth + 1)).collect())
        }
        "integer" => json!(pick_number(schema, true) as i64),
        "number" => json!(pick_number(schema, false)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(sized_text(schema)),
    }
}

/// 1, moved inside `minimum`/`maximum` (and their exclusive forms).
fn pick_number(schema: &Value, integer: bool) -> f64 {
    let get = |k: &str| schema.get(k).and_then(Value::as_f64);
    let step = if integer { 1.0 } else { 0.5 };
    let lo = get("minimum").or(get("exclusiveMinimum").map(|x| x + step));
    let hi = get("maximum").or(get("exclusiveMaximum").map(|x| x - step));
    let mut v: f64 = 1.0;
    if let Some(lo) = lo {
        v = v.max(if integer { lo.ceil() } else { lo });
    }
    if let Some(hi) = hi {
        v = v.min(if integer { hi.floor() } else { hi });
    }
    v
}

fn sized_text(schema: &Value) -> String {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut s = "A mock reply.".to_string();
    while s.chars().count() < min {
        s.push('x');
    }
    if let Some(max) = max {
        s = s.chars().take(max).collect();
    }
    s
}

/// The value a scripted `out-of-bounds` answer puts into an integer with a `maximum`: the one
/// a real small model gave for an idea's `target_words`.
pub const HUGE: i64 = 2_000_000_000_000_000;

/// Breaks one bound of `schema` in `value`: the first bounded node met (depth first, in
/// property order), or the first property named `field` that has a bound. Integers and numbers
/// go past `maximum` (to [`HUGE`] when that is past it) or below `minimum`, strings one
/// character past `maxLength`, arrays one item past `maxItems`. Returns whether it broke one.
pub fn break_bound(schema: &Value, value: &mut Value, field: Option<&str>) -> bool {
    breaker(schema, schema, value, field, None, 0)
}

fn breaker(
    root: &Value,
    schema: &Value,
    value: &mut Value,
    field: Option<&str>,
    name: Option<&str>,
    depth: usize,
) -> bool {
    let schema = resolve(root, schema);
    if depth > MAX_DEPTH {
        return false;
    }
    if field.is_none_or(|f| Some(f) == name) && break_here(root, schema, value) {
        return true;
    }
    match value {
        Value::Object(map) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return false;
            };
            for (k, s) in props {
                if let Some(v) = map.get_mut(k)
                    && breaker(root, s, v, field, Some(k), depth + 1)
                {
                    return true;
                }
            }
            false
        }
        Value::Array(items) => match (schema.get("items"), items.first_mut()) {
            (Some(s), Some(first)) => breaker(root, s, first, field, name, depth + 1),
            _ => false,
        },
        _ => false,
    }
}

fn break_here(root: &Value, schema: &Value, value: &mut Value) -> bool {
    let u = |k: &str| schema.get(k).and_then(Value::as_u64);
    match value {
        Value::Number(_) => {
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
                *value = if max < HUGE as f64 {
                    json!(HUGE)
                } else {
                    json!(max + 1.0)
                };
                true
            } else if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
                *value = json!(min - 1.0);
                true
            } else {
                false
            }
        }
        Value::String(s) => match u("maxLength") {
            Some(max) => {
                *s = "x".repeat(max as usize + 1);
                true
            }
            None => false,
        },
        Value::Array(items) => match u("maxItems") {
            Some(max) => {
                let filler = items
                    .first()
                    .cloned()
                    .unwrap_or_else(|| build(root, schema.get("items").unwrap_or(&json!({})), 0));
                items.resize(max as usize + 1, filler);
                true
            }
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pressroom_domain::ai::schema::violations;
    use pressroom_domain::ai::{AiFunction, output_schema};

    fn assert_valid(schema: &Value) -> Value {
        let v = instance(schema);
        let problems = violations(schema, &v);
        assert!(problems.is_empty(), "{v} breaks {schema}: {problems:?}");
        v
    }

    #[test]
    fn instances_of_the_domain_schemas_are_valid() {
        for f in AiFunction::ALL {
            if let Some(s) = output_schema(*f) {
                assert_valid(&s);
            }
        }
    }

    #[test]
    fn instances_respect_every_kind_of_bound() {
        let s = json!({
            "type": "object", "additionalProperties": false,
            "required": ["n", "tags", "code", "kind", "ratio", "ok", "note"],
            "properties": {
                "n": {"type": "integer", "minimum": 300, "maximum": 5000},
                "m": {"type": "integer", "maximum": -5},
                "tags": {"type": "array", "minItems": 3, "maxItems": 4, "items": {"type": "string", "maxLength": 2}},
                "none": {"type": "array", "maxItems": 0, "items": {"type": "string"}},
                "code": {"type": "string", "minLength": 20, "maxLength": 20},
                "kind": {"type": "string", "enum": ["guide", "review"]},
                "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.25},
                "ok": {"type": "boolean"},
                "note": {"type": ["string", "null"], "maxLength": 4}
            }
        });
        let v = assert_valid(&s);
        assert_eq!(v["n"], 300);
        assert_eq!(v["m"], -5);
        assert_eq!(v["tags"].as_array().unwrap().len(), 3);
        assert_eq!(v["none"], json!([]));
        assert_eq!(v["code"].as_str().unwrap().chars().count(), 20);
        assert_eq!(v["kind"], "guide");
        assert_eq!(v["ratio"], 0.25);
    }

    #[test]
    fn references_and_unions_are_followed() {
        // The shape the openai package's Pydantic helper sends.
        let s = json!({
            "$defs": {"Step": {"type": "object", "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}}, "required": ["explanation", "output"], "additionalProperties": false}},
            "type": "object",
            "properties": {
                "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
                "final": {"anyOf": [{"type": "integer", "minimum": 7}, {"type": "null"}]}
            },
            "required": ["steps", "final"], "additionalProperties": false
        });
        let v = instance(&s);
        assert!(v["steps"][0]["explanation"].is_string(), "{v}");
        assert!(v["steps"][0]["output"].is_string(), "{v}");
        assert_eq!(v["final"], 7);
        // A recursive schema still ends.
        let rec = json!({"$ref": "#"});
        let _ = instance(&rec);
    }

    #[test]
    fn a_named_field_is_pushed_out_of_bounds() {
        let s = output_schema(AiFunction::GenerateIdeas).unwrap();
        let mut v = instance(&s);
        assert!(break_bound(&s, &mut v, Some("target_words")));
        assert_eq!(v["ideas"][0]["target_words"], HUGE);
        let problems = violations(&s, &v);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, "ideas[0].target_words");

        let mut v = instance(&s);
        assert!(break_bound(&s, &mut v, None), "the first bound breaks");
        assert!(!violations(&s, &v).is_empty());

        let mut v = instance(&s);
        assert!(!break_bound(&s, &mut v, Some("no_such_field")));
    }
}
