//! `values.schema.json` validation (`pkg/chart/common/util/jsonschema.go`).
//!
//! Every chart with a schema validates its own slice of the coalesced values: the root chart the whole tree, a
//! subchart the table under its name (including the `global` table coalescing copies into it). Without `$schema`
//! the draft is 2020-12. Format assertions follow the draft (on for draft 4/6/7, off for 2019-09 and 2020-12), as
//! in the validator Helm uses. External references are not fetched.
//!
//! Messages imitate Helm's validator (`- at '/ports/web': additional properties 'redirections' not allowed`), one
//! line per failed keyword, grouped per chart.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use kiln_yaml::{Map, Value};

use crate::chart::Chart;
use crate::gofmt::format_float64_g;

/// Convert values to `serde_json` for the validator.
fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Uint(u) => serde_json::Value::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// Go's `%q` with the validator's tweaks: single quotes, `"` unescaped, `'` escaped.
fn quote(s: &str) -> String {
    let q = kiln_helm_values::go_quote(s);
    let inner = q.get(1..q.len().saturating_sub(1)).unwrap_or("");
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn join_quoted<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(quote).collect::<Vec<_>>().join(", ")
}

/// `%v` of a JSON value as the validator prints primitives.
fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => quote(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => "value".into(),
        serde_json::Value::Null => "<nil>".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => number(n),
    }
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        format_float64_g(n.as_f64().unwrap_or(0.0))
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn message(kind: &ValidationErrorKind, instance: &serde_json::Value) -> String {
    use ValidationErrorKind as K;
    let len = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.chars().count(),
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o.len(),
        _ => 0,
    };
    match kind {
        K::AdditionalItems { limit } => {
            format!("last {} additionalItem(s) not allowed", len(instance).saturating_sub(*limit))
        }
        K::AdditionalProperties { unexpected } => {
            format!("additional properties {} not allowed", join_quoted(unexpected.iter().map(String::as_str)))
        }
        K::AnyOf { .. } => "anyOf failed".into(),
        K::Constant { expected_value } => match &**expected_value {
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => "const failed".into(),
            v => format!("value must be {}", display(v)),
        },
        K::Contains => "no items match contains schema".into(),
        K::Enum { options } => match &**options {
            serde_json::Value::Array(opts) if opts.iter().all(|o| !o.is_array() && !o.is_object()) => {
                if opts.len() == 1 {
                    format!("value must be {}", opts.first().map(display).unwrap_or_default())
                } else {
                    format!("value must be one of {}", opts.iter().map(display).collect::<Vec<_>>().join(", "))
                }
            }
            _ => "enum failed".into(),
        },
        K::ExclusiveMaximum { limit } => {
            format!("exclusiveMaximum: got {}, want {}", display(instance), display(limit))
        }
        K::ExclusiveMinimum { limit } => {
            format!("exclusiveMinimum: got {}, want {}", display(instance), display(limit))
        }
        K::FalseSchema => "false schema".into(),
        K::Format { format } => format!("{} is not valid {format}", display(instance)),
        K::MaxItems { limit } => format!("maxItems: got {}, want {limit}", len(instance)),
        K::Maximum { limit } => format!("maximum: got {}, want {}", display(instance), display(limit)),
        K::MaxLength { limit } => format!("maxLength: got {}, want {limit}", len(instance)),
        K::MaxProperties { limit } => format!("maxProperties: got {}, want {limit}", len(instance)),
        K::MinItems { limit } => format!("minItems: got {}, want {limit}", len(instance)),
        K::Minimum { limit } => format!("minimum: got {}, want {}", display(instance), display(limit)),
        K::MinLength { limit } => format!("minLength: got {}, want {limit}", len(instance)),
        K::MinProperties { limit } => format!("minProperties: got {}, want {limit}", len(instance)),
        K::Not { .. } => "not failed".into(),
        K::OneOfMultipleValid { .. } => "oneOf failed, multiple subschemas matched".into(),
        K::OneOfNotValid { .. } => "oneOf failed, none matched".into(),
        K::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            instance.as_str().map(quote).unwrap_or_else(|| display(instance)),
            quote(pattern)
        ),
        K::PropertyNames { .. } => "invalid propertyName".into(),
        K::Required { property } => {
            format!("missing property {}", property.as_str().map(quote).unwrap_or_else(|| display(property)))
        }
        K::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
            };
            format!("got {}, want {want}", json_type(instance))
        }
        K::UnevaluatedItems { unexpected } => {
            format!("unevaluated items {} not allowed", join_quoted(unexpected.iter().map(String::as_str)))
        }
        K::UnevaluatedProperties { unexpected } => {
            format!("unevaluated properties {} not allowed", join_quoted(unexpected.iter().map(String::as_str)))
        }
        K::UniqueItems => "items are not unique".into(),
        other => format!("{other:?}"),
    }
}

/// Validate `values` against one schema document. `Err` holds the lines to print under the chart's name.
pub fn validate_single(values: &Map, schema: &[u8]) -> Result<(), String> {
    let schema: serde_json::Value = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    let validator = jsonschema::options().build(&schema).map_err(|e| format!("jsonschema: {e}"))?;
    let instance = serde_json::Value::Object(values.iter().map(|(k, v)| (k.clone(), to_json(v))).collect());
    let mut lines: Vec<(String, String)> = Vec::new();
    for e in validator.iter_errors(&instance) {
        let path = e.instance_path().to_string();
        let msg = message(e.kind(), e.instance());
        // The validator Helm uses reports all missing required properties in one line.
        if let (ValidationErrorKind::Required { property }, Some((last_path, last_msg))) = (e.kind(), lines.last_mut())
            && *last_path == path
            && (last_msg.starts_with("missing property ") || last_msg.starts_with("missing properties "))
        {
            let names =
                last_msg.trim_start_matches("missing property ").trim_start_matches("missing properties ").to_owned();
            let add = property.as_str().map(quote).unwrap_or_else(|| display(property));
            *last_msg = format!("missing properties {names}, {add}");
            continue;
        }
        lines.push((path, msg));
    }
    if lines.is_empty() {
        return Ok(());
    }
    let body: Vec<String> = lines.iter().map(|(p, m)| format!("- at {}: {m}", quote(p))).collect();
    Err(format!("{}\n", body.join("\n")))
}

/// `ValidateAgainstSchema`: the chart's schema, then each subchart's against its table. Returns the combined
/// report (empty when valid).
pub fn validate(chart: &Chart, values: &Map) -> String {
    let mut sb = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single(values, schema)
    {
        sb.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Null) => {}
            Some(Value::Map(m)) => sb.push_str(&validate(sub, m)),
            Some(other) => sb.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                crate::gofmt::go_type_name(other)
            )),
        }
    }
    sb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_like_helm() {
        let schema = br#"{"type":"object","properties":{"a":{"type":"integer"},"p":{"type":"string","pattern":"^a+$"},
            "e":{"enum":["x","y"]}},"additionalProperties":false,"required":["q","r"]}"#;
        let mut values = Map::new();
        values.insert("a".into(), Value::Float(1.0));
        values.insert("b".into(), Value::Int(2));
        values.insert("p".into(), Value::String("b".into()));
        values.insert("e".into(), Value::String("z".into()));
        let report = validate_single(&values, schema).unwrap_err();
        assert!(report.contains("- at '': additional properties 'b' not allowed"), "{report}");
        assert!(report.contains("- at '': missing properties 'q', 'r'"), "{report}");
        assert!(report.contains("- at '/p': 'b' does not match pattern '^a+$'"), "{report}");
        assert!(report.contains("- at '/e': value must be one of 'x', 'y'"), "{report}");
        assert!(!report.contains("/a"), "1.0 is an integer: {report}");
    }
}
