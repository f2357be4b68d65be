//! Merge metadata for custom resources, from the `CustomResourceDefinition`s of the rendered set.
//!
//! kustomize knows nothing about custom resources: it merges their maps and replaces their lists. When the CRD
//! is part of the manifest set, kpatch reads its structural schema instead: lists with
//! `x-kubernetes-list-type: map` merge element by element on `x-kubernetes-list-map-keys`, lists with
//! `x-kubernetes-list-type: set` merge as sets of primitives, and other lists (`atomic`, the default) are
//! replaced. `metadata` keeps kustomize's behaviour for unknown types.

use super::{KindEntry, KindMap, ListMeta, ObjectType, SchemaTable, Scope, Shape};
use kiln_yaml::Value;

/// Tables for the custom resource kinds defined in a manifest set.
#[derive(Debug, Clone, Default)]
pub struct CrdIndex {
    tables: Vec<SchemaTable>,
    /// (apiVersion, kind) → index into `tables`.
    by_gvk: KindMap<usize>,
    /// (group, kind) → declared scope.
    scopes: KindMap<Scope>,
}

impl CrdIndex {
    /// Index every `apiextensions.k8s.io` `CustomResourceDefinition` among `objects`; other objects are ignored.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut idx = CrdIndex::default();
        for obj in objects {
            if obj.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
                continue;
            }
            let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            if !av.starts_with("apiextensions.k8s.io/") {
                continue;
            }
            idx.add(obj);
        }
        idx
    }

    /// True when no CRD was found.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.scopes.is_empty()
    }

    fn add(&mut self, crd: &Value) {
        let Some(spec) = crd.get("spec") else { return };
        let group = spec.get("group").and_then(Value::as_str).unwrap_or("");
        let Some(kind) = spec.get("names").and_then(|n| n.get("kind")).and_then(Value::as_str) else { return };
        let scope = match spec.get("scope").and_then(Value::as_str) {
            Some("Cluster") => Scope::Cluster,
            _ => Scope::Namespaced,
        };
        self.scopes.insert(group, kind, scope);
        let shared = spec.get("validation").and_then(|v| v.get("openAPIV3Schema"));
        let mut versions: Vec<(String, Option<&Value>)> = Vec::new();
        if let Some(vs) = spec.get("versions").and_then(Value::as_seq) {
            for v in vs {
                if let Some(name) = v.get("name").and_then(Value::as_str) {
                    let schema = v.get("schema").and_then(|s| s.get("openAPIV3Schema")).or(shared);
                    versions.push((name.to_owned(), schema));
                }
            }
        } else if let Some(name) = spec.get("version").and_then(Value::as_str) {
            versions.push((name.to_owned(), shared));
        }
        for (version, schema) in versions {
            let Some(schema) = schema else { continue };
            let api_version = if group.is_empty() { version.clone() } else { format!("{group}/{version}") };
            let mut table = SchemaTable::default();
            let root_name = format!("{api_version}/{kind}");
            let root = convert(&root_name, schema, &mut table, true);
            table.kinds.push(KindEntry { api_version: api_version.clone(), kind: kind.to_owned(), root, scope });
            table.sources.push(format!("CustomResourceDefinition {}", crd_name(crd)));
            table.reindex();
            self.by_gvk.insert(&api_version, kind, self.tables.len());
            self.tables.push(table);
        }
    }

    /// The table and kind entry for a custom resource type.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Option<(&SchemaTable, &KindEntry)> {
        let t = self.tables.get(*self.by_gvk.get(api_version, kind)?)?;
        let k = t.kind(api_version, kind)?;
        Some((t, k))
    }

    /// The scope a CRD declares for `group`/`kind`.
    pub fn scope(&self, group: &str, kind: &str) -> Option<Scope> {
        self.scopes.get(group, kind).copied()
    }
}

fn crd_name(crd: &Value) -> &str {
    crd.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("")
}

fn flag(s: &Value, key: &str) -> bool {
    matches!(s.get(key), Some(Value::Bool(true)))
}

/// Convert one structural-schema node. Object types with merge-relevant fields are appended to `table`.
fn convert(name: &str, s: &Value, table: &mut SchemaTable, root: bool) -> Shape {
    if flag(s, "x-kubernetes-embedded-resource") && !root {
        return Shape::Unknown;
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => {
            let keys: Vec<String> = s
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_seq)
                .map(|ks| ks.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            let items = s.get("items");
            match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("map") if !keys.is_empty() => {
                    let item_shape = items.map_or(Shape::Opaque, |i| convert(&format!("{name}[]"), i, table, false));
                    let meta = ListMeta {
                        strategy: "merge".to_owned(),
                        merge_key: keys.first().cloned(),
                        map_keys: keys,
                        list_type: Some("map".to_owned()),
                    };
                    Shape::List(Box::new(meta), Box::new(item_shape))
                }
                Some("set") => {
                    let meta = ListMeta {
                        strategy: "merge".to_owned(),
                        list_type: Some("set".to_owned()),
                        ..ListMeta::default()
                    };
                    Shape::List(Box::new(meta), Box::new(Shape::Opaque))
                }
                _ => Shape::Opaque,
            }
        }
        Some("object") | None => {
            let props = s.get("properties").and_then(Value::as_map);
            if let Some(props) = props.filter(|p| !p.is_empty()) {
                let mut fields = Vec::new();
                for (f, fs) in props {
                    if root && f == "metadata" {
                        // kustomize's behaviour for unknown types.
                        fields.push((f.clone(), Shape::Unknown));
                        continue;
                    }
                    let shape = convert(&format!("{name}.{f}"), fs, table, false);
                    if shape != Shape::Opaque {
                        fields.push((f.clone(), shape));
                    }
                }
                if fields.is_empty() && !root {
                    return Shape::Opaque;
                }
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                let idx = u32::try_from(table.types.len()).unwrap_or(u32::MAX);
                table.types.push(ObjectType { name: name.to_owned(), fields, additional: None });
                return Shape::Object(idx);
            }
            match s.get("additionalProperties") {
                Some(a @ Value::Map(_)) => match convert(&format!("{name}.*"), a, table, false) {
                    Shape::Opaque => Shape::Opaque,
                    other => Shape::Map(Box::new(other)),
                },
                _ if flag(s, "x-kubernetes-preserve-unknown-fields") || s.get("type").is_some() => Shape::Unknown,
                _ => Shape::Opaque,
            }
        }
        Some(_) => Shape::Opaque,
    }
}
