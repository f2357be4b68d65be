//! `toToml` and `fromToml`: TOML as Helm's library (`BurntSushi/toml` v1.6.0, which Helm 4.1.4 vendors) writes
//! and reads it.
//!
//! The encoder writes plain keys first (sorted), then tables as `[a.b]` sections, each nesting level indented by
//! two spaces, with a blank line before each top-level table; `nil` values are skipped; floats are Go's shortest
//! `%g` form with `.0` added when it has neither a point nor an exponent (`1.0`, `1.5`, `1e+06`). A value that is
//! not a table is written as a bare TOML value (`toToml 1` is `1`, `toToml (list 1 "a")` is `[1, "a"]`), an array
//! holding `nil` is refused, and an array of tables needs a key. Decoded integers are `int64`, floats `float64`.

use std::rc::Rc;

use gotmpl::{List, Map, Value};

fn bare_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quote_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_text(k: &str) -> String {
    if bare_key(k) { k.to_owned() } else { quote_string(k) }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    match v {
        Value::List(l) => !l.is_empty() && l.items().iter().all(is_table),
        _ => false,
    }
}

fn element(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Uint8(u) => u.to_string(),
        Value::Float64(f) => {
            let sign = if f.is_sign_negative() { "-" } else { "" };
            if f.is_nan() {
                format!("{sign}nan")
            } else if f.is_infinite() {
                format!("{sign}inf")
            } else {
                let s = gotmpl::strconv::format_float(*f, b'g', -1);
                if s.contains(['.', 'e']) { s } else { format!("{s}.0") }
            }
        }
        Value::String(s) => quote_string(s),
        Value::Bytes(b) => quote_string(&String::from_utf8_lossy(b)),
        Value::List(l) => {
            if l.items().iter().any(Value::is_nil) {
                return Err("toml: cannot encode array with nil element".into());
            }
            let items = l.items().iter().map(element).collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", items.join(", "))
        }
        Value::Map(m) => {
            let mut parts = Vec::new();
            for (k, v) in sorted(m) {
                if v.is_nil() {
                    continue;
                }
                parts.push(format!("{} = {}", key_text(&k), element(&v)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Nil => return Err("toml: cannot encode a nil value".into()),
        Value::Object(o) => match o.underlying() {
            Some(u) => element(&u)?,
            None => return Err(format!("toml: unsupported type: {}", o.type_name())),
        },
    })
}

fn sorted(m: &Map) -> Vec<(Rc<str>, Value)> {
    let mut v = m.to_vec();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

struct Encoder {
    out: String,
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(depth: usize) -> String {
        "  ".repeat(depth.saturating_sub(1))
    }

    fn table(&mut self, key: &[String], m: &Map) -> Result<(), String> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            let path: Vec<String> = key.iter().map(|k| key_text(k)).collect();
            self.out.push_str(&format!("{}[{}]", Self::indent(key.len()), path.join(".")));
            self.out.push('\n');
        }
        self.map_body(key, m)
    }

    fn map_body(&mut self, key: &[String], m: &Map) -> Result<(), String> {
        let entries = sorted(m);
        for (k, v) in entries.iter().filter(|(_, v)| !is_table(v) && !is_table_array(v)) {
            if v.is_nil() {
                continue;
            }
            let mut sub = key.to_vec();
            sub.push(k.to_string());
            self.out.push_str(&format!("{}{} = {}\n", Self::indent(sub.len()), key_text(k), element(v)?));
        }
        for (k, v) in entries.iter().filter(|(_, v)| is_table(v) || is_table_array(v)) {
            let mut sub = key.to_vec();
            sub.push(k.to_string());
            match v {
                Value::Map(inner) => self.table(&sub, inner)?,
                Value::List(l) => {
                    for item in l.items() {
                        if let Value::Map(inner) = item {
                            if sub.len() == 1 {
                                self.newline();
                            }
                            let path: Vec<String> = sub.iter().map(|k| key_text(k)).collect();
                            self.out.push_str(&format!("{}[[{}]]\n", Self::indent(sub.len()), path.join(".")));
                            self.map_body(&sub, inner)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// `toToml`: the TOML text, or `Err` with the encoder's message (which Helm returns as the result). The caller
/// handles `nil`, on which the encoder panics.
pub fn encode(v: &Value) -> Result<String, String> {
    const NO_KEY: &str = "toml: top-level values must be Go maps or structs";
    let m = match v {
        Value::Map(m) => m.clone(),
        Value::Object(o) => match o.underlying() {
            Some(Value::Map(m)) => m,
            Some(other) => return encode(&other),
            None => return Err(format!("toml: unsupported type: {}", o.type_name())),
        },
        // An array of tables is written under its key; at the top there is none.
        other if is_table_array(other) => return Err(NO_KEY.into()),
        // Anything else is written as a bare value, without a line break.
        other => return element(other),
    };
    let mut e = Encoder { out: String::new() };
    e.table(&[], &m)?;
    Ok(e.out)
}

fn from_toml(v: &::toml::Value) -> Value {
    match v {
        ::toml::Value::String(s) => Value::from(s.as_str()),
        ::toml::Value::Integer(i) => Value::Int64(*i),
        ::toml::Value::Float(f) => Value::Float64(*f),
        ::toml::Value::Boolean(b) => Value::Bool(*b),
        ::toml::Value::Datetime(d) => Value::from(d.to_string()),
        ::toml::Value::Array(a) => Value::List(List::new(a.iter().map(from_toml).collect())),
        ::toml::Value::Table(t) => {
            Value::Map(Map::from_entries(t.iter().map(|(k, v)| (Rc::from(k.as_str()), from_toml(v))).collect()))
        }
    }
}

/// `fromToml`: a map, or `Err` with the parser's message.
pub fn decode(s: &str) -> Result<Value, String> {
    let table: ::toml::Table = s.parse().map_err(|e: ::toml::de::Error| format!("toml: {}", e.message()))?;
    Ok(Value::Map(Map::from_entries(table.iter().map(|(k, v)| (Rc::from(k.as_str()), from_toml(v))).collect())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_burntsushi() {
        // `toToml (dict "a" 1 "b" "two" "c" (dict "d" true))` with helm v4.1.4 (funcs corpus case `totoml`).
        let v = Value::map([
            ("a", Value::Int(1)),
            ("b", Value::from("two")),
            ("c", Value::map([("d", Value::Bool(true))])),
        ]);
        assert_eq!(encode(&v).unwrap(), "a = 1\nb = \"two\"\n\n[c]\n  d = true\n");
    }

    #[test]
    fn decodes() {
        let v = decode("a = 1\n[b]\nc = 1.5\n").unwrap();
        let m = v.as_map().unwrap();
        assert!(matches!(m.get("a"), Some(Value::Int64(1))));
        assert!(decode("a = ").is_err());
    }

    /// `toToml` of values that are not tables, and of floats, as helm v4.1.4 prints them.
    #[test]
    fn encodes_values_and_floats_like_helm() {
        let l = |items: Vec<Value>| Value::List(List::new(items));
        let m = |k: &str, v: Value| Value::map([(k, v)]);
        for (v, want) in [
            (Value::Float64(0.0), Ok("0.0")),
            (Value::Float64(-0.0), Ok("-0.0")),
            (Value::Int(1), Ok("1")),
            (Value::Float64(1.5), Ok("1.5")),
            (Value::Float64(1e6), Ok("1e+06")),
            (Value::Float64(1e21), Ok("1e+21")),
            (Value::Bool(true), Ok("true")),
            (Value::from("a\"b\nc\t"), Ok("\"a\\\"b\\nc\\t\"")),
            (l(vec![Value::Int(1), Value::from("a"), Value::Float64(2.5)]), Ok("[1, \"a\", 2.5]")),
            (l(vec![l(vec![Value::Int(1)]), l(vec![Value::from("x")])]), Ok("[[1], [\"x\"]]")),
            (l(vec![]), Ok("[]")),
            (l(vec![Value::Nil]), Err("toml: cannot encode array with nil element")),
            (
                l(vec![m("a", Value::Int(1)), m("b", Value::Int(2))]),
                Err("toml: top-level values must be Go maps or structs"),
            ),
            (m("a", Value::Float64(1e6)), Ok("a = 1e+06\n")),
            (m("a", Value::Float64(0.000001)), Ok("a = 1e-06\n")),
            (m("a", Value::Float64(123456789.0)), Ok("a = 1.23456789e+08\n")),
            (m("a", Value::Float64(100000.0)), Ok("a = 100000.0\n")),
            (m("a", l(vec![Value::Int(1), Value::Nil])), Err("toml: cannot encode array with nil element")),
        ] {
            assert_eq!(encode(&v), want.map(str::to_owned).map_err(str::to_owned), "{v:?}");
        }
    }
}
