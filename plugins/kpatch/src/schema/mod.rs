//! Merge metadata: which lists merge by key, which are sets, and which are replaced wholesale.
//!
//! The facts come from Kubernetes OpenAPI documents (`x-kubernetes-patch-strategy`,
//! `x-kubernetes-patch-merge-key`, `x-kubernetes-list-map-keys`, `x-kubernetes-list-type`). kpatch ships a compact
//! table generated from them ([`builtin`], produced by `tools/smp-schema-gen` with [`openapi::generate`]) and
//! derives tables for custom resources from the `CustomResourceDefinition`s found in the rendered set
//! ([`crd::CrdIndex`]).
//!
//! The model keeps only what patching needs: object types with the fields that lead to merge-relevant lists, list
//! metadata, and whether a subtree's schema is known at all (kustomize looks up the schema of an embedded object
//! by its `apiVersion`/`kind` only where no schema is known).

pub mod crd;
pub mod openapi;
mod table;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use table::TableError;

/// Merge metadata of one list field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListMeta {
    /// `x-kubernetes-patch-strategy`, possibly several comma-separated (`merge,retainKeys`); empty when absent.
    pub strategy: String,
    /// `x-kubernetes-patch-merge-key`.
    pub merge_key: Option<String>,
    /// `x-kubernetes-list-map-keys`.
    pub map_keys: Vec<String>,
    /// `x-kubernetes-list-type` (`atomic`, `set` or `map`).
    pub list_type: Option<String>,
}

impl ListMeta {
    /// True when the list merges element by element (its strategy includes `merge`), as kustomize decides.
    pub fn is_merging(&self) -> bool {
        self.strategy.split(',').any(|s| s.trim() == "merge")
    }

    /// The keys that identify an element, as kustomize reads them: `x-kubernetes-list-map-keys` when present,
    /// otherwise the merge key; empty for lists of primitives (and for lists without a strategy).
    pub fn keys(&self) -> Vec<String> {
        if self.strategy.is_empty() {
            return Vec::new();
        }
        if !self.map_keys.is_empty() {
            return self.map_keys.clone();
        }
        self.merge_key.iter().cloned().collect()
    }

    /// The single merge key the Kubernetes API server uses (`x-kubernetes-patch-merge-key`, else the first map
    /// key).
    pub fn primary_key(&self) -> Option<&str> {
        self.merge_key.as_deref().or_else(|| self.map_keys.first().map(String::as_str))
    }
}

/// The shape of a value, as far as merging cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// No schema is known here (an arbitrary object): maps merge, lists are replaced, and an embedded object
    /// with `apiVersion` and `kind` is looked up by type.
    Unknown,
    /// A schema is known but nothing below needs merge metadata (scalars, lists without a strategy, objects
    /// without such lists).
    Opaque,
    /// An object type of the same table.
    Object(u32),
    /// An object type of the built-in table (used by custom resource tables for `metadata`).
    Builtin(u32),
    /// A list with its metadata and the shape of its elements.
    List(Box<ListMeta>, Box<Shape>),
    /// A string-keyed map whose values have the given shape.
    Map(Box<Shape>),
}

/// An object type: named fields and the shape of other fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectType {
    /// The type's name (the OpenAPI component name for built-in types).
    pub name: String,
    /// Fields that carry merge-relevant structure, in name order. Other fields are [`Shape::Opaque`].
    pub fields: Vec<(String, Shape)>,
    /// The shape of fields not listed (`additionalProperties`), when the object is a map.
    pub additional: Option<Shape>,
}

impl ObjectType {
    fn field(&self, name: &str) -> Option<&Shape> {
        self.fields
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .and_then(|i| self.fields.get(i))
            .map(|(_, s)| s)
    }
}

/// Scope of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Namespaced.
    Namespaced,
    /// Cluster-scoped.
    Cluster,
    /// Not known from the documents.
    Unknown,
}

/// One kind known to a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindEntry {
    /// `apiVersion` (`v1`, `apps/v1`).
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// The root shape ([`Shape::Object`] or [`Shape::Opaque`]).
    pub root: Shape,
    /// The kind's scope.
    pub scope: Scope,
}

/// A map keyed by a pair (apiVersion or API group, kind), looked up with borrowed strings without building a key:
/// kind first, then a short list of the pair's first parts (a kind rarely has more than a few versions). A lookup in an
/// empty map hashes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindMap<V>(HashMap<String, Vec<(String, V)>>);

impl<V> Default for KindMap<V> {
    fn default() -> Self {
        KindMap(HashMap::new())
    }
}

impl<V> KindMap<V> {
    /// Insert `v` for (`first`, `kind`); a later insert for the same pair replaces the earlier one.
    pub fn insert(&mut self, first: &str, kind: &str, v: V) {
        let entries = self.0.entry(kind.to_owned()).or_default();
        match entries.iter_mut().find(|(f, _)| f == first) {
            Some(slot) => slot.1 = v,
            None => entries.push((first.to_owned(), v)),
        }
    }

    /// The value for (`first`, `kind`).
    pub fn get(&self, first: &str, kind: &str) -> Option<&V> {
        self.0.get(kind)?.iter().find(|(f, _)| f == first).map(|(_, v)| v)
    }

    /// True when nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A set of object types and the kinds rooted in them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaTable {
    /// Object types; [`Shape::Object`] indexes into this.
    pub types: Vec<ObjectType>,
    /// Kinds, in the order they were added.
    pub kinds: Vec<KindEntry>,
    /// Where the table came from (comment lines of the serialised form).
    pub sources: Vec<String>,
    /// (apiVersion, kind) → index into `kinds`.
    by_gvk: KindMap<usize>,
    by_name: HashMap<String, u32>,
}

impl SchemaTable {
    /// Rebuild the lookup indexes after `types` or `kinds` changed.
    pub fn reindex(&mut self) {
        self.by_gvk = KindMap::default();
        for (i, k) in self.kinds.iter().enumerate() {
            // A kind listed twice for one apiVersion: the later entry wins.
            self.by_gvk.insert(&k.api_version, &k.kind, i);
        }
        self.by_name = self
            .types
            .iter()
            .enumerate()
            .filter_map(|(i, t)| u32::try_from(i).ok().map(|i| (t.name.clone(), i)))
            .collect();
    }

    /// The kind entry for `apiVersion` and `kind`.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&KindEntry> {
        self.kinds.get(*self.by_gvk.get(api_version, kind)?)
    }

    /// The index of the object type called `name`.
    pub fn type_index(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// The object type at `idx`.
    pub fn object(&self, idx: u32) -> Option<&ObjectType> {
        usize::try_from(idx).ok().and_then(|i| self.types.get(i))
    }

    /// Parse the compact text form written by [`SchemaTable::to_text`].
    pub fn from_text(text: &str) -> Result<Self, TableError> {
        table::parse(text)
    }

    /// Serialise to the compact text form committed in `src/schema/builtin.txt`.
    pub fn to_text(&self) -> String {
        table::write(self)
    }
}

/// The table generated from Kubernetes OpenAPI documents and committed with kpatch.
pub fn builtin() -> &'static SchemaTable {
    static TABLE: OnceLock<SchemaTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The committed table is checked by a unit test; a parse failure here would mean a corrupted build, and
        // patching then proceeds with kustomize's behaviour for unknown types rather than panicking.
        SchemaTable::from_text(include_str!("builtin.txt")).unwrap_or_default()
    })
}

/// The name of the built-in `ObjectMeta` type.
pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// A position in a schema while walking a document.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a> {
    table: Option<&'a SchemaTable>,
    shape: Option<&'a Shape>,
}

static UNKNOWN: Shape = Shape::Unknown;
static OPAQUE: Shape = Shape::Opaque;

impl<'a> Cursor<'a> {
    /// No schema known.
    pub fn unknown() -> Self {
        Self { table: None, shape: Some(&UNKNOWN) }
    }

    /// The root of `kind` in `table`.
    pub fn root(table: &'a SchemaTable, entry: &'a KindEntry) -> Self {
        Self { table: Some(table), shape: Some(&entry.root) }
    }

    /// A cursor at `shape` of `table`.
    pub fn at(table: &'a SchemaTable, shape: &'a Shape) -> Self {
        Self { table: Some(table), shape: Some(shape) }
    }

    fn shape(&self) -> &'a Shape {
        self.shape.unwrap_or(&UNKNOWN)
    }

    /// True when no schema is known here.
    pub fn is_unknown(&self) -> bool {
        matches!(self.shape(), Shape::Unknown)
    }

    fn object(&self) -> Option<(&'a SchemaTable, &'a ObjectType)> {
        match self.shape() {
            Shape::Object(i) => self.table.and_then(|t| t.object(*i).map(|o| (t, o))),
            Shape::Builtin(i) => {
                let t = builtin();
                t.object(*i).map(|o| (t, o))
            }
            _ => None,
        }
    }

    /// The schema of field `name` of the object here.
    pub fn field(&self, name: &str) -> Cursor<'a> {
        match self.shape() {
            Shape::Unknown => Cursor::unknown(),
            Shape::Map(v) => Cursor { table: self.table, shape: Some(v) },
            Shape::Object(_) | Shape::Builtin(_) => match self.object() {
                Some((t, o)) => match o.field(name).or(o.additional.as_ref()) {
                    Some(s) => Cursor { table: Some(t), shape: Some(s) },
                    None => Cursor { table: Some(t), shape: Some(&OPAQUE) },
                },
                None => Cursor::unknown(),
            },
            Shape::Opaque | Shape::List(..) => Cursor { table: self.table, shape: Some(&OPAQUE) },
        }
    }

    /// The schema of the elements of the list here.
    pub fn items(&self) -> Cursor<'a> {
        match self.shape() {
            Shape::List(_, items) => Cursor { table: self.table, shape: Some(items) },
            Shape::Unknown => Cursor::unknown(),
            _ => Cursor { table: self.table, shape: Some(&OPAQUE) },
        }
    }

    /// The list metadata here, when this is a list with a schema.
    pub fn list_meta(&self) -> Option<&'a ListMeta> {
        match self.shape() {
            Shape::List(m, _) => Some(m),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_knows_deployments() {
        let t = builtin();
        assert!(!t.types.is_empty(), "builtin.txt failed to parse");
        let d = t.kind("apps/v1", "Deployment").expect("Deployment");
        let c = Cursor::root(t, d).field("spec").field("template").field("spec").field("containers");
        let m = c.list_meta().expect("containers list meta");
        assert!(m.is_merging());
        assert_eq!(m.keys(), ["name"]);
        let ports = c.items().field("ports").list_meta().expect("ports");
        assert_eq!(ports.keys(), ["containerPort", "protocol"]);
        assert_eq!(ports.primary_key(), Some("containerPort"));
        let tol = Cursor::root(t, d).field("spec").field("template").field("spec").field("tolerations");
        assert!(!tol.list_meta().is_some_and(ListMeta::is_merging));
    }
}
