//! Small helpers over [`kiln_yaml::Value`] shared by the patch engines.

use kiln_yaml::{Map, Value};

/// The text a YAML scalar node would carry for `v`, as kustomize's kyaml compares list keys: strings as they are,
/// numbers and booleans in their canonical spelling, `null` as `null`, and the empty string for mappings and
/// sequences (kyaml's node value of a collection is empty).
pub fn node_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => float_text(*f),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// The text of a list element's key field as kyaml's `ElementValuesList` reads it: empty when the field is
/// missing, null, an empty collection or any collection.
pub fn key_text(elem: &Value, key: &str) -> String {
    match elem.get(key) {
        None | Some(Value::Null) | Some(Value::Seq(_)) | Some(Value::Map(_)) => String::new(),
        Some(v) => node_text(v),
    }
}

/// Format a float the way Go's YAML emitters and JSON encoders do for typical values.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf".to_owned() } else { "-.inf".to_owned() }
    } else {
        let s = format!("{f}");
        if s.contains('.') || s.contains('e') || s.contains("inf") { s } else { format!("{s}.0") }
    }
}

/// True for `null` and for empty mappings (kyaml's `IsMissingOrNull || IsEmptyMap`).
pub fn is_null_or_empty_map(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// JSON equality for RFC 6902 `test`: numbers compare by value whatever their representation, mappings ignore
/// key order, sequences compare element by element.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        (Value::Seq(x), Value::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_equal(v, w)),
        _ => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x.eq_num(&y),
            (None, None) => a == b,
            _ => false,
        },
    }
}

#[derive(Clone, Copy)]
enum Num {
    I(i128),
    F(f64),
}

impl Num {
    fn eq_num(&self, other: &Num) -> bool {
        match (*self, *other) {
            (Num::I(a), Num::I(b)) => a == b,
            (Num::F(a), Num::F(b)) => a == b,
            (Num::I(a), Num::F(b)) | (Num::F(b), Num::I(a)) => b.fract() == 0.0 && (a as f64) == b,
        }
    }
}

fn as_number(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::I(i128::from(*i))),
        Value::Uint(u) => Some(Num::I(i128::from(*u))),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

/// A short human description of a value's kind, in kyaml's words (`MappingNode`, `SequenceNode`, `ScalarNode`).
pub fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

/// Compact JSON text of a value, for error messages (truncated to `max` characters).
pub fn short_json(v: &Value, max: usize) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "<unprintable>".to_owned());
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// The string at `metadata.<field>` (empty when missing or not a non-empty scalar).
pub fn meta_str<'v>(obj: &'v Value, field: &str) -> &'v str {
    obj.get("metadata").and_then(|m| m.get(field)).and_then(Value::as_str).unwrap_or("")
}

/// A string map at `metadata.<field>` (labels or annotations), with non-string values rendered as text.
pub fn meta_string_map(obj: &Value, field: &str) -> Vec<(String, String)> {
    match obj.get("metadata").and_then(|m| m.get(field)) {
        Some(Value::Map(m)) => m
            .iter()
            .filter(|(_, v)| !matches!(v, Value::Null | Value::Map(_) | Value::Seq(_)))
            .map(|(k, v)| (k.clone(), node_text(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Get or create the mapping at `key` in `map`; a non-mapping value there is replaced by an empty mapping.
/// (Always `Some`; an `Option` keeps the borrow checker happy without a panic path.)
pub fn map_entry<'m>(map: &'m mut Map, key: &str) -> Option<&'m mut Map> {
    let slot = map.entry(key.to_owned()).or_insert_with(|| Value::Map(Map::new()));
    if !matches!(slot, Value::Map(_)) {
        *slot = Value::Map(Map::new());
    }
    slot.as_map_mut()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_equal(&Value::Int(1), &Value::Float(1.0)));
        assert!(!json_equal(&Value::Int(1), &Value::Float(1.5)));
        assert!(!json_equal(&Value::Int(1), &Value::String("1".into())));
    }

    #[test]
    fn texts() {
        assert_eq!(node_text(&Value::Int(80)), "80");
        assert_eq!(node_text(&Value::Float(1.5)), "1.5");
        assert_eq!(key_text(&Value::Map(Map::new()), "name"), "");
    }
}
