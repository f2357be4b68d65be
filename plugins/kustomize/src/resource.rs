//! One resource under construction, with the build metadata kustomize keeps alongside it (previous names and
//! namespaces, name prefixes and suffixes, generator behaviour, hash-suffix request), and the ordered resource list.
//!
//! kustomize stores this metadata in internal annotations that it strips before printing; kiln keeps it in
//! [`BuildMeta`] instead and reproduces the visible side effect of that round trip (see [`Resource::finish`]).

use kiln_yaml::{Map, Value};

use crate::error::{Error, Result};
use crate::types::{Gvk, ResId};

/// How a generated ConfigMap or Secret combines with an existing one of the same ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// `create` or unset: a new object; an existing one with the same ID is an error.
    Create,
    /// `merge`: merge data, labels and annotations into the existing object.
    Merge,
    /// `replace`: replace the existing object's data.
    Replace,
    /// Any other value (treated like `create`).
    Unspecified,
}

impl Behavior {
    /// Parse a generator's `behavior` field.
    pub fn parse(s: &str) -> Self {
        match s {
            "create" => Behavior::Create,
            "merge" => Behavior::Merge,
            "replace" => Behavior::Replace,
            _ => Behavior::Unspecified,
        }
    }
}

/// A previous identity of a resource (before a rename, namespace change or kind change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrevId {
    /// The name.
    pub name: String,
    /// The effective namespace at the time (`default` for none, `_non_namespaceable_` for cluster-scoped kinds).
    pub namespace: String,
    /// The kind.
    pub kind: String,
}

/// Build metadata (kustomize's internal annotations).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildMeta {
    /// Previous identities, oldest first.
    pub prev: Vec<PrevId>,
    /// Name prefixes applied, innermost first.
    pub prefixes: Vec<String>,
    /// Name suffixes applied, innermost first.
    pub suffixes: Vec<String>,
    /// IDs of resources whose name references point here.
    pub ref_by: Vec<String>,
    /// Generator behaviour (generated resources only).
    pub behavior: Option<Behavior>,
    /// The name gets a content hash suffix at the end of the build.
    pub needs_hash: bool,
    /// A patch carrying this may rename its target.
    pub allow_name_change: bool,
    /// A patch carrying this may change its target's kind.
    pub allow_kind_change: bool,
    /// Legacy `vars` that read from this resource.
    pub ref_var_names: Vec<String>,
}

impl BuildMeta {
    /// True when kustomize would hold at least one build annotation for this metadata.
    pub fn any(&self) -> bool {
        !self.prev.is_empty()
            || !self.prefixes.is_empty()
            || !self.suffixes.is_empty()
            || !self.ref_by.is_empty()
            || self.behavior.is_some()
            || self.needs_hash
            || self.allow_name_change
            || self.allow_kind_change
    }
}

/// A resource: the object and its build metadata.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The object (a mapping).
    pub value: Value,
    /// Build metadata.
    pub meta: BuildMeta,
    /// The file the object came from (for messages).
    pub origin: String,
}

/// The string at `obj.<path...>` (empty when missing or not a string).
pub fn str_at<'v>(obj: &'v Value, path: &[&str]) -> &'v str {
    obj.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// The text kyaml reads from a scalar node for a `map[string]string` view (labels, annotations, ConfigMap data).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => kpatch::values::node_text(other),
    }
}

impl Resource {
    /// Wrap an object.
    pub fn new(value: Value, origin: impl Into<String>) -> Self {
        Resource { value, meta: BuildMeta::default(), origin: origin.into() }
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        str_at(&self.value, &["kind"])
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        str_at(&self.value, &["apiVersion"])
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        str_at(&self.value, &["metadata", "name"])
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> &str {
        str_at(&self.value, &["metadata", "namespace"])
    }

    /// The current GVK.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// Whether the current ID could equal `id`: the same name and kind, read in place. A cheap test to run
    /// before building the ID ([`Resource::cur_id`] allocates and looks up the kind's scope).
    pub fn may_have_id(&self, id: &ResId) -> bool {
        self.name() == id.name && self.kind() == id.gvk.kind
    }

    /// The current ID.
    pub fn cur_id(&self) -> ResId {
        ResId::new(self.gvk(), self.name(), self.namespace())
    }

    /// Previous IDs, oldest first (group and version are the current ones, as in kustomize).
    pub fn prev_ids(&self) -> Vec<ResId> {
        let (group, version) = self.api_version().split_once('/').unwrap_or(("", self.api_version()));
        self.meta
            .prev
            .iter()
            .map(|p| ResId {
                gvk: Gvk { group: group.to_owned(), version: version.to_owned(), kind: p.kind.clone() },
                name: p.name.clone(),
                namespace: p.namespace.clone(),
                cluster_scoped: false,
            })
            .collect()
    }

    /// The original ID: the oldest previous ID, or the current one.
    pub fn org_id(&self) -> ResId {
        self.prev_ids().into_iter().next().unwrap_or_else(|| self.cur_id())
    }

    /// Current ID first, then previous IDs (kustomize's `MakeResIds`; here the current ID's cluster scope is not
    /// computed, as there).
    pub fn all_ids_unscoped(&self) -> Vec<ResId> {
        let mut ids = vec![ResId {
            gvk: self.gvk(),
            name: self.name().to_owned(),
            namespace: self.namespace().to_owned(),
            cluster_scoped: false,
        }];
        ids.extend(self.prev_ids());
        ids
    }

    /// Record the current identity as a previous one.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.meta.prev.push(PrevId {
            name: id.name.clone(),
            namespace: id.effective_namespace().to_owned(),
            kind: id.gvk.kind.clone(),
        });
    }

    fn metadata_mut(&mut self) -> Result<&mut Map> {
        let Value::Map(root) = &mut self.value else {
            return Err(Error::invalid("a resource must be a mapping"));
        };
        let meta = root.entry("metadata".to_owned()).or_insert_with(|| Value::Map(Map::new()));
        if meta.is_null() {
            *meta = Value::Map(Map::new());
        }
        meta.as_map_mut().ok_or_else(|| Error::invalid("metadata must be a mapping"))
    }

    /// Set `metadata.name`.
    pub fn set_name(&mut self, name: &str) -> Result<()> {
        self.metadata_mut()?.insert("name".to_owned(), Value::String(name.to_owned()));
        Ok(())
    }

    /// Set `metadata.namespace`, removing it when `ns` is empty.
    pub fn set_namespace(&mut self, ns: &str) -> Result<()> {
        if ns.is_empty() {
            if let Some(Value::Map(m)) = self.value.get_mut("metadata") {
                m.shift_remove("namespace");
            }
            return Ok(());
        }
        self.metadata_mut()?.insert("namespace".to_owned(), Value::String(ns.to_owned()));
        Ok(())
    }

    /// Set `kind`.
    pub fn set_kind(&mut self, kind: &str) {
        if let Value::Map(m) = &mut self.value {
            m.insert("kind".to_owned(), Value::String(kind.to_owned()));
        }
    }

    /// Set `apiVersion`.
    pub fn set_api_version(&mut self, av: &str) {
        if let Value::Map(m) = &mut self.value {
            m.insert("apiVersion".to_owned(), Value::String(av.to_owned()));
        }
    }

    /// `metadata.labels` or `metadata.annotations` as kyaml's string map view (insertion order).
    pub fn string_map(&self, field: &str) -> Vec<(String, String)> {
        match self.value.pointer(&["metadata", field]) {
            Some(Value::Map(m)) => m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect(),
            _ => Vec::new(),
        }
    }

    /// Replace `metadata.<field>` with string values (kyaml's `SetLabels`/`SetAnnotations`): the field is removed
    /// when `pairs` is empty.
    pub fn set_string_map(&mut self, field: &str, pairs: Vec<(String, String)>) -> Result<()> {
        let meta = self.metadata_mut()?;
        if pairs.is_empty() {
            meta.shift_remove(field);
            return Ok(());
        }
        let mut sorted = pairs;
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|a, b| a.0 == b.0);
        let map: Map = sorted.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        meta.insert(field.to_owned(), Value::Map(map));
        Ok(())
    }

    /// True when the object is null or an empty mapping (deleted by a patch).
    pub fn is_empty(&self) -> bool {
        matches!(&self.value, Value::Null) || matches!(&self.value, Value::Map(m) if m.is_empty())
    }

    /// kustomize's `CopyMergeMetaDataFieldsFrom(other)`: labels and annotations merged (this one's win), build
    /// metadata taken from `other` (keeping this one's hash request only if both have it), name and namespace
    /// from `other`.
    pub fn copy_merge_metadata_from(&mut self, other: &Resource) -> Result<()> {
        let labels = merge_pairs(other.string_map("labels"), self.string_map("labels"));
        self.set_string_map("labels", labels)?;
        let annotations = merge_pairs(other.string_map("annotations"), self.string_map("annotations"));
        self.set_string_map("annotations", annotations)?;
        let needs_hash = self.meta.needs_hash && other.meta.needs_hash;
        let ref_var_names = other.meta.ref_var_names.clone();
        self.meta = BuildMeta { needs_hash, ref_var_names, ..other.meta.clone() };
        let (name, ns) = (other.name().to_owned(), other.namespace().to_owned());
        self.set_name(&name)?;
        self.set_namespace(&ns)
    }

    /// kustomize keeps its build metadata in `internal.config.kubernetes.io/*` annotations and reads them back from
    /// whatever it is given: a resource read from a file that carries them (the output of another tool, or a test)
    /// starts with that metadata (previous identities, prefixes and suffixes, generator behaviour, hash request,
    /// name/kind change permission, referrers). They are moved into the build metadata here, so they act as in
    /// kustomize and are removed from the output as kustomize removes them.
    pub fn import_build_annotations(&mut self) -> Result<()> {
        const DOMAIN: &str = "internal.config.kubernetes.io/";
        let annotations = self.string_map("annotations");
        if !annotations.iter().any(|(k, _)| k.starts_with(DOMAIN)) {
            return Ok(());
        }
        let get = |name: &str| annotations.iter().find(|(k, _)| k.strip_prefix(DOMAIN) == Some(name)).map(|(_, v)| v);
        let csv = |name: &str| get(name).map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>());
        if let Some(names) = csv("previousNames") {
            let namespaces = csv("previousNamespaces").unwrap_or_else(|| vec![String::new()]);
            let kinds = csv("previousKinds").unwrap_or_else(|| vec![String::new()]);
            if names.len() != namespaces.len() || names.len() != kinds.len() {
                return Err(Error::invalid(format!(
                    "{}: number of previous names, number of previous namespaces, number of previous kinds not equal \
                     (annotations {DOMAIN}previousNames, previousNamespaces, previousKinds)",
                    self.cur_id()
                )));
            }
            for ((name, namespace), kind) in names.into_iter().zip(namespaces).zip(kinds) {
                self.meta.prev.push(PrevId { name, namespace, kind });
            }
        }
        self.meta.prefixes.extend(csv("prefixes").unwrap_or_default());
        self.meta.suffixes.extend(csv("suffixes").unwrap_or_default());
        self.meta.ref_by.extend(csv("refBy").unwrap_or_default());
        if let Some(b) = get("generatorBehavior") {
            self.meta.behavior = Some(Behavior::parse(b));
        }
        let enabled = |name: &str| get(name).is_some_and(|v| v == "enabled");
        self.meta.needs_hash |= enabled("needsHashSuffix");
        self.meta.allow_name_change |= enabled("allowNameChange");
        self.meta.allow_kind_change |= enabled("allowKindChange");
        const BUILD: [&str; 10] = [
            "previousKinds",
            "previousNames",
            "prefixes",
            "suffixes",
            "previousNamespaces",
            "allowNameChange",
            "allowKindChange",
            "refBy",
            "generatorBehavior",
            "needsHashSuffix",
        ];
        let kept: Vec<(String, String)> = annotations
            .iter()
            .filter(|(k, _)| !k.strip_prefix(DOMAIN).is_some_and(|n| BUILD.contains(&n)))
            .cloned()
            .collect();
        self.set_string_map("annotations", kept)
    }

    /// The build's last step on each resource: kustomize strips its build annotations with `SetAnnotations`,
    /// which rewrites every annotation value as a string and drops an annotations map left empty; then, unless
    /// `buildMetadata` keeps them, it removes origin and transformation annotations the same way (so even an
    /// input's own `annotations: {}` goes).
    ///
    /// kustomize rewrites the annotations up to three times; the last rewrite gives what one rewrite of the final
    /// set gives, so it is done once.
    pub fn finish(&mut self, keep_origin: bool, keep_transformations: bool) -> Result<()> {
        let mut annotations = self.string_map("annotations");
        let rewrite = !annotations.is_empty() || self.meta.any() || !keep_origin || !keep_transformations;
        if !keep_origin {
            annotations.retain(|(k, _)| k != crate::origin::ORIGIN);
        }
        if !keep_transformations {
            annotations.retain(|(k, _)| k != crate::origin::TRANSFORMATIONS);
        }
        self.meta = BuildMeta::default();
        if rewrite { self.set_string_map("annotations", annotations) } else { Ok(()) }
    }
}

/// Merge string maps, later ones winning, keeping first positions.
pub fn merge_pairs(base: Vec<(String, String)>, over: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = base;
    for (k, v) in over {
        match out.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// The ordered resources of a build (kustomize's `ResMap`).
#[derive(Debug, Clone, Default)]
pub struct ResMap {
    /// The resources, in order.
    pub list: Vec<Resource>,
}

impl ResMap {
    /// Append, refusing a second resource with an equal current ID.
    pub fn append(&mut self, r: Resource) -> Result<()> {
        let id = r.cur_id();
        if self.list.iter().any(|x| x.may_have_id(&id) && x.cur_id().equals(&id)) {
            return Err(Error::failed(format!("may not add resource with an already registered id: {id}")));
        }
        self.list.push(r);
        Ok(())
    }

    /// Append all.
    pub fn append_all(&mut self, other: Vec<Resource>) -> Result<()> {
        for r in other {
            self.append(r)?;
        }
        Ok(())
    }

    /// Indexes of resources any of whose IDs (current or previous) satisfies `f`.
    pub fn matching_any_id(&self, f: impl Fn(&ResId) -> bool) -> Vec<usize> {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty() && (r.prev_ids().iter().any(&f) || f(&r.cur_id())))
            .map(|(i, _)| i)
            .collect()
    }

    /// Add generated resources, honouring their `behavior` (kustomize's `AbsorbAll`).
    pub fn absorb_all(&mut self, other: Vec<Resource>) -> Result<()> {
        for mut r in other {
            let id = r.cur_id();
            let matches = self.matching_any_id(|x| x.equals(&id));
            let behavior = r.meta.behavior.unwrap_or(Behavior::Unspecified);
            match matches.as_slice() {
                [] => match behavior {
                    Behavior::Merge | Behavior::Replace => {
                        return Err(Error::failed(format!("id {id} does not exist; cannot merge or replace")));
                    }
                    _ => self.append(r)?,
                },
                [i] => {
                    let Some(old) = self.list.get(*i) else { continue };
                    match behavior {
                        Behavior::Replace => r.copy_merge_metadata_from(old)?,
                        Behavior::Merge => {
                            // The merged resource keeps the existing one's origin (buildMetadata).
                            let kept_origin = crate::origin::get(old)?;
                            r.copy_merge_metadata_from(old)?;
                            if let Some(o) = kept_origin {
                                crate::origin::set(&mut r, Some(&o))?;
                            }
                            for field in ["data", "binaryData"] {
                                let merged = merge_pairs(data_map(&old.value, field), data_map(&r.value, field));
                                set_data_map(&mut r.value, field, merged);
                            }
                        }
                        _ => {
                            return Err(Error::failed(format!("id {id} exists; behavior must be merge or replace")));
                        }
                    }
                    if let Some(slot) = self.list.get_mut(*i) {
                        *slot = r;
                    }
                }
                many => {
                    return Err(Error::failed(format!("found {} objects that could accept merge of {id}", many.len())));
                }
            }
        }
        Ok(())
    }

    /// Drop resources emptied by patches.
    pub fn drop_empties(&mut self) {
        self.list.retain(|r| !r.is_empty());
    }
}

/// `data` or `binaryData` as string pairs.
pub fn data_map(obj: &Value, field: &str) -> Vec<(String, String)> {
    match obj.get(field) {
        Some(Value::Map(m)) => m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect(),
        _ => Vec::new(),
    }
}

/// kyaml's `SetDataMap`: replaces the field with string values, sorted by key (removed when empty).
pub fn set_data_map(obj: &mut Value, field: &str, pairs: Vec<(String, String)>) {
    let Value::Map(root) = obj else { return };
    if pairs.is_empty() {
        root.shift_remove(field);
        return;
    }
    let mut sorted = pairs;
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    root.insert(field.to_owned(), Value::Map(sorted.into_iter().map(|(k, v)| (k, Value::String(v))).collect()));
}
