//! Applying a setter at every field a [`FieldSpec`] names (kustomize's `fieldspec.Filter`).
//!
//! The path is walked from the object's root. A sequence on the way is entered element by element (with or
//! without a `[]` marker); a missing field ends the walk unless the spec asks for creation, in which case
//! intermediate fields become mappings and the last one becomes what the transformer writes (a scalar or a
//! mapping). A null field met on a creating walk is turned into that kind of node, and a null field marked as a list
//! (`containers[]`) into an empty list on any walk.

use kiln_yaml::{Map, Value};

use crate::error::{Error, Result};
use crate::types::{FieldSpec, split_path};

/// What a creating walk makes of a missing last field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Never create (the transformer only updates existing fields).
    Never,
    /// A scalar (names, namespaces, replica counts).
    Scalar,
    /// A mapping (labels, annotations).
    Map,
}

/// True when the spec's GVK selects an object of `api_version`/`kind`.
pub fn matches_gvk(fs: &FieldSpec, obj: &Value) -> bool {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let (group, version) = av.split_once('/').unwrap_or(("", av));
    (fs.gvk.kind.is_empty() || fs.gvk.kind == kind)
        && (fs.gvk.group.is_empty() || fs.gvk.group == group)
        && (fs.gvk.version.is_empty() || fs.gvk.version == version)
}

/// Call `set` on every node `fs.path` reaches in `obj` (when the spec's GVK matches the object).
pub fn apply(
    obj: &mut Value,
    fs: &FieldSpec,
    create: Create,
    set: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    if !matches_gvk(fs, obj) {
        return Ok(());
    }
    let path = split_path(&fs.path, '/');
    let create = if fs.create { create } else { Create::Never };
    walk(obj, &path, create, set).map_err(|e| e.context(format_args!("considering field '{}'", fs.path)))
}

fn walk(
    node: &mut Value,
    path: &[String],
    create: Create,
    set: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return set(node);
    };
    match node {
        Value::Null => Ok(()),
        Value::Seq(items) => {
            for item in items {
                walk(item, path, create, set)?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            if name.is_empty() {
                return Err(Error::failed("cannot set or create an empty field name"));
            }
            let field = if create == Create::Never || is_seq {
                match m.get_mut(name) {
                    Some(f) => {
                        // kustomize turns a null field the path marks as a list (`name[]`) into an empty list,
                        // whether or not the spec creates anything.
                        if is_seq && f.is_null() {
                            *f = Value::Seq(Vec::new());
                        }
                        f
                    }
                    None => return Ok(()),
                }
            } else {
                let last = rest.is_empty();
                let make = || {
                    if last && create == Create::Scalar { Value::String(String::new()) } else { Value::Map(Map::new()) }
                };
                let f = m.entry(name.to_owned()).or_insert_with(make);
                if f.is_null() {
                    *f = make();
                }
                f
            };
            walk(field, rest, create, set)
        }
        _ => Err(Error::failed("expected sequence or mapping node")),
    }
}

/// A setter replacing a scalar with `value` (kyaml's `FieldSetter` with an empty name): collections are an error.
pub fn set_scalar(node: &mut Value, value: Value) -> Result<()> {
    match node {
        Value::Map(_) | Value::Seq(_) => Err(Error::failed(format!(
            "wrong node kind: expected ScalarNode but got {}",
            if matches!(node, Value::Map(_)) { "MappingNode" } else { "SequenceNode" }
        ))),
        _ => {
            *node = value;
            Ok(())
        }
    }
}

/// kustomize writes the map keys it creates (labels, annotations, generated data) as plain scalars, and reads its
/// output back with YAML 1.2 rules before printing: a new key that reads as a bool, number, null or timestamp
/// makes `kubectl kustomize` fail, so it is an error here too (with a message that says why).
pub fn check_created_key(key: &str) -> Result<()> {
    match kiln_yaml::plain_scalar_type_v3(key) {
        "string" => Ok(()),
        t => Err(Error::invalid(format!(
            "key {key:?}: kustomize writes new keys unquoted, and unquoted {key} reads back as a {t}, not a string \
             (kubectl kustomize fails: json: unsupported type: map[interface {{}}]interface {{}})"
        ))),
    }
}

/// A setter putting `key: value` into a mapping (a null node becomes a mapping).
pub fn set_entry(node: &mut Value, key: &str, value: Value) -> Result<()> {
    if node.is_null() {
        *node = Value::Map(Map::new());
    }
    match node {
        Value::Map(m) => {
            if !m.contains_key(key) {
                check_created_key(key)?;
            }
            m.insert(key.to_owned(), value);
            Ok(())
        }
        other => Err(Error::failed(format!("wrong node kind: expected MappingNode but got {}", other.type_name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Gvk;

    fn obj(s: &str) -> Value {
        kiln_yaml::from_str(s).unwrap()
    }

    fn fs(kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec { gvk: Gvk { kind: kind.into(), ..Gvk::default() }, path: path.into(), create }
    }

    #[test]
    fn walks_sequences_and_creates() {
        let mut o = obj(
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: a\n      - image: b\n",
        );
        let mut seen = Vec::new();
        apply(&mut o, &fs("Deployment", "spec/template/spec/containers[]/image", false), Create::Never, &mut |n| {
            seen.push(n.as_str().unwrap_or("").to_owned());
            set_scalar(n, Value::from("x"))
        })
        .unwrap();
        assert_eq!(seen, ["a", "b"]);
        apply(&mut o, &fs("", "metadata/labels", true), Create::Map, &mut |n| set_entry(n, "k", Value::from("v")))
            .unwrap();
        assert_eq!(o.pointer(&["metadata", "labels", "k"]), Some(&Value::from("v")));
        // Other kinds are not touched; missing fields are not created without `create`.
        apply(&mut o, &fs("Service", "metadata/x", true), Create::Scalar, &mut |n| set_scalar(n, Value::from("y")))
            .unwrap();
        apply(&mut o, &fs("", "spec/selector/matchLabels", false), Create::Map, &mut |_| panic!("not reached"))
            .unwrap();
        assert!(o.pointer(&["spec", "selector"]).is_none());
    }

    #[test]
    fn scalar_in_the_way_is_an_error() {
        let mut o = obj("kind: X\nspec: 3\n");
        let e = apply(&mut o, &fs("", "spec/a", true), Create::Scalar, &mut |_| Ok(())).unwrap_err();
        assert!(e.message.contains("expected sequence or mapping"), "{}", e.message);
    }

    #[test]
    fn created_keys_must_read_back_as_strings() {
        for ok in ["app", "on", "yes", "Y", "off", "1.2.3", "a:b", "example.com/x"] {
            assert!(check_created_key(ok).is_ok(), "{ok}");
        }
        for (bad, t) in [
            ("true", "bool"),
            ("1", "int"),
            ("0x1F", "int"),
            ("1e3", "float"),
            ("~", "null"),
            ("2001-12-14", "timestamp"),
        ] {
            let e = check_created_key(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("reads back as a {t}")), "{bad}: {e}");
        }
    }
}
