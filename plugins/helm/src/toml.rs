//! `toToml` and `fromToml`: TOML as Helm's library (`BurntSushi/toml`) writes and reads it.
//!
//! The encoder writes plain keys first (sorted), then tables as `[a.b]` sections, each nesting level indented by
//! two spaces, with a blank line before each top-level table; `nil` values are skipped; floats always carry a
//! decimal point. Decoded integers are `int64`, floats `float64`.

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
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
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
            if f.is_nan() {
                "nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 { "inf".into() } else { "-inf".into() }
            } else {
                let s = gotmpl::strconv::format_float(*f, b'f', -1);
                if s.contains('.') { s } else { format!("{s}.0") }
            }
        }
        Value::String(s) => quote_string(s),
        Value::Bytes(b) => quote_string(&String::from_utf8_lossy(b)),
        Value::List(l) => {
            let items = l.items().iter().filter(|v| !v.is_nil()).map(element).collect::<Result<Vec<_>, _>>()?;
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

/// `toToml`: the TOML text, or `Err` with the encoder's message (which Helm returns as the result).
pub fn encode(v: &Value) -> Result<String, String> {
    let m = match v {
        Value::Map(m) => m.clone(),
        Value::Object(o) => match o.underlying() {
            Some(Value::Map(m)) => m,
            _ => return Err(format!("toml: top-level values must be Go maps or structs, not {}", o.type_name())),
        },
        other => {
            return Err(format!("toml: top-level values must be Go maps or structs, not {}", other.type_name()));
        }
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
}
