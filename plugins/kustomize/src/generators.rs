//! `configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets from literals, files and env files, and the
//! content hash kustomize appends to their names.

use base64::Engine as _;
use kiln_yaml::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Context as _, Error, Result};
use crate::fs::{Loader, base_name};
use crate::kustomization::GeneratorArgs;
use crate::resource::{Behavior, Resource};

/// Key/value pairs in source order: env files, then literals, then files.
fn load_pairs(loader: &Loader<'_>, args: &GeneratorArgs) -> Result<Vec<(String, Vec<u8>)>> {
    let mut pairs = Vec::new();
    for env in &args.envs {
        let content = loader.load(env).with_context(|| format!("env source files: [{env}]"))?;
        pairs.extend(env_pairs(content).with_context(|| format!("env source files: [{env}]"))?);
    }
    for lit in &args.literals {
        let (k, v) = parse_literal(lit)?;
        pairs.push((k, v.into_bytes()));
    }
    for src in &args.files {
        let (key, path) = parse_file_source(src)?;
        let content = loader.load(&path).with_context(|| format!("file sources: [{src}]"))?;
        pairs.push((key, content.to_vec()));
    }
    Ok(pairs)
}

/// Lines of an env file: `KEY=value` (the value verbatim), blank lines and `#` comments skipped.
pub fn env_pairs(content: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut rest = content;
    let mut first = true;
    while !rest.is_empty() {
        let (mut line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..).unwrap_or_default()),
            None => (rest, &[][..]),
        };
        rest = next;
        if let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        let Ok(mut text) = std::str::from_utf8(line) else {
            return Err(Error::invalid(format!("line {:?} has invalid utf8 bytes", String::from_utf8_lossy(line))));
        };
        if first {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
            first = false;
        }
        let text = text.trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (key, value) = text.split_once('=').unwrap_or((text, ""));
        if key.is_empty() {
            continue;
        }
        out.push((key.to_owned(), value.as_bytes().to_vec()));
    }
    Ok(out)
}

/// `key=value`, with one pair of matching surrounding quotes removed from the value.
pub fn parse_literal(source: &str) -> Result<(String, String)> {
    let bad = || Error::invalid(format!("invalid literal source {source}, expected key=value"));
    let (k, v) = source.split_once('=').ok_or_else(bad)?;
    if k.is_empty() {
        return Err(bad());
    }
    let v = match (v.chars().next(), v.chars().last()) {
        (Some(a), Some(b)) if v.len() >= 2 && a == b && (a == '"' || a == '\'') => v.get(1..v.len() - 1).unwrap_or(v),
        _ => v,
    };
    Ok((k.to_owned(), v.to_owned()))
}

/// `[key=]path`: the key defaults to the file's base name.
pub fn parse_file_source(source: &str) -> Result<(String, String)> {
    match source.matches('=').count() {
        0 => Ok((base_name(source).to_owned(), source.to_owned())),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or_default();
            if k.is_empty() {
                return Err(Error::invalid(format!("missing key name for file path {p:?} in source {source:?}")));
            }
            if p.is_empty() {
                return Err(Error::invalid(format!("missing file path for key name {k:?} in source {source:?}")));
            }
            Ok((k.to_owned(), p.to_owned()))
        }
        _ => Err(Error::invalid(format!("source {source:?} key name or file path contains '='"))),
    }
}

/// Base64 broken into lines of 70 characters, each followed by a newline, when the encoding is 70 characters or
/// longer (kyaml's `encodeBase64`).
pub fn encode_base64(data: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    let mut rest = enc.as_str();
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rest.len().min(LINE));
        out.push_str(chunk);
        out.push('\n');
        rest = tail;
    }
    out
}

fn base(kind: &str, args: &GeneratorArgs) -> Result<Map> {
    if args.name.is_empty() {
        return Err(Error::invalid(format!("a {} must have a name", kind.to_ascii_lowercase())));
    }
    let mut meta = Map::new();
    meta.insert("name".to_owned(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        meta.insert("namespace".to_owned(), Value::String(args.namespace.clone()));
    }
    let mut root = Map::new();
    root.insert("apiVersion".to_owned(), Value::from("v1"));
    root.insert("kind".to_owned(), Value::from(kind));
    root.insert("metadata".to_owned(), Value::Map(meta));
    Ok(root)
}

fn validated(pairs: Vec<(String, Vec<u8>)>, name: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut seen = std::collections::HashSet::new();
    for (k, _) in &pairs {
        if !seen.insert(k.clone()) {
            return Err(Error::invalid(format!("configmap {name} illegally repeats the key `{k}`")));
        }
    }
    for (k, _) in &pairs {
        crate::fieldspec::check_created_key(k).map_err(|e| e.context(format!("generating {name}")))?;
    }
    let mut pairs = pairs;
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

fn finish(mut root: Map, args: &GeneratorArgs, origin: &str) -> Result<Resource> {
    if let Some(o) = &args.options {
        for (k, _) in o.labels.iter().chain(&o.annotations) {
            crate::fieldspec::check_created_key(k)
                .map_err(|e| e.context(format!("generating {}: options", args.name)))?;
        }
        if let Some(Value::Map(meta)) = root.get_mut("metadata") {
            for (field, pairs) in [("labels", &o.labels), ("annotations", &o.annotations)] {
                if pairs.is_empty() {
                    continue;
                }
                let mut sorted = pairs.clone();
                sorted.sort();
                let m: Map = sorted.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
                meta.insert(field.to_owned(), Value::Map(m));
            }
        }
        if o.immutable {
            root.insert("immutable".to_owned(), Value::Bool(true));
        }
    }
    let mut r = Resource::new(Value::Map(root), origin);
    r.meta.needs_hash = !args.options.as_ref().is_some_and(|o| o.disable_name_suffix_hash);
    r.meta.behavior = Some(Behavior::parse(&args.behavior));
    Ok(r)
}

/// Generate a ConfigMap.
pub fn config_map(loader: &Loader<'_>, args: &GeneratorArgs, origin: &str) -> Result<Resource> {
    let mut root = base("ConfigMap", args)?;
    let pairs = validated(load_pairs(loader, args).context_loading()?, &args.name)?;
    let (mut data, mut binary) = (Map::new(), Map::new());
    for (k, v) in pairs {
        match String::from_utf8(v) {
            Ok(s) => {
                data.insert(k, Value::String(s));
            }
            Err(e) => {
                binary.insert(k, Value::String(encode_base64(e.as_bytes())));
            }
        }
    }
    if !data.is_empty() {
        root.insert("data".to_owned(), Value::Map(data));
    }
    if !binary.is_empty() {
        root.insert("binaryData".to_owned(), Value::Map(binary));
    }
    finish(root, args, origin)
}

/// Generate a Secret (`type` defaults to `Opaque`; every value base64-encoded).
pub fn secret(loader: &Loader<'_>, args: &GeneratorArgs, origin: &str) -> Result<Resource> {
    let mut root = base("Secret", args)?;
    let t = if args.secret_type.is_empty() { "Opaque" } else { &args.secret_type };
    root.insert("type".to_owned(), Value::from(t));
    let pairs = validated(load_pairs(loader, args).context_loading()?, &args.name)?;
    let data: Map = pairs.into_iter().map(|(k, v)| (k, Value::String(encode_base64(&v)))).collect();
    root.insert("data".to_owned(), Value::Map(data));
    finish(root, args, origin)
}

trait LoadingContext<T> {
    fn context_loading(self) -> Result<T>;
}

impl<T> LoadingContext<T> for Result<T> {
    fn context_loading(self) -> Result<T> {
        self.map_err(|e| e.context("loading KV pairs"))
    }
}

/// kustomize's content hash of a ConfigMap or Secret (other kinds hash their whole JSON): SHA-256 over a JSON
/// encoding of kind, name and data, the first ten hex digits with `0 1 3 a e` mapped to `g h k m t`.
///
/// kustomize looks the name up as a single top-level field called `metadata/name`, which objects do not have, so
/// the name it hashes is empty; kiln reproduces that lookup.
pub fn content_hash(obj: &Value) -> Result<String> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let field = |path: &[&str]| -> serde_json::Value {
        match obj.pointer(path) {
            None => serde_json::Value::String(String::new()),
            Some(Value::Map(_)) | Some(Value::Seq(_)) => to_json(obj.pointer(path).unwrap_or(&Value::Null)),
            Some(v) => serde_json::Value::String(crate::resource::scalar_text(v)),
        }
    };
    let encoded = match kind {
        "ConfigMap" => {
            let mut m = serde_json::Map::new();
            m.insert("kind".into(), "ConfigMap".into());
            m.insert("name".into(), field(&["metadata/name"]));
            m.insert("data".into(), field(&["data"]));
            if let Some(Value::Map(_)) = obj.get("binaryData") {
                m.insert("binaryData".into(), field(&["binaryData"]));
            }
            go_json(&serde_json::Value::Object(m))
        }
        "Secret" => {
            let mut m = serde_json::Map::new();
            m.insert("kind".into(), "Secret".into());
            m.insert("type".into(), field(&["type"]));
            m.insert("name".into(), field(&["metadata/name"]));
            m.insert("data".into(), field(&["data"]));
            if let Some(Value::Map(_)) = obj.get("stringData") {
                m.insert("stringData".into(), field(&["stringData"]));
            }
            go_json(&serde_json::Value::Object(m))
        }
        _ => go_json(&to_json(obj)),
    };
    let digest = Sha256::digest(encoded.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    Ok(hex
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect())
}

/// A value as JSON (numbers kept as integers or floats).
pub fn to_json(v: &Value) -> serde_json::Value {
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

/// Go's `json.Marshal` of a decoded value: object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn go_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

fn write_go_json(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(k, out);
                out.push(':');
                if let Some(x) = m.get(*k) {
                    write_go_json(x, out);
                }
            }
            out.push('}');
        }
        serde_json::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(x, out);
            }
            out.push(']');
        }
        serde_json::Value::String(s) => write_go_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// kustomize's `IAMPolicyGenerator`: for `cloud: gke`, a ServiceAccount bound to a Google service account through
/// the `iam.gke.io/gcp-service-account` annotation. `config` is decoded as kustomize decodes plugin configuration
/// (`build::plugin_config`: field names ignoring case, unknown fields dropped).
pub fn iam_policy(config: &Value) -> Result<Vec<Resource>> {
    let text = |path: &[&str]| -> Result<String> {
        let mut cur = config;
        for (i, p) in path.iter().enumerate() {
            match cur.get(p) {
                None | Some(Value::Null) => return Ok(String::new()),
                Some(Value::Map(_)) if i + 1 == path.len() => {
                    return Err(Error::invalid(format!("IAMPolicyGenerator: `{}` must be a string", path.join("."))));
                }
                Some(v @ Value::Map(_)) => cur = v,
                Some(Value::Seq(_)) => {
                    return Err(Error::invalid(format!(
                        "IAMPolicyGenerator: `{}` must be {}",
                        path[..=i].join("."),
                        if i + 1 == path.len() { "a string" } else { "a mapping" }
                    )));
                }
                Some(v) if i + 1 == path.len() => return Ok(crate::resource::scalar_text(v)),
                Some(_) => {
                    return Err(Error::invalid(format!(
                        "IAMPolicyGenerator: `{}` must be a mapping",
                        path[..=i].join(".")
                    )));
                }
            }
        }
        Ok(String::new())
    };
    let cloud = text(&["cloud"])?;
    if cloud != "gke" {
        return Err(Error::invalid(format!("cloud provider {cloud} not supported yet")));
    }
    // The same document kustomize fills in and parses (values are not quoted there either).
    let mut doc = format!(
        "\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    iam.gke.io/gcp-service-account: {}@{}.iam.gserviceaccount.com\n  name: {}\n",
        text(&["serviceAccount", "name"])?,
        text(&["serviceAccount", "projectId"])?,
        text(&["kubernetesService", "name"])?,
    );
    let namespace = text(&["kubernetesService", "namespace"])?;
    if !namespace.is_empty() {
        doc.push_str(&format!("\n  namespace: {namespace}"));
    }
    crate::build::parse_resources(doc.as_bytes(), "IAMPolicyGenerator")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_files() {
        assert_eq!(parse_literal("a=\"x y\"").unwrap(), ("a".into(), "x y".into()));
        assert_eq!(parse_literal("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_literal("=x").is_err() && parse_literal("x").is_err());
        assert_eq!(parse_file_source("dir/app.conf").unwrap(), ("app.conf".into(), "dir/app.conf".into()));
        assert_eq!(parse_file_source("k=dir/a").unwrap(), ("k".into(), "dir/a".into()));
        assert!(parse_file_source("a=b=c").is_err());
    }

    #[test]
    fn env_files() {
        let p = env_pairs(b"\xef\xbb\xbfA=1\r\n# c\n\n  B=x=y\nC\n").unwrap();
        let keys: Vec<_> = p.iter().map(|(k, v)| (k.as_str(), String::from_utf8_lossy(v).into_owned())).collect();
        assert_eq!(keys, [("A", "1".to_owned()), ("B", "x=y".to_owned()), ("C", String::new())]);
    }

    #[test]
    fn base64_lines() {
        assert_eq!(encode_base64(b"hello"), "aGVsbG8=");
        let long = encode_base64(&[0u8; 60]);
        assert!(long.ends_with('\n') && long.lines().all(|l| l.len() <= 70));
    }

    #[test]
    fn go_json_escapes() {
        let v: serde_json::Value = serde_json::json!({"b": "<&>", "a": 1});
        assert_eq!(go_json(&v), r#"{"a":1,"b":"\u003c\u0026\u003e"}"#);
    }
}
