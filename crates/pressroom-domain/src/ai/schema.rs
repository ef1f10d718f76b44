//! Checks a JSON value against the subset of JSON Schema that Pressroom's output schemas use
//! (`type`, `properties`, `required`, `additionalProperties`, `items`, `minItems`/`maxItems`,
//! `minLength`/`maxLength`, `enum`, `minimum`/`maximum`). The schema sent to the model is the
//! one the answer is checked against, so each bound is written once.

use serde_json::Value;
use std::fmt;

/// One way an answer breaks its schema, at a path such as `ideas[0].target_words`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `ideas[0].target_words`; `(answer)` for the top level.
    pub path: String,
    pub problem: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path, self.problem)
    }
}

/// At most this many violations are reported: enough to correct an answer, short enough to
/// send back to the model and store as an error.
pub const MAX_VIOLATIONS: usize = 10;

/// Every violation of `schema` by `value` (up to [`MAX_VIOLATIONS`]); empty when it conforms.
pub fn violations(schema: &Value, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    walk(schema, value, "", &mut out);
    out
}

fn push(out: &mut Vec<Violation>, path: &str, problem: String) {
    if out.len() < MAX_VIOLATIONS {
        let path = if path.is_empty() { "(answer)" } else { path };
        out.push(Violation {
            path: path.to_string(),
            problem,
        });
    }
}

/// The JSON Schema type name of `v`; integers are reported as `integer`.
fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(want: &str, v: &Value) -> bool {
    match want {
        "number" => v.is_number(),
        "integer" => {
            type_of(v) == "integer"
                || v.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
        }
        other => type_of(v) == other,
    }
}

fn walk(schema: &Value, v: &Value, path: &str, out: &mut Vec<Violation>) {
    if out.len() >= MAX_VIOLATIONS {
        return;
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, v)) {
        push(
            out,
            path,
            format!("must be {}, not {}", types.join(" or "), type_of(v)),
        );
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        let list: Vec<String> = allowed
            .iter()
            .map(|a| a.as_str().map(str::to_string).unwrap_or(a.to_string()))
            .collect();
        push(
            out,
            path,
            format!("is {v}, not one of: {}", list.join(", ")),
        );
    }
    match v {
        Value::Number(n) => number(schema, n, path, out),
        Value::String(s) => string(schema, s, path, out),
        Value::Array(items) => array(schema, items, path, out),
        Value::Object(map) => object(schema, map, path, out),
        _ => {}
    }
}

fn bound(schema: &Value, key: &str) -> Option<u64> {
    schema.get(key).and_then(Value::as_u64)
}

fn number(schema: &Value, n: &serde_json::Number, path: &str, out: &mut Vec<Violation>) {
    // Compared as i128 when both are whole, so 2000000000000000 against 5000 is exact.
    let as_i128 = |x: &Value| {
        x.as_i64()
            .map(i128::from)
            .or_else(|| x.as_u64().map(i128::from))
    };
    let value = Value::Number(n.clone());
    let less = |limit: &Value| match (as_i128(&value), as_i128(limit)) {
        (Some(a), Some(b)) => a < b,
        _ => n.as_f64().zip(limit.as_f64()).is_some_and(|(a, b)| a < b),
    };
    let more = |limit: &Value| match (as_i128(&value), as_i128(limit)) {
        (Some(a), Some(b)) => a > b,
        _ => n.as_f64().zip(limit.as_f64()).is_some_and(|(a, b)| a > b),
    };
    if let Some(min) = schema.get("minimum")
        && less(min)
    {
        push(out, path, format!("is {n}, below the minimum {min}"));
    }
    if let Some(max) = schema.get("maximum")
        && more(max)
    {
        push(out, path, format!("is {n}, above the maximum {max}"));
    }
}

fn string(schema: &Value, s: &str, path: &str, out: &mut Vec<Violation>) {
    let len = s.chars().count() as u64;
    if let Some(min) = bound(schema, "minLength")
        && len < min
    {
        push(
            out,
            path,
            format!("is {len} characters long, fewer than the minimum {min}"),
        );
    }
    if let Some(max) = bound(schema, "maxLength")
        && len > max
    {
        push(
            out,
            path,
            format!("is {len} characters long, more than the maximum {max}"),
        );
    }
}

fn array(schema: &Value, items: &[Value], path: &str, out: &mut Vec<Violation>) {
    let n = items.len() as u64;
    if let Some(min) = bound(schema, "minItems")
        && n < min
    {
        push(
            out,
            path,
            format!("has {n} items, fewer than the minimum {min}"),
        );
    }
    if let Some(max) = bound(schema, "maxItems")
        && n > max
    {
        push(
            out,
            path,
            format!("has {n} items, more than the maximum {max}"),
        );
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            walk(item_schema, item, &format!("{path}[{i}]"), out);
        }
    }
}

fn object(
    schema: &Value,
    map: &serde_json::Map<String, Value>,
    path: &str,
    out: &mut Vec<Violation>,
) {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(key) {
            push(out, &child(key), "is missing (it is required)".into());
        }
    }
    let props = schema.get("properties").and_then(Value::as_object);
    for (key, value) in map {
        match props.and_then(|p| p.get(key)) {
            Some(s) => walk(s, value, &child(key), out),
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    push(out, &child(key), "is not a field of this schema".into())
                }
                Some(s @ Value::Object(_)) => walk(s, value, &child(key), out),
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(schema: Value, value: Value) -> Vec<String> {
        violations(&schema, &value)
            .iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn numbers_are_checked_against_their_bounds_exactly() {
        let s = json!({"type": "integer", "minimum": 300, "maximum": 5000});
        assert!(problems(s.clone(), json!(1200)).is_empty());
        assert_eq!(
            problems(s.clone(), json!(2000000000000000u64)),
            ["`(answer)` is 2000000000000000, above the maximum 5000"]
        );
        assert_eq!(
            problems(s.clone(), json!(-1)),
            ["`(answer)` is -1, below the minimum 300"]
        );
        assert_eq!(
            problems(s, json!("12")),
            ["`(answer)` must be integer, not string"]
        );
        assert!(problems(json!({"type": "integer"}), json!(3.0)).is_empty());
        assert!(!problems(json!({"type": "integer"}), json!(3.5)).is_empty());
    }

    #[test]
    fn nested_paths_name_the_field() {
        let s = json!({
            "type": "object", "additionalProperties": false, "required": ["ideas"],
            "properties": {"ideas": {"type": "array", "maxItems": 2, "items": {
                "type": "object", "additionalProperties": false, "required": ["title", "n"],
                "properties": {"title": {"type": "string", "maxLength": 3}, "n": {"type": "integer", "maximum": 9}}
            }}}
        });
        let v = json!({"ideas": [
            {"title": "ok", "n": 1},
            {"title": "long", "n": 10, "evil": true},
            {"n": 1}
        ]});
        assert_eq!(
            problems(s, v),
            [
                "`ideas` has 3 items, more than the maximum 2",
                "`ideas[1].evil` is not a field of this schema",
                "`ideas[1].n` is 10, above the maximum 9",
                "`ideas[1].title` is 4 characters long, more than the maximum 3",
                "`ideas[2].title` is missing (it is required)",
            ]
        );
    }

    #[test]
    fn enums_and_lengths() {
        let s = json!({"type": "string", "enum": ["a", "b"], "minLength": 1});
        assert!(problems(s.clone(), json!("a")).is_empty());
        assert_eq!(
            problems(s, json!("c")),
            ["`(answer)` is \"c\", not one of: a, b"]
        );
        let s = json!({"type": "array", "minItems": 1, "items": {"type": "string"}});
        assert_eq!(
            problems(s, json!([])),
            ["`(answer)` has 0 items, fewer than the minimum 1"]
        );
    }

    #[test]
    fn reports_are_capped() {
        let s = json!({"type": "array", "items": {"type": "integer"}});
        let v = json!(vec!["x"; 50]);
        assert_eq!(violations(&s, &v).len(), MAX_VIOLATIONS);
    }
}
