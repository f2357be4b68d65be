//! JSON in and out of the values tree.
//!
//! Two conventions meet here:
//!
//! * Go's `encoding/json` decodes every number into a `float64`; [`from_json_value`] does the same, for
//!   `--set-json` and for anything Helm reads through a JSON round trip.
//! * The transport format between the kiln host and the Helm renderer must keep Helm's Go types apart: a
//!   `float64` is written with a fraction or an exponent (`1000000.0`, `1e+21`), an `int64` without
//!   (`1000000`). [`to_transport_json`] and [`from_transport_json`] implement that contract.

use kiln_yaml::{Map, Value};

/// Convert a decoded JSON document as Go's `json.Unmarshal` into `interface{}` would: every number becomes a float.
pub fn from_json_value(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(a) => Value::Seq(a.into_iter().map(from_json_value).collect()),
        serde_json::Value::Object(o) => Value::Map(o.into_iter().map(|(k, v)| (k, from_json_value(v))).collect()),
    }
}

/// Errors of the transport format.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The text is not JSON.
    #[error("values are not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is not an object (or null).
    #[error("values must be a JSON object, not {0}")]
    NotAnObject(&'static str),
    /// A float cannot be represented in JSON.
    #[error("values contain a number JSON cannot represent (NaN or infinity)")]
    NonFinite,
}

/// Serialise values for the renderer: floats always carry a fraction or an exponent, integers never do.
pub fn to_transport_json(values: &Map) -> Result<String, TransportError> {
    fn check(v: &Value) -> Result<(), TransportError> {
        match v {
            Value::Float(f) if !f.is_finite() => Err(TransportError::NonFinite),
            Value::Seq(s) => s.iter().try_for_each(check),
            Value::Map(m) => m.values().try_for_each(check),
            _ => Ok(()),
        }
    }
    values.values().try_for_each(check)?;
    Ok(serde_json::to_string(values)?)
}

/// Parse values written by [`to_transport_json`] (or any JSON object; `null` and the empty string mean no values).
pub fn from_transport_json(text: &str) -> Result<Map, TransportError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text)? {
        Value::Map(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(TransportError::NotAnObject(other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_keeps_go_types() {
        let mut m = Map::new();
        m.insert("f".into(), Value::Float(1_000_000.0));
        m.insert("g".into(), Value::Float(1e21));
        m.insert("t".into(), Value::Float(1e-7));
        m.insert("i".into(), Value::Int(1_000_000));
        m.insert("n".into(), Value::Null);
        let text = to_transport_json(&m).unwrap();
        assert_eq!(text, r#"{"f":1000000.0,"g":1e+21,"t":1e-7,"i":1000000,"n":null}"#);
        let back = from_transport_json(&text).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn transport_rejects_non_objects() {
        assert!(from_transport_json("[1]").is_err());
        assert!(from_transport_json("").unwrap().is_empty());
        assert!(from_transport_json("null").unwrap().is_empty());
    }

    #[test]
    fn go_json_numbers_are_floats() {
        let v: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":[2,"x"]}"#).unwrap();
        let v = from_json_value(v);
        assert_eq!(v.get("a"), Some(&Value::Float(1.0)));
        assert_eq!(v.get("b").and_then(|b| b.as_seq()).map(|s| s[0].clone()), Some(Value::Float(2.0)));
    }
}
