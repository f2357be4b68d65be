//! Kubernetes strategic merge patch, with kustomize v5.7.1 semantics.
//!
//! The merge follows kustomize's kyaml `merge2` walk (what `kubectl kustomize` and Flux post-renderers run):
//!
//! * mappings merge field by field; `null` deletes a field; a mapping with `$patch: delete` is removed and one
//!   with `$patch: replace` replaces its counterpart; fields a patch adds are appended in name order;
//! * lists whose schema has the `merge` patch strategy merge element by element, identified by
//!   `x-kubernetes-list-map-keys` (or the merge key); elements the patch mentions come first in patch order,
//!   followed by the other elements in their original order; `$patch: delete` on an element removes every
//!   element with its key; a `{$patch: replace}` element makes the patch's elements replace the list;
//! * lists of primitives with the `merge` strategy (such as `finalizers`) become the union, patch values first;
//! * every other list (no strategy, or no schema at all, as for custom resources without their CRD) is
//!   replaced by the patch's list.
//!
//! Three directives kustomize does not implement follow the Kubernetes API server instead:
//! `$retainKeys`, `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`. `docs/patching.md` lists
//! every choice and every known difference.

use crate::schema::crd::CrdIndex;
use crate::schema::{Cursor, SchemaTable};
use crate::values::{is_null_or_empty_map, key_text, node_kind, node_text, short_json};
use kiln_yaml::{Map, Value};
use std::collections::BTreeSet;

/// Where merge metadata comes from: the built-in table and, optionally, the CRDs of the manifest set.
#[derive(Debug, Clone, Copy)]
pub struct Schemas<'a> {
    /// Built-in Kubernetes types.
    pub builtin: &'a SchemaTable,
    /// Custom resource types defined in the manifest set.
    pub crds: Option<&'a CrdIndex>,
}

impl Default for Schemas<'static> {
    fn default() -> Self {
        Schemas { builtin: crate::schema::builtin(), crds: None }
    }
}

impl<'a> Schemas<'a> {
    /// The built-in table only.
    pub fn builtin() -> Schemas<'static> {
        Schemas::default()
    }

    /// The schema of objects of `apiVersion`/`kind`, if known.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Option<Cursor<'a>> {
        if let Some(k) = self.builtin.kind(api_version, kind) {
            return Some(Cursor::root(self.builtin, k));
        }
        let crds = self.crds?;
        let (t, k) = crds.lookup(api_version, kind)?;
        Some(Cursor::root(t, k))
    }
}

/// Why a strategic merge patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmpError {
    /// The patch and the object disagree on the kind of a node (mapping, list, scalar).
    #[error("{path}: wrong node kind: expected {expected} but got {found}: {value}")]
    WrongKind {
        /// Field path.
        path: String,
        /// Kind expected (the object's).
        expected: &'static str,
        /// Kind found.
        found: &'static str,
        /// The offending value (compact JSON).
        value: String,
    },
    /// `$patch` has a value other than `delete`, `replace` or `merge`.
    #[error("{path}: unknown patch strategy {value:?} (expected delete, replace or merge)")]
    UnknownStrategy {
        /// Field path.
        path: String,
        /// The value found.
        value: String,
    },
    /// An element of a keyed list has none of the list's merge keys.
    #[error("{path}: element {element} has no merge key {keys} (list {path} merges its elements by {keys})")]
    MissingMergeKey {
        /// The list's field path.
        path: String,
        /// The merge key(s), `name` or `containerPort+protocol`.
        keys: String,
        /// The element (compact JSON).
        element: String,
    },
    /// A `$retainKeys`, `$setElementOrder` or `$deleteFromPrimitiveList` directive is malformed or misapplied.
    #[error("{path}: {message}")]
    Directive {
        /// Field path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Apply strategic merge patch `patch` to `object`. Returns `None` when the patch deletes the object
/// (`$patch: delete` at the top level).
pub fn apply(object: Value, patch: &Value, schemas: &Schemas<'_>) -> Result<Option<Value>, SmpError> {
    let m = Merger { schemas };
    let mut path = Path::default();
    let w = m.walk(Some(object), Some(patch), Cursor::unknown(), &mut path, false)?;
    Ok(w.out.filter(|v| !v.is_null()))
}

/// Apply `patch` to a copy of `object`, resolving schemas from the built-in table only.
pub fn merged(object: &Value, patch: &Value) -> Result<Option<Value>, SmpError> {
    apply(object.clone(), patch, &Schemas::builtin())
}

#[derive(Debug, Default, Clone)]
struct Path(Vec<String>);

impl Path {
    fn field(&mut self, f: &str) {
        self.0.push(if self.0.is_empty() { f.to_owned() } else { format!(".{f}") });
    }
    fn elem(&mut self, desc: String) {
        self.0.push(desc);
    }
    fn pop(&mut self) {
        self.0.pop();
    }
    fn show(&self) -> String {
        if self.0.is_empty() { "<root>".to_owned() } else { self.0.concat() }
    }
}

/// The result of walking one node: the value to store (`None` clears it) and whether it is the object's own node
/// updated in place (kyaml returns the destination node when merging a mapping).
struct Walked {
    out: Option<Value>,
    in_place: bool,
}

impl Walked {
    fn clear() -> Self {
        Walked { out: None, in_place: false }
    }
    fn new(v: Value, in_place: bool) -> Self {
        Walked { out: Some(v), in_place }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_FROM: &str = "$deleteFromPrimitiveList/";

struct Merger<'s, 'a> {
    schemas: &'s Schemas<'a>,
}

impl<'a> Merger<'_, 'a> {
    /// Walk one node. `alias` means the destination and the patch are the same node (kyaml merges a patch
    /// subtree with itself when the object has nothing there, or after `$patch: replace`).
    fn walk(
        &self,
        dest: Option<Value>,
        patch: Option<&Value>,
        sch: Cursor<'a>,
        path: &mut Path,
        alias: bool,
    ) -> Result<Walked, SmpError> {
        let sch = if sch.is_unknown() { self.embedded_schema(dest.as_ref(), patch).unwrap_or(sch) } else { sch };
        let first = dest.iter().chain(patch).find(|v| !v.is_null());
        match first {
            None | Some(Value::Map(_)) => {
                check_kind(path, "MappingNode", dest.as_ref(), patch)?;
                self.walk_map(dest, patch, sch, path, alias)
            }
            Some(Value::Seq(_)) => {
                check_kind(path, "SequenceNode", dest.as_ref(), patch)?;
                match sch.list_meta().filter(|m| m.is_merging()) {
                    Some(meta) => {
                        let keys = meta.keys();
                        self.walk_assoc(dest, patch, &keys, sch.items(), path, alias)
                    }
                    None => Ok(match patch {
                        Some(Value::Null) => Walked::clear(),
                        Some(p) => Walked::new(p.clone(), alias),
                        None => Walked { out: dest, in_place: true },
                    }),
                }
            }
            Some(_) => {
                check_kind(path, "ScalarNode", dest.as_ref(), patch)?;
                Ok(match patch {
                    Some(Value::Null) => Walked::clear(),
                    Some(p) => Walked::new(p.clone(), alias),
                    None => Walked { out: dest, in_place: true },
                })
            }
        }
    }

    /// kyaml looks up the schema of a node without one by its `apiVersion` and `kind`.
    fn embedded_schema(&self, dest: Option<&Value>, patch: Option<&Value>) -> Option<Cursor<'a>> {
        for src in dest.into_iter().chain(patch) {
            let Value::Map(m) = src else { continue };
            let (Some(Value::String(av)), Some(Value::String(kind))) = (m.get("apiVersion"), m.get("kind")) else {
                continue;
            };
            if av.is_empty() || kind.is_empty() {
                continue;
            }
            if let Some(c) = self.schemas.lookup(av, kind) {
                return Some(c);
            }
        }
        None
    }

    fn walk_map(
        &self,
        dest: Option<Value>,
        patch: Option<&Value>,
        sch: Cursor<'a>,
        path: &mut Path,
        alias: bool,
    ) -> Result<Walked, SmpError> {
        let dest_missing = dest.as_ref().is_none_or(Value::is_null);
        if dest_missing {
            return match patch {
                // A null the object has and the patch does not mention stays.
                None => Ok(Walked { out: dest, in_place: true }),
                Some(Value::Null) => Ok(Walked::clear()),
                Some(Value::Map(p)) => {
                    let mut p = p.clone();
                    if map_directive(&mut p, path)? == Directive::Delete {
                        return Ok(Walked::clear());
                    }
                    let v = Value::Map(p);
                    let w = self.walk(Some(v.clone()), Some(&v), sch, path, true)?;
                    Ok(Walked { out: w.out, in_place: false })
                }
                Some(other) => Ok(Walked::new(other.clone(), false)),
            };
        }
        if matches!(patch, Some(Value::Null)) {
            return Ok(Walked::clear());
        }
        let mut patch_map: Option<Map> = patch.and_then(Value::as_map).cloned();
        let directive = match patch_map.as_mut() {
            Some(p) => map_directive(p, path)?,
            None => Directive::Merge,
        };
        let mut dest_map = match dest {
            Some(Value::Map(m)) => m,
            _ => Map::new(),
        };
        match directive {
            Directive::Delete => return Ok(Walked::clear()),
            Directive::Replace if !alias => {
                let v = Value::Map(patch_map.unwrap_or_default());
                let w = self.walk(Some(v.clone()), Some(&v), sch, path, true)?;
                return Ok(Walked { out: w.out, in_place: false });
            }
            _ => {}
        }
        if alias && let Some(p) = &patch_map {
            dest_map = p.clone();
        }
        self.merge_fields(dest_map, patch_map, sch, path, alias).map(|m| Walked::new(Value::Map(m), true))
    }

    fn merge_fields(
        &self,
        mut dest: Map,
        mut patch: Option<Map>,
        sch: Cursor<'a>,
        path: &mut Path,
        alias: bool,
    ) -> Result<Map, SmpError> {
        let directives = match patch.as_mut() {
            Some(p) => take_api_directives(p, path)?,
            None => ApiDirectives::default(),
        };
        if alias {
            for k in &directives.removed_keys {
                dest.shift_remove(k);
            }
        }
        if let Some(retain) = &directives.retain_keys
            && let Some(p) = &patch
        {
            for (k, v) in p {
                if !v.is_null() && !retain.iter().any(|r| r == k) {
                    return Err(SmpError::Directive {
                        path: path.show(),
                        message: format!(
                            "$retainKeys does not list field {k:?}, which the patch sets (every field a patch \
                             sets must be retained)"
                        ),
                    });
                }
            }
        }
        for (field, values) in &directives.delete_from {
            if alias {
                break;
            }
            if let Some(slot) = dest.get_mut(field) {
                delete_from_primitive_list(slot, values, field, path)?;
            }
        }
        let original_orders: Vec<(String, Option<Value>, Value)> = directives
            .set_order
            .iter()
            .map(|(f, order)| (f.clone(), if alias { None } else { dest.get(f).cloned() }, order.clone()))
            .collect();

        let mut keys: BTreeSet<String> = dest.keys().cloned().collect();
        if let Some(p) = &patch {
            keys.extend(p.keys().cloned());
        }
        for key in keys {
            let dv = dest.get_mut(&key).map(std::mem::take);
            let pv = patch.as_ref().and_then(|p| p.get(&key));
            path.field(&key);
            let w = self.walk(dv, pv, sch.field(&key), path, alias)?;
            path.pop();
            match w.out {
                None => {
                    dest.shift_remove(&key);
                }
                Some(v) => {
                    dest.insert(key, v);
                }
            }
        }

        for (field, original, order) in original_orders {
            let patch_list = patch.as_ref().and_then(|p| p.get(&field));
            let meta = sch.field(&field).list_meta();
            let merge_key = meta.and_then(|m| m.primary_key()).map(str::to_owned);
            path.field(&field);
            let r = set_element_order(&mut dest, &field, original.as_ref(), patch_list, &order, merge_key, path);
            path.pop();
            r?;
        }
        if let Some(retain) = &directives.retain_keys {
            dest.retain(|k, _| retain.iter().any(|r| r == k));
        }
        Ok(dest)
    }

    #[allow(clippy::too_many_arguments)]
    fn walk_assoc(
        &self,
        dest: Option<Value>,
        patch: Option<&Value>,
        keys: &[String],
        items: Cursor<'a>,
        path: &mut Path,
        alias: bool,
    ) -> Result<Walked, SmpError> {
        let dest_missing = dest.as_ref().is_none_or(Value::is_null);
        if dest_missing && !alias {
            return match patch {
                Some(Value::Seq(_)) => {
                    let p = patch.cloned();
                    let w = self.walk_assoc(p.clone(), p.as_ref(), keys, items, path, true)?;
                    Ok(Walked { out: w.out, in_place: false })
                }
                Some(Value::Null) | None => Ok(Walked::clear()),
                Some(other) => Ok(Walked::new(other.clone(), false)),
            };
        }
        if matches!(patch, Some(Value::Null)) {
            return Ok(Walked::clear());
        }
        let mut p_list: Option<Vec<Value>> = patch.and_then(Value::as_seq).cloned();
        let directive = match p_list.as_mut() {
            Some(p) => seq_directive(p, path)?,
            None => Directive::Merge,
        };
        match directive {
            Directive::Delete => return Ok(Walked::clear()),
            Directive::Replace if !alias => {
                let v = Value::Seq(p_list.unwrap_or_default());
                let w = self.walk_assoc(Some(v.clone()), Some(&v), keys, items, path, true)?;
                return Ok(Walked { out: w.out, in_place: false });
            }
            _ => {}
        }
        let d_list = if alias {
            p_list.take().unwrap_or_default()
        } else {
            match dest {
                Some(Value::Seq(s)) => s,
                _ => Vec::new(),
            }
        };
        let merged = self.merge_list(d_list, p_list, keys, items, path, alias)?;
        Ok(Walked::new(Value::Seq(merged), true))
    }

    /// kyaml's associative list merge (prepend mode). `p` is `None` when the patch has no list here or when the
    /// patch is the destination itself (`alias`).
    ///
    /// An element without any of the list's merge keys is merged as kustomize merges it when nothing is lost (a
    /// base's only container without a name, under a patch that does not touch the list, stays as it is). Where
    /// kustomize would silently drop elements (it cannot find a keyless element again, and placing one clears the
    /// elements before it), the merge fails instead, naming the element.
    fn merge_list(
        &self,
        d: Vec<Value>,
        p: Option<Vec<Value>>,
        keys: &[String],
        items: Cursor<'a>,
        path: &mut Path,
        alias: bool,
    ) -> Result<Vec<Value>, SmpError> {
        let keyless = |e: &Value| !is_null_or_empty_map(e) && keys.iter().all(|k| key_text(e, k).is_empty());
        let first_keyless =
            if keys.is_empty() { None } else { p.iter().flatten().chain(d.iter()).find(|e| keyless(e)).cloned() };
        let Some(first_keyless) = first_keyless else {
            return self.merge_list_inner(d, p, keys, items, path, alias);
        };
        let before = (d.clone(), p.clone());
        let out = self.merge_list_inner(d, p, keys, items, path, alias)?;
        if let Some(lost) = lost_element(&before.0, before.1.as_deref(), &out, keys) {
            return Err(SmpError::MissingMergeKey {
                path: path.show(),
                keys: keys.join("+"),
                element: format!(
                    "{} (kustomize's merge of this list would drop {})",
                    short_json(&first_keyless, 200),
                    short_json(lost, 200)
                ),
            });
        }
        Ok(out)
    }

    fn merge_list_inner(
        &self,
        mut d: Vec<Value>,
        p: Option<Vec<Value>>,
        keys: &[String],
        items: Cursor<'a>,
        path: &mut Path,
        alias: bool,
    ) -> Result<Vec<Value>, SmpError> {
        let primitive = keys.is_empty();
        let eff_keys: Vec<String> = if primitive { vec![String::new()] } else { keys.to_vec() };
        let values_of = |e: &Value| -> Vec<String> {
            if primitive { vec![node_text_raw(e)] } else { keys.iter().map(|k| key_text(e, k)).collect() }
        };

        let mut all_values: Vec<Vec<String>> = Vec::new();
        {
            let patch_side: &[Value] = match &p {
                Some(p) => p,
                None if alias => &d,
                None => &[],
            };
            for e in patch_side.iter().chain(d.iter()) {
                let v = values_of(e);
                if !all_values.contains(&v) {
                    all_values.push(v);
                }
            }
        }
        if eff_keys.len() > 1 {
            merge_values(&mut all_values);
        }

        let mut added: Vec<Value> = Vec::new();
        let mut last_keys: Option<Vec<String>> = None;
        for values in &all_values {
            if values.is_empty() {
                continue;
            }
            let (vk, vv) = validate_keys(&all_values, values, &eff_keys);
            last_keys = Some(vk.clone());
            let (k2, v2) = validate_keys(std::slice::from_ref(values), values, &vk);
            let di = element_list(&d, &k2, &v2, path)?;
            let pi = match (&p, alias) {
                (_, true) => di,
                (Some(p), false) => element_list(p, &k2, &v2, path)?,
                (None, false) => None,
            };
            let dv = di.and_then(|i| d.get(i)).cloned();
            if alias
                && let Some(Value::Map(m)) = di.and_then(|i| d.get_mut(i))
                && m.get(PATCH).and_then(Value::as_str).is_some_and(|v| matches!(v, "delete" | "replace" | "merge"))
            {
                // The patch is the destination here, and kyaml strips an element's `$patch` from that shared node
                // while walking it: the element stays, without it, when the deletion below matches nothing.
                m.shift_remove(PATCH);
            }
            let pv: Option<Value> =
                if alias { dv.clone() } else { pi.and_then(|i| p.as_ref().and_then(|p| p.get(i))).cloned() };
            path.elem(element_desc(&vk, &vv));
            let w = self.walk(dv, pv.as_ref(), items, path, alias)?;
            path.pop();
            let Some(mut val) = w.out.filter(|v| !is_null_or_empty_map(v)) else {
                element_setter(&mut d, None, &vk, &vv, path)?;
                continue;
            };
            if !primitive && let Value::Map(m) = &mut val {
                for (k, v) in vk.iter().zip(&vv) {
                    if !m.contains_key(k) && !v.is_empty() {
                        let typed = [pv.as_ref(), di.and_then(|i| d.get(i))]
                            .into_iter()
                            .flatten()
                            .find_map(|e| e.get(k))
                            .cloned()
                            .unwrap_or_else(|| Value::String(v.clone()));
                        m.insert(k.clone(), typed);
                    }
                }
            }
            if (w.in_place || alias)
                && let Some(slot) = di.and_then(|i| d.get_mut(i))
            {
                *slot = val.clone();
            }
            element_setter(&mut added, Some(val), &vk, &vv, path)?;
        }
        match last_keys {
            Some(k) if !all_values.is_empty() => {
                append_list_node(&mut added, d, &k, path)?;
                Ok(added)
            }
            _ => Ok(d),
        }
    }
}

/// An element of the object's or the patch's list that a keyed merge left out of `out`: a keyless element not
/// found unchanged, a keyed one whose keys no element of `out` has (unless the patch deletes that key).
fn lost_element<'v>(d: &'v [Value], p: Option<&'v [Value]>, out: &[Value], keys: &[String]) -> Option<&'v Value> {
    let key_values = |e: &Value| keys.iter().map(|k| key_text(e, k)).collect::<Vec<_>>();
    let directive = |e: &Value| e.get(PATCH).is_some();
    let deleted: Vec<Vec<String>> = p
        .into_iter()
        .flatten()
        .filter(|e| e.get(PATCH).and_then(Value::as_str) == Some("delete"))
        .map(key_values)
        .collect();
    let present = |e: &Value| {
        let kv = key_values(e);
        if kv.iter().all(String::is_empty) { out.contains(e) } else { out.iter().any(|o| key_values(o) == kv) }
    };
    let dest_lost = d.iter().find(|e| !is_null_or_empty_map(e) && !deleted.contains(&key_values(e)) && !present(e));
    dest_lost.or_else(|| p.into_iter().flatten().find(|e| !is_null_or_empty_map(e) && !directive(e) && !present(e)))
}

fn element_desc(keys: &[String], values: &[String]) -> String {
    let parts: Vec<String> =
        keys.iter().zip(values).map(|(k, v)| if k.is_empty() { v.clone() } else { format!("{k}={v}") }).collect();
    format!("[{}]", parts.join(","))
}

/// The text kyaml reads from a node (`yaml.Node.Value`).
fn node_text_raw(v: &Value) -> String {
    node_text(v)
}

fn check_kind(
    path: &Path,
    expected: &'static str,
    dest: Option<&Value>,
    patch: Option<&Value>,
) -> Result<(), SmpError> {
    for v in dest.into_iter().chain(patch) {
        if v.is_null() {
            continue;
        }
        let found = node_kind(v);
        if found != expected {
            return Err(SmpError::WrongKind { path: path.show(), expected, found, value: short_json(v, 200) });
        }
    }
    Ok(())
}

fn parse_directive(v: &Value, path: &Path) -> Result<Directive, SmpError> {
    match v.as_str() {
        Some("delete") => Ok(Directive::Delete),
        Some("replace") => Ok(Directive::Replace),
        Some("merge") => Ok(Directive::Merge),
        _ => Err(SmpError::UnknownStrategy { path: path.show(), value: node_text(v) }),
    }
}

/// Read and remove a mapping's `$patch` directive.
fn map_directive(m: &mut Map, path: &Path) -> Result<Directive, SmpError> {
    match m.get(PATCH) {
        None => Ok(Directive::Merge),
        Some(v) => {
            let d = parse_directive(v, path)?;
            m.shift_remove(PATCH);
            Ok(d)
        }
    }
}

/// Read and remove a list's `{$patch: ...}` element, as kyaml does: the first mapping element with a `$patch`
/// field decides, and only when it has no other field.
fn seq_directive(list: &mut Vec<Value>, path: &Path) -> Result<Directive, SmpError> {
    let Some(first) = list.iter().find_map(|e| e.as_map().filter(|m| m.contains_key(PATCH))) else {
        return Ok(Directive::Merge);
    };
    if first.len() > 1 {
        return Ok(Directive::Merge);
    }
    let Some(v) = first.get(PATCH) else { return Ok(Directive::Merge) };
    let d = parse_directive(v, path)?;
    let text = node_text(v);
    // Elide: drop null and empty elements and every mapping whose `$patch` is this value.
    list.retain(|e| match e {
        Value::Null => false,
        Value::Map(m) => !m.is_empty() && m.get(PATCH).is_none_or(|x| node_text(x) != text),
        _ => true,
    });
    Ok(d)
}

#[derive(Default)]
struct ApiDirectives {
    retain_keys: Option<Vec<String>>,
    delete_from: Vec<(String, Vec<Value>)>,
    set_order: Vec<(String, Value)>,
    removed_keys: Vec<String>,
}

/// Extract the directives kpatch implements with the API server's semantics.
fn take_api_directives(p: &mut Map, path: &Path) -> Result<ApiDirectives, SmpError> {
    let mut d = ApiDirectives::default();
    let keys: Vec<String> = p
        .keys()
        .filter(|k| *k == RETAIN_KEYS || k.starts_with(SET_ORDER) || k.starts_with(DELETE_FROM))
        .cloned()
        .collect();
    let bad = |message: String| SmpError::Directive { path: path.show(), message };
    for k in keys {
        let Some(v) = p.shift_remove(&k) else { continue };
        if k == RETAIN_KEYS {
            let Value::Seq(items) = &v else {
                return Err(bad(format!("$retainKeys must be a list of field names, got {}", short_json(&v, 100))));
            };
            let mut names = Vec::new();
            for i in items {
                match i.as_str() {
                    Some(s) => names.push(s.to_owned()),
                    None => return Err(bad(format!("$retainKeys must list field names, got {}", short_json(i, 100)))),
                }
            }
            d.retain_keys = Some(names);
        } else if let Some(field) = k.strip_prefix(SET_ORDER) {
            if !matches!(v, Value::Seq(_)) {
                return Err(bad(format!("{k} must be a list, got {}", short_json(&v, 100))));
            }
            d.set_order.push((field.to_owned(), v));
        } else if let Some(field) = k.strip_prefix(DELETE_FROM) {
            let Value::Seq(items) = v else {
                return Err(bad(format!("{k} must be a list, got {}", short_json(&v, 100))));
            };
            if items.iter().any(|i| matches!(i, Value::Map(_) | Value::Seq(_))) {
                return Err(bad(format!("{k} must list primitive values")));
            }
            d.delete_from.push((field.to_owned(), items));
        }
        d.removed_keys.push(k);
    }
    Ok(d)
}

fn delete_from_primitive_list(slot: &mut Value, values: &[Value], field: &str, path: &Path) -> Result<(), SmpError> {
    match slot {
        Value::Seq(items) => {
            items.retain(|i| !values.contains(i));
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(SmpError::Directive {
            path: path.show(),
            message: format!("$deleteFromPrimitiveList/{field}: {field} is a {}, not a list", other.type_name()),
        }),
    }
}

/// The API server's `$setElementOrder`: patch items in the directive's order, the object's other items
/// interleaved by their original positions.
fn set_element_order(
    dest: &mut Map,
    field: &str,
    original: Option<&Value>,
    patch_list: Option<&Value>,
    order: &Value,
    merge_key: Option<String>,
    path: &Path,
) -> Result<(), SmpError> {
    let bad = |message: String| SmpError::Directive { path: path.show(), message };
    let Value::Seq(order) = order else { return Ok(()) };
    let Some(Value::Seq(merged)) = dest.get(field) else { return Ok(()) };
    let maps = merged.iter().chain(order).any(|v| matches!(v, Value::Map(_)));
    let key = match (&merge_key, maps) {
        (Some(k), true) => Some(k.as_str()),
        (None, true) => {
            return Err(bad(format!(
                "$setElementOrder/{field}: the list has no merge key, so its elements cannot be ordered"
            )));
        }
        (_, false) => None,
    };
    let ident = |v: &Value| -> Result<Value, SmpError> {
        match key {
            None => Ok(v.clone()),
            Some(k) => v.get(k).cloned().ok_or_else(|| {
                bad(format!("$setElementOrder/{field}: element {} has no merge key {k}", short_json(v, 100)))
            }),
        }
    };
    let order_ids: Vec<Value> = order.iter().map(ident).collect::<Result<_, _>>()?;

    // The patch's items must appear in the directive, in the same relative order.
    if let Some(Value::Seq(pl)) = patch_list {
        let mut oi = 0;
        for item in pl {
            if item.as_map().is_some_and(|m| m.contains_key(PATCH)) {
                continue;
            }
            let id = ident(item)?;
            while oi < order_ids.len() && order_ids.get(oi) != Some(&id) {
                oi += 1;
            }
            if oi >= order_ids.len() {
                return Err(bad(format!(
                    "the order of the patch's {field} items does not match $setElementOrder/{field}"
                )));
            }
            oi += 1;
        }
    }

    let server: Vec<Value> = match original {
        Some(Value::Seq(s)) => s.iter().filter_map(|v| ident(v).ok()).collect(),
        _ => Vec::new(),
    };
    let pos = |list: &[Value], id: &Value| list.iter().position(|x| x == id);
    let mut patch_items: Vec<(Value, Value)> = Vec::new();
    let mut server_only: Vec<(Value, Value)> = Vec::new();
    for v in merged {
        let id = ident(v)?;
        if order_ids.contains(&id) {
            patch_items.push((id, v.clone()));
        } else {
            server_only.push((id, v.clone()));
        }
    }
    patch_items.sort_by_key(|(id, _)| pos(&order_ids, id).unwrap_or(usize::MAX));
    server_only.sort_by_key(|(id, _)| pos(&server, id).unwrap_or(usize::MAX));

    let mut out = Vec::with_capacity(patch_items.len() + server_only.len());
    let (mut i, mut j) = (0, 0);
    while i < server_only.len() || j < patch_items.len() {
        let take_left = match (server_only.get(i), patch_items.get(j)) {
            (Some(_), None) => true,
            (None, _) => false,
            (Some((l, _)), Some((r, _))) => match (pos(&server, l), pos(&server, r)) {
                (Some(li), Some(ri)) => li < ri,
                _ => false,
            },
        };
        if take_left {
            if let Some((_, v)) = server_only.get(i) {
                out.push(v.clone());
            }
            i += 1;
        } else {
            if let Some((_, v)) = patch_items.get(j) {
                out.push(v.clone());
            }
            j += 1;
        }
    }
    dest.insert(field.to_owned(), Value::Seq(out));
    Ok(())
}

// ---- kyaml list primitives -------------------------------------------------------------------------------------

/// Unify key tuples that agree on at least one key and differ only where one side is empty (a container port
/// without `protocol` matches the same port with `protocol: TCP`).
fn merge_values(list: &mut [Vec<String>]) {
    let n = list.len();
    for i in 0..n {
        for j in 0..n {
            let unified = match (list.get(i), list.get(j)) {
                (Some(a), Some(b)) => unify(a, b),
                _ => None,
            };
            if let Some(u) = unified {
                if let Some(x) = list.get_mut(i) {
                    x.clone_from(&u);
                }
                if let Some(x) = list.get_mut(j) {
                    *x = u;
                }
            }
        }
    }
}

fn unify(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// Restrict keys to those some element has a value for (secondary keys such as `protocol` are often omitted).
fn validate_keys(all: &[Vec<String>], values: &[String], keys: &[String]) -> (Vec<String>, Vec<String>) {
    let valid: BTreeSet<&str> =
        all.iter().flat_map(|vs| vs.iter().zip(keys).filter(|(v, _)| !v.is_empty()).map(|(_, k)| k.as_str())).collect();
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk = keys.iter().filter(|k| valid.contains(k.as_str())).cloned().collect();
    let vv = values
        .iter()
        .zip(keys)
        .filter(|(v, k)| !v.is_empty() || valid.contains(k.as_str()))
        .map(|(v, _)| v.clone())
        .collect();
    (vk, vv)
}

/// kyaml `FieldMatcher{Name, StringValue}` on a list element.
fn field_matches(elem: &Value, name: &str, value: &str, path: &Path) -> Result<bool, SmpError> {
    if elem.is_null() {
        return Ok(false);
    }
    if name.is_empty() {
        if matches!(elem, Value::Map(_) | Value::Seq(_)) {
            return Err(wrong_kind(path, "ScalarNode", elem));
        }
        return Ok(node_text_raw(elem) == value);
    }
    let Value::Map(m) = elem else {
        return Err(wrong_kind(path, "MappingNode", elem));
    };
    Ok(match m.get(name) {
        None => false,
        Some(_) if value.is_empty() => true,
        Some(v) => node_text_raw(v) == value,
    })
}

fn wrong_kind(path: &Path, expected: &'static str, v: &Value) -> SmpError {
    SmpError::WrongKind { path: path.show(), expected, found: node_kind(v), value: short_json(v, 200) }
}

/// kyaml `ElementMatcher`: the first element whose key fields have exactly these texts.
fn element_list(list: &[Value], keys: &[String], values: &[String], path: &Path) -> Result<Option<usize>, SmpError> {
    let first_key = keys.first().map_or("", String::as_str);
    let first_value = values.first().map_or("", String::as_str);
    if first_key.is_empty() {
        return Ok(list.iter().position(|e| node_text_raw(e) == first_value));
    }
    if keys.len() != values.len() {
        return Err(SmpError::Directive {
            path: path.show(),
            message: "internal error: key and value counts differ".to_owned(),
        });
    }
    Ok(list.iter().position(|e| {
        let Value::Map(m) = e else { return false };
        keys.iter().zip(values).all(|(k, v)| m.get(k).is_some_and(|x| node_text_raw(x) == *v))
    }))
}

/// kyaml `ElementSetter`: replace (or, with `element == None`, delete) every element matching the key values,
/// appending `element` when none matched. Like kyaml it drops null and empty elements on the way.
fn element_setter(
    list: &mut Vec<Value>,
    element: Option<Value>,
    keys: &[String],
    values: &[String],
    path: &Path,
) -> Result<(), SmpError> {
    let empty_key = [String::new()];
    let keys: &[String] = if keys.is_empty() { &empty_key } else { keys };
    let mapping_setter = keys.first().is_some_and(|k| !k.is_empty()) && values.first().is_some_and(|v| !v.is_empty());
    let mut out = Vec::with_capacity(list.len() + 1);
    let mut found_any = false;
    for elem in list.drain(..) {
        if is_null_or_empty_map(&elem) {
            continue;
        }
        if mapping_setter && !matches!(elem, Value::Map(_)) {
            out.push(elem);
            continue;
        }
        let mut matched = false;
        let mut found = true;
        for (j, k) in keys.iter().enumerate() {
            if let Some(v) = values.get(j) {
                matched = field_matches(&elem, k, v, path)?;
            }
            if !matched {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(elem);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = &element {
            out.push(e.clone());
        }
    }
    *list = out;
    match element {
        Some(e) if !e.is_null() && !found_any => list.push(e),
        _ => {}
    }
    Ok(())
}

/// kyaml `appendListNode`: move the object's elements into the merged list, replacing the entries with the
/// same keys.
fn append_list_node(dst: &mut Vec<Value>, src: Vec<Value>, keys: &[String], path: &Path) -> Result<(), SmpError> {
    for elem in src {
        if keys.first().is_none_or(String::is_empty) {
            let t = node_text_raw(&elem);
            element_setter(dst, Some(elem), &[String::new()], &[t], path)?;
            continue;
        }
        let mut v = Vec::with_capacity(keys.len());
        for k in keys {
            if elem.is_null() {
                dst.push(elem.clone());
                continue;
            }
            let Value::Map(m) = &elem else {
                return Err(wrong_kind(path, "MappingNode", &elem));
            };
            match m.get(k) {
                None => dst.push(elem.clone()),
                Some(x) => v.push(node_text_raw(x)),
            }
        }
        if keys.len() > 1 {
            element_setter(dst, None, keys, &v, path)?;
        }
        element_setter(dst, Some(elem), keys, &v, path)?;
    }
    Ok(())
}

/// True when an empty strategic merge patch leaves `object` unchanged.
///
/// kustomize's merge rewrites the object's keyed lists even where the patch says nothing: it collapses elements
/// with the same key (keeping the last), drops `null` and empty elements, and cannot place elements without keys.
/// An object (a mapping) is unchanged by an empty patch exactly when none of that applies: every element of every merging
/// list is a non-empty mapping with a value for each key (or, for lists of primitives, a non-null scalar), and no
/// two elements share their keys.
pub fn is_normalized(object: &Value, schemas: &Schemas<'_>) -> bool {
    matches!(object, Value::Map(_)) && normalized_at(object, Cursor::unknown(), schemas)
}

fn normalized_at(v: &Value, sch: Cursor<'_>, schemas: &Schemas<'_>) -> bool {
    let sch = if sch.is_unknown()
        && let Value::Map(m) = v
        && let (Some(Value::String(av)), Some(Value::String(kind))) = (m.get("apiVersion"), m.get("kind"))
    {
        schemas.lookup(av, kind).unwrap_or(sch)
    } else {
        sch
    };
    match v {
        Value::Map(m) => m.iter().all(|(k, x)| normalized_at(x, sch.field(k), schemas)),
        Value::Seq(items) => match sch.list_meta().filter(|m| m.is_merging()) {
            None => true,
            Some(meta) => {
                let keys = meta.keys();
                let mut seen: Vec<Vec<String>> = Vec::new();
                for e in items {
                    let id: Vec<String> = if keys.is_empty() {
                        if matches!(e, Value::Null | Value::Map(_) | Value::Seq(_)) {
                            return false;
                        }
                        vec![node_text(e)]
                    } else {
                        if !matches!(e, Value::Map(m) if !m.is_empty()) {
                            return false;
                        }
                        let id: Vec<String> = keys.iter().map(|k| key_text(e, k)).collect();
                        if id.iter().any(String::is_empty) {
                            return false;
                        }
                        id
                    };
                    if seen.contains(&id) {
                        return false;
                    }
                    seen.push(id);
                }
                items.iter().all(|e| normalized_at(e, sch.items(), schemas))
            }
        },
        _ => true,
    }
}
