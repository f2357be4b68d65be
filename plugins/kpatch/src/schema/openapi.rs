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
    let c = collect(docs)?;
    let classes = classify_all(&c.schemas);
    let r = Resolver { classes: &classes, external: None, missing: Missing::Opaque };
    let mut table = assemble(&c, &r, SchemaTable::default(), false);
    table.sources = docs.iter().map(|(l, _)| l.clone()).collect();
    table.reindex();
    Ok(table)
}

/// How a custom schema (kustomize's `openapi: path:`) combines with the built-in one.
///
/// kustomize keeps one process-wide map of definitions by name and of schemas by kind; a custom schema is added
/// to whatever that map already holds, and the built-in schema may be parsed before the custom one, after it,
/// or not at all, depending on what the build touched first. Where names collide, the one parsed last wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layering {
    /// The custom schema alone: built-in kinds have no schema, and references it does not define resolve to
    /// nothing (an unknown schema).
    Alone,
    /// Both, the built-in definitions parsed last: they win where names or kinds collide.
    BuiltinWins,
    /// Both, the custom definitions parsed last: they win where names or kinds collide, also inside built-in
    /// kinds that refer to a redefined name.
    CustomWins,
}

/// Build the table kustomize would use with the custom OpenAPI document `doc` (v2 `definitions` or v3
/// `components.schemas`, JSON or YAML) layered over `builtin` as `layering` says. Kinds the document names
/// without serving them under a path are kept (custom schemas rarely list paths), with an unknown scope.
pub fn custom(
    label: &str,
    doc: &Value,
    builtin: &SchemaTable,
    layering: Layering,
) -> Result<SchemaTable, GenerateError> {
    let docs = [(label.to_owned(), doc.clone())];
    // kustomize accepts any object here: one without definitions defines nothing.
    let c = match collect(&docs) {
        Err(GenerateError::NotOpenApi(_)) if doc.as_map().is_some() && doc.get("definitions").is_none() => {
            Collected { schemas: BTreeMap::new(), scopes: HashMap::new(), gvk_types: BTreeMap::new() }
        }
        other => other?,
    };
    let classes = classify_all(&c.schemas);
    let (base, external, missing) = match layering {
        Layering::Alone => (SchemaTable::default(), None, Missing::Unknown),
        l => (builtin.clone(), Some((builtin, l)), Missing::Opaque),
    };
    let r = Resolver { classes: &classes, external, missing };
    let mut table = assemble(&c, &r, base, true);
    let mut sources = vec![label.to_owned()];
    if layering != Layering::Alone {
        sources.extend(builtin.sources.iter().cloned());
    }
    table.sources = sources;
    table.reindex();
    Ok(table)
}

struct Collected {
    schemas: BTreeMap<String, Value>,
    scopes: HashMap<(String, String), bool>,
    gvk_types: BTreeMap<(String, String), String>,
}

fn collect(docs: &[(String, Value)]) -> Result<Collected, GenerateError> {
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
    Ok(Collected { schemas, scopes, gvk_types })
}

/// Classify every named schema, synthesising names for inline objects.
fn classify_all(schemas: &BTreeMap<String, Value>) -> BTreeMap<String, Class> {
    let mut classes: BTreeMap<String, Class> = BTreeMap::new();
    for (name, s) in schemas {
        let c = classify(name, s, &mut classes);
        classes.insert(name.clone(), c);
    }
    classes
}

/// What a reference that resolves nowhere means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// A schema known to carry nothing merge-relevant (names the built-in table left out as irrelevant).
    Opaque,
    /// No schema (kustomize fails to resolve the reference and walks on without one).
    Unknown,
}

/// Where a referenced name resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A definition of the document(s) being converted.
    Local,
    /// An object type of the external (built-in) table, at this index.
    External(u32),
    /// Nowhere.
    Missing,
}

struct Resolver<'a> {
    classes: &'a BTreeMap<String, Class>,
    external: Option<(&'a SchemaTable, Layering)>,
    missing: Missing,
}

impl Resolver<'_> {
    fn target(&self, name: &str) -> Target {
        let local = self.classes.contains_key(name);
        let ext = self.external.and_then(|(t, l)| t.type_index(name).map(|i| (i, l)));
        match (local, ext) {
            (_, Some((i, Layering::BuiltinWins))) | (false, Some((i, _))) => Target::External(i),
            (true, _) => Target::Local,
            (false, None) => Target::Missing,
        }
    }
}

/// Add the relevant local types and the kinds of `c` to `base` (empty, or the built-in table to layer over).
fn assemble(c: &Collected, r: &Resolver<'_>, mut table: SchemaTable, keep_unscoped: bool) -> SchemaTable {
    let classes = r.classes;
    // Relevance fixpoint over the local definitions references resolve to.
    let mut relevant: BTreeSet<String> = BTreeSet::new();
    loop {
        let mut changed = false;
        for (name, cl) in classes {
            if relevant.contains(name) || r.target(name) != Target::Local {
                continue;
            }
            if let Class::Object(t) = cl {
                let rel = t.fields.iter().any(|(_, s)| is_relevant(s, r, &relevant))
                    || t.additional.as_ref().is_some_and(|s| is_relevant(s, r, &relevant));
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

    // Slots: a local type that redefines a built-in one (custom wins) takes the built-in type's slot, so built-in
    // kinds referring to it see the redefinition; the others are appended.
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut next = table.types.len();
    for name in &relevant {
        let slot = match r.external {
            Some((ext, Layering::CustomWins)) => ext.type_index(name),
            _ => None,
        };
        let slot = match slot {
            Some(s) => Some(s),
            None => {
                let s = u32::try_from(next).ok();
                next += 1;
                s
            }
        };
        if let Some(s) = slot {
            index.insert(name.clone(), s);
        }
    }
    let mut appended: Vec<(u32, ObjectType)> = Vec::new();
    for name in &relevant {
        let (Some(Class::Object(t)), Some(&slot)) = (classes.get(name), index.get(name)) else { continue };
        let mut fields: Vec<(String, Shape)> = t
            .fields
            .iter()
            .filter(|(_, s)| is_relevant(s, r, &relevant))
            .map(|(f, s)| (f.clone(), finish(s, r, &relevant, &index)))
            .collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let additional =
            t.additional.as_ref().filter(|s| is_relevant(s, r, &relevant)).map(|s| finish(s, r, &relevant, &index));
        appended.push((slot, ObjectType { name: name.clone(), fields, additional }));
    }
    // A redefinition that carries nothing merge-relevant still replaces the built-in type it collides with.
    if let Some((ext, Layering::CustomWins)) = r.external {
        for (name, cl) in classes {
            let Some(slot) = ext.type_index(name).filter(|_| !relevant.contains(name)) else { continue };
            let additional = matches!(cl, Class::Unknown).then_some(Shape::Unknown);
            appended.push((slot, ObjectType { name: name.clone(), fields: Vec::new(), additional }));
        }
    }
    appended.sort_by_key(|(s, _)| *s);
    for (slot, ty) in appended {
        match usize::try_from(slot).ok().and_then(|s| table.types.get_mut(s)) {
            Some(existing) => *existing = ty,
            None => table.types.push(ty),
        }
    }

    let layering = r.external.map(|(_, l)| l);
    for ((api_version, kind), type_name) in &c.gvk_types {
        let scope = match c.scopes.get(&(api_version.clone(), kind.clone())) {
            Some(true) => Scope::Namespaced,
            Some(false) => Scope::Cluster,
            None => Scope::Unknown,
        };
        // Kinds no path serves (WatchEvent, DeleteOptions, ...) are not objects anyone patches; custom schemas
        // seldom have paths, so there every kind counts.
        if scope == Scope::Unknown && !keep_unscoped {
            continue;
        }
        // The kind's own definition is the document's even where its name collides with a built-in one.
        let root = match (index.get(type_name), classes.get(type_name)) {
            (Some(&i), _) => Shape::Object(i),
            (None, Some(Class::Unknown)) => Shape::Unknown,
            (None, Some(_)) => Shape::Opaque,
            (None, None) => finish(&Raw::Named(type_name.clone()), r, &relevant, &index),
        };
        let entry = KindEntry { api_version: api_version.clone(), kind: kind.clone(), root, scope };
        match table.kinds.iter_mut().find(|k| &k.api_version == api_version && &k.kind == kind) {
            Some(existing) if layering == Some(Layering::CustomWins) => *existing = entry,
            Some(_) => {}
            None => table.kinds.push(entry),
        }
    }
    table
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

fn is_relevant(s: &Raw, r: &Resolver<'_>, relevant: &BTreeSet<String>) -> bool {
    match s {
        Raw::Unknown => true,
        Raw::Opaque => false,
        Raw::Named(n) => match r.target(n) {
            Target::Local => relevant.contains(n) || matches!(r.classes.get(n), Some(Class::Unknown)),
            Target::External(_) => true,
            Target::Missing => r.missing == Missing::Unknown,
        },
        Raw::List(meta, _) => meta.is_merging(),
        Raw::Map(v) => is_relevant(v, r, relevant),
    }
}

fn finish(s: &Raw, r: &Resolver<'_>, relevant: &BTreeSet<String>, index: &HashMap<String, u32>) -> Shape {
    match s {
        Raw::Unknown => Shape::Unknown,
        Raw::Opaque => Shape::Opaque,
        Raw::Named(n) => match r.target(n) {
            Target::Local => match (index.get(n), r.classes.get(n)) {
                (Some(&i), _) => Shape::Object(i),
                (None, Some(Class::Unknown)) => Shape::Unknown,
                _ => Shape::Opaque,
            },
            Target::External(i) => Shape::Object(i),
            Target::Missing => match r.missing {
                Missing::Unknown => Shape::Unknown,
                Missing::Opaque => Shape::Opaque,
            },
        },
        Raw::List(meta, items) if meta.is_merging() => {
            Shape::List(Box::new(meta.clone()), Box::new(finish(items, r, relevant, index)))
        }
        Raw::List(..) => Shape::Opaque,
        Raw::Map(v) if is_relevant(v, r, relevant) => Shape::Map(Box::new(finish(v, r, relevant, index))),
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
