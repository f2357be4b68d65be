//! Values files: Helm's `loader.LoadValues` and `loader.MergeMaps`.
//!
//! A values file may hold several YAML documents, split the way `k8s.io/apimachinery`'s `YAMLReader` splits them
//! (a line starting with `---`, followed only by spaces or a comment); each must be a mapping (or empty), and they
//! are deep-merged in order. Every number becomes a float, as Helm's YAML → JSON → `map[string]interface{}` round
//! trip makes it.

use kiln_yaml::{Map, Value};

/// Why a values document could not be loaded. The text is Helm's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub String);

/// Split a stream into documents as `YAMLReader` does: lines keep (or gain) a `\n`, a `\r` before it is dropped,
/// separator lines are removed, empty documents skipped.
pub fn split_documents(data: &[u8]) -> Result<Vec<Vec<u8>>, LoadError> {
    // The usual file: one document, `\n` line ends, no separator line: the document is the file itself.
    if !data.is_empty()
        && !data.starts_with(b"---")
        && memchr::memchr(b'\r', data).is_none()
        && memchr::memmem::find(data, b"\n---").is_none()
    {
        let mut doc = Vec::with_capacity(data.len() + 1);
        doc.extend_from_slice(data);
        if !doc.ends_with(b"\n") {
            doc.push(b'\n');
        }
        return Ok(vec![doc]);
    }
    let mut docs = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..).unwrap_or_default()),
            None => (rest, &[][..]),
        };
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(after) = line.strip_prefix(b"---") {
            let trimmed = String::from_utf8_lossy(after);
            let trimmed = trimmed.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(LoadError(format!(
                    "error reading yaml document: invalid Yaml document separator: {trimmed}"
                )));
            }
            if !buf.is_empty() {
                docs.push(std::mem::take(&mut buf));
            }
            continue;
        }
        buf.extend_from_slice(line);
        buf.push(b'\n');
    }
    if !buf.is_empty() {
        docs.push(buf);
    }
    Ok(docs)
}

/// Convert a parsed YAML document to what Go holds after `json.Unmarshal`: numbers become floats.
///
/// Fails on NaN and infinities, which `encoding/json` refuses to marshal.
pub fn json_round_trip(mut v: Value) -> Result<Value, String> {
    numbers_to_floats(&mut v)?;
    Ok(v)
}

/// [`json_round_trip`] in place: only numbers change, so no map or sequence is rebuilt.
fn numbers_to_floats(v: &mut Value) -> Result<(), String> {
    match v {
        Value::Int(i) => *v = Value::Float(*i as f64),
        Value::Uint(u) => *v = Value::Float(*u as f64),
        Value::Float(f) if !f.is_finite() => {
            return Err(format!("json: unsupported value: {}", go_special_float(*f)));
        }
        Value::Seq(s) => s.iter_mut().try_for_each(numbers_to_floats)?,
        Value::Map(m) => m.values_mut().try_for_each(numbers_to_floats)?,
        _ => {}
    }
    Ok(())
}

fn go_special_float(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// Go's name for a JSON value's kind in `cannot unmarshal X into Go value of type ...` errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Uint(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// Parse one YAML document that must be a mapping (`yaml.Unmarshal(raw, &map[string]interface{}{})`), with
/// numbers as floats. A null or empty document gives an empty map.
pub fn parse_map_document(doc: &[u8]) -> Result<Map, String> {
    let text = kiln_yaml::utf8_lossy(doc);
    let v = kiln_yaml::from_str(&text).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    let v = json_round_trip(v).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    match v {
        Value::Map(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// `loader.LoadValues`: every document of a values file, deep-merged.
pub fn load_values(data: &[u8]) -> Result<Map, LoadError> {
    let mut values = Map::new();
    for doc in split_documents(data)? {
        let current =
            parse_map_document(&doc).map_err(|e| LoadError(format!("cannot unmarshal yaml document: {e}")))?;
        merge_maps(&mut values, current);
    }
    Ok(values)
}

/// `loader.MergeMaps`: `b` wins; where both hold a map, the maps are merged recursively.
pub fn merge_maps(a: &mut Map, b: Map) {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Value::Map(am)), Value::Map(bm)) => merge_maps(am, bm),
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_yaml_reader() {
        let docs = split_documents(b"a: 1\r\n---\nb: 2\n--- # c\n---\nc: 3").unwrap();
        assert_eq!(docs, vec![b"a: 1\n".to_vec(), b"b: 2\n".to_vec(), b"c: 3\n".to_vec()]);
        // `helm template c -f v1.yaml` with "a: 1\n--- x\nb: 2\n":
        // Error: failed to parse v1.yaml: error reading yaml document: invalid Yaml document separator: x
        let e = split_documents(b"a: 1\n--- x\nb: 2\n").unwrap_err();
        assert_eq!(e.0, "error reading yaml document: invalid Yaml document separator: x");
        let e = split_documents(b"a: 1\n----\nb: 2\n").unwrap_err();
        assert_eq!(e.0, "error reading yaml document: invalid Yaml document separator: -");
    }

    /// A single-document file comes back whole, every line ending in `\n`, as the line-by-line split gives it.
    #[test]
    fn single_documents_come_back_whole() {
        for text in ["a: 1\nb: 2\n", "a: 1\nb: 2", "\n", "x", "a: |\n  ---not a separator\n", "a: 1\n  --- b\n"] {
            let want: Vec<u8> =
                text.split_inclusive('\n').flat_map(|l| l.trim_end_matches('\n').bytes().chain([b'\n'])).collect();
            assert_eq!(split_documents(text.as_bytes()).unwrap(), vec![want], "{text:?}");
        }
        assert!(split_documents(b"").unwrap().is_empty());
        // Separators and carriage returns take the line-by-line path.
        assert_eq!(split_documents(b"---\na: 1\r\n").unwrap(), vec![b"a: 1\n".to_vec()]);
    }

    #[test]
    fn merge_maps_is_deep() {
        let mut a = Map::new();
        let mut inner = Map::new();
        inner.insert("x".into(), Value::Int(1));
        inner.insert("y".into(), Value::Int(2));
        a.insert("m".into(), Value::Map(inner));
        let mut b = Map::new();
        let mut inner = Map::new();
        inner.insert("y".into(), Value::Int(3));
        b.insert("m".into(), Value::Map(inner));
        merge_maps(&mut a, b);
        let m = a.get("m").and_then(|m| m.as_map()).unwrap();
        assert_eq!(m.get("x"), Some(&Value::Int(1)));
        assert_eq!(m.get("y"), Some(&Value::Int(3)));
    }
}
