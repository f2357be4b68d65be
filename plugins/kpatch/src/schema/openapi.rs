//! Generate a [`SchemaTable`] from Kubernetes OpenAPI documents.
//!
//! Accepts OpenAPI v3 documents as a Kubernetes API server serves them under `/openapi/v3/<group-version>`
//! (schemas in `components.schemas`) and OpenAPI v2 (`/openapi/v2`, schemas in `definitions`). Kinds come from
//! `x-kubernetes-group-version-kind`; scopes from the paths (a kind served under a `{namespace}` path is
//! namespaced).
//!
//! The table keeps only merge-relevant structure: lists whose `x-kubernetes-patch-strategy` includes `merge`,
//! objects that lead to such lists, and fields whose schema is an arbitrary object (see [`Shape::Unknown`]).

use super::{KindEntry, ListMeta, ObjectType, SchemaTable, Scope, Shape};
use kiln_yaml::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Why a document could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The document has neither `components.schemas` nor `definitions`.
    #[error("{0}: not an OpenAPI v2 or v3 document (no components.schemas or definitions)")]
    NotOpenApi(String),
}

#[derive(Debug, Clone)]
enum Raw {
    Unknown,
    Opaque,
    Named(String),
    List(ListMeta, Box<Raw>),
    Map(Box<Raw>),
}

#[derive(Debug, Clone, Default)]
struct RawType {
    fields: Vec<(String, Raw)>,
    additional: Option<Raw>,
}

#[derive(Debug, Clone)]
enum Class {
    Object(RawType),
    Unknown,
    Opaque,
}

/// Build a table from `(label, document)` pairs. Labels are recorded as the table's sources.
pub fn generate(docs: &[(String, Value)]) -> Result<SchemaTable, GenerateError> {
    let mut schemas: BTreeMap<String, Value> = BTreeMap::new();
    let mut scopes: HashMap<(String, String), bool> = HashMap::new();
    let mut gvk_types: BTreeMap<(String, String), String> = BTreeMap::new();
    for (label, doc) in docs {
        let defs = doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .or_else(|| doc.get("definitions"))
            .and_then(Value::as_map)
            .ok_or_else(|| GenerateError::NotOpenApi(label.clone()))?;
        for (name, s) in defs {
            schemas.entry(name.clone()).or_insert_with(|| s.clone());
            for (av, kind) in gvks(s) {
                gvk_types.entry((av, kind)).or_insert_with(|| name.clone());
            }
        }
        if let Some(paths) = doc.get("paths").and_then(Value::as_map) {
            for (path, item) in paths {
                let namespaced = path.contains("{namespace}");
                let Some(item) = item.as_map() else { continue };
                for op in item.values() {
                    for gvk in op.get("x-kubernetes-group-version-kind").into_iter().flat_map(gvk_list) {
                        let e = scopes.entry(gvk).or_insert(false);
                        *e |= namespaced;
                    }
                }
            }
        }
    }

    // Classify every named schema, synthesising names for inline objects.
    let mut classes: BTreeMap<String, Class> = BTreeMap::new();
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        if let Some(s) = schemas.get(&name) {
            let c = classify(&name, s, &mut classes);
            classes.insert(name, c);
        }
    }

    // Relevance fixpoint.
    let mut relevant: BTreeSet<String> = BTreeSet::new();
    loop {
        let mut changed = false;
        for (name, c) in &classes {
            if relevant.contains(name) {
                continue;
            }
            if let Class::Object(t) = c {
                let rel = t.fields.iter().any(|(_, s)| is_relevant(s, &classes, &relevant))
                    || t.additional.as_ref().is_some_and(|s| is_relevant(s, &classes, &relevant));
                if rel {
                    relevant.insert(name.clone());
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }

    let index: HashMap<String, u32> =
        relevant.iter().enumerate().filter_map(|(i, n)| u32::try_from(i).ok().map(|i| (n.clone(), i))).collect();
    let mut table = SchemaTable::default();
    for name in &relevant {
        let Some(Class::Object(t)) = classes.get(name) else { continue };
        let mut fields: Vec<(String, Shape)> = t
            .fields
            .iter()
            .filter(|(_, s)| is_relevant(s, &classes, &relevant))
            .map(|(f, s)| (f.clone(), finish(s, &classes, &relevant, &index)))
            .collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let additional = t
            .additional
            .as_ref()
            .filter(|s| is_relevant(s, &classes, &relevant))
            .map(|s| finish(s, &classes, &relevant, &index));
        table.types.push(ObjectType { name: name.clone(), fields, additional });
    }
    for ((api_version, kind), type_name) in gvk_types {
        let scope = match scopes.get(&(api_version.clone(), kind.clone())) {
            Some(true) => Scope::Namespaced,
            Some(false) => Scope::Cluster,
            None => Scope::Unknown,
        };
        let root = finish(&Raw::Named(type_name), &classes, &relevant, &index);
        // Kinds no path serves (WatchEvent, DeleteOptions, ...) are not objects anyone patches.
        if scope == Scope::Unknown {
            continue;
        }
        table.kinds.push(KindEntry { api_version, kind, root, scope });
    }
    table.sources = docs.iter().map(|(l, _)| l.clone()).collect();
    table.reindex();
    Ok(table)
}

fn gvk_list(v: &Value) -> Vec<(String, String)> {
    let one = |m: &Value| -> Option<(String, String)> {
        let version = m.get("version")?.as_str()?;
        let kind = m.get("kind")?.as_str()?;
        let group = m.get("group").and_then(Value::as_str).unwrap_or("");
        let av = if group.is_empty() { version.to_owned() } else { format!("{group}/{version}") };
        Some((av, kind.to_owned()))
    };
    match v {
        Value::Seq(items) => items.iter().filter_map(one).collect(),
        Value::Map(_) => one(v).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn gvks(schema: &Value) -> Vec<(String, String)> {
    schema.get("x-kubernetes-group-version-kind").map(gvk_list).unwrap_or_default()
}

fn ref_name(s: &Value) -> Option<String> {
    let r = s
        .get("$ref")
        .or_else(|| s.get("allOf").and_then(Value::as_seq).and_then(|a| a.iter().find_map(|x| x.get("$ref"))))?
        .as_str()?;
    Some(r.rsplit('/').next().unwrap_or(r).to_owned())
}

fn str_ext(s: &Value, key: &str) -> Option<String> {
    s.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn classify(name: &str, s: &Value, classes: &mut BTreeMap<String, Class>) -> Class {
    let props = s.get("properties").and_then(Value::as_map);
    let additional = s.get("additionalProperties").filter(|a| a.as_map().is_some());
    if props.is_some_and(|p| !p.is_empty()) || additional.is_some() {
        let mut t = RawType::default();
        if let Some(p) = props {
            for (f, fs) in p {
                t.fields.push((f.clone(), shape_of(&format!("{name}.{f}"), fs, classes)));
            }
        }
        if let Some(a) = additional {
            t.additional = Some(shape_of(&format!("{name}.*"), a, classes));
        }
        return Class::Object(t);
    }
    let ty = s.get("type").and_then(Value::as_str);
    let is_object = ty == Some("object")
        || (ty.is_none()
            && s.get("format").is_none()
            && ref_name(s).is_none()
            && s.get("items").is_none()
            && s.get("oneOf").is_none()
            && s.get("anyOf").is_none());
    if is_object { Class::Unknown } else { Class::Opaque }
}

fn shape_of(path: &str, s: &Value, classes: &mut BTreeMap<String, Class>) -> Raw {
    if let Some(r) = ref_name(s) {
        return Raw::Named(r);
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => {
            let meta = ListMeta {
                strategy: str_ext(s, "x-kubernetes-patch-strategy").unwrap_or_default(),
                merge_key: str_ext(s, "x-kubernetes-patch-merge-key"),
                map_keys: s
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_seq)
                    .map(|ks| ks.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                    .unwrap_or_default(),
                list_type: str_ext(s, "x-kubernetes-list-type"),
            };
            let items = match s.get("items") {
                Some(i) => shape_of(&format!("{path}[]"), i, classes),
                None => Raw::Opaque,
            };
            Raw::List(meta, Box::new(items))
        }
        Some("object") | None => {
            let props = s.get("properties").and_then(Value::as_map).is_some_and(|p| !p.is_empty());
            if props {
                let c = classify(path, s, classes);
                classes.insert(path.to_owned(), c);
                return Raw::Named(path.to_owned());
            }
            match s.get("additionalProperties").filter(|a| a.as_map().is_some()) {
                Some(a) => Raw::Map(Box::new(shape_of(&format!("{path}.*"), a, classes))),
                None if s.get("type").is_some() || s.get("x-kubernetes-preserve-unknown-fields").is_some() => {
                    Raw::Unknown
                }
                None => Raw::Opaque,
            }
        }
        Some(_) => Raw::Opaque,
    }
}

fn is_relevant(s: &Raw, classes: &BTreeMap<String, Class>, relevant: &BTreeSet<String>) -> bool {
    match s {
        Raw::Unknown => true,
        Raw::Opaque => false,
        Raw::Named(n) => relevant.contains(n) || matches!(classes.get(n), Some(Class::Unknown)),
        Raw::List(meta, _) => meta.is_merging(),
        Raw::Map(v) => is_relevant(v, classes, relevant),
    }
}

fn finish(
    s: &Raw,
    classes: &BTreeMap<String, Class>,
    relevant: &BTreeSet<String>,
    index: &HashMap<String, u32>,
) -> Shape {
    match s {
        Raw::Unknown => Shape::Unknown,
        Raw::Opaque => Shape::Opaque,
        Raw::Named(n) => match (index.get(n), classes.get(n)) {
            (Some(&i), _) => Shape::Object(i),
            (None, Some(Class::Unknown)) => Shape::Unknown,
            _ => Shape::Opaque,
        },
        Raw::List(meta, items) if meta.is_merging() => {
            Shape::List(Box::new(meta.clone()), Box::new(finish(items, classes, relevant, index)))
        }
        Raw::List(..) => Shape::Opaque,
        Raw::Map(v) if is_relevant(v, classes, relevant) => Shape::Map(Box::new(finish(v, classes, relevant, index))),
        Raw::Map(_) => Shape::Opaque,
    }
}

/// Convenience for callers holding JSON text: parse each `(label, json)` and [`generate`].
pub fn generate_from_json(docs: &[(String, String)]) -> Result<SchemaTable, String> {
    let mut parsed = Vec::with_capacity(docs.len());
    for (label, text) in docs {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{label}: {e}"))?;
        parsed.push((label.clone(), v));
    }
    generate(&parsed).map_err(|e| e.to_string())
}

/// Read OpenAPI documents from files and directories (recursively, `*.json` in path order), labelling each with
/// its path relative to the directory's parent (`k8s-1.27/api/v1.json`) or, for files, its file name.
pub fn read_inputs(paths: &[std::path::PathBuf]) -> Result<Vec<(String, String)>, String> {
    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<std::path::PathBuf> =
            std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                collect(&p, out)?;
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut docs = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files = Vec::new();
            collect(p, &mut files).map_err(|e| format!("{}: {e}", p.display()))?;
            let base = p.parent().unwrap_or(std::path::Path::new(""));
            for f in files {
                let label = f.strip_prefix(base).unwrap_or(&f).to_string_lossy().replace('\\', "/");
                docs.push((label, std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?));
            }
        } else {
            let label = p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
            docs.push((label, std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?));
        }
    }
    Ok(docs)
}
