//! kustomize's built-in transformers over a [`ResMap`]: namespace, name prefix and suffix, labels, annotations,
//! images, replicas, patches, the hash suffix, name-reference fixing and sorting.

use kiln_yaml::Value;
use kpatch::json_patch::JsonPatch;
use kpatch::resid::ObjectId;
use kpatch::smp::Schemas;
use regex::Regex;

use crate::config::NameBackReferences;
use crate::error::{Error, Result};
use crate::fieldspec::{self, Create, set_entry, set_scalar};
use crate::kustomization::{ImageArgs, Selector, SortOptions};
use crate::resource::{ResMap, Resource, scalar_text};
use crate::types::{FieldSpec, Gvk, ResId, kind_rank};

/// How the namespace transformer treats RoleBinding subjects (`setRoleBindingSubjects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectMode {
    /// `defaultOnly` (the default): subjects named `default`.
    #[default]
    DefaultOnly,
    /// `allServiceAccounts`: every ServiceAccount subject.
    AllServiceAccounts,
    /// `none`.
    None,
}

/// The namespace transformer.
pub fn namespace(rm: &mut ResMap, ns: &str, specs: &[FieldSpec], unset_only: bool, mode: SubjectMode) -> Result<()> {
    if ns.is_empty() {
        return Ok(());
    }
    let setter = |node: &mut Value| -> Result<()> {
        if unset_only && !matches!(node, Value::Null) && !scalar_text(node).is_empty() {
            return Ok(());
        }
        set_scalar(node, Value::String(ns.to_owned()))
    };
    for i in 0..rm.list.len() {
        let Some(r) = rm.list.get_mut(i) else { continue };
        if r.is_empty() {
            continue;
        }
        r.store_previous_id();
        let gvk = r.gvk();
        let api_version = r.api_version().to_owned();
        let mut fss: Vec<&FieldSpec> = specs
            .iter()
            .filter(|f| f.path != "metadata/namespace" && (api_version == "v1" || f.path != "metadata/name"))
            .collect();
        let is_binding = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if !gvk.is_cluster_scoped() {
            let meta_ns = FieldSpec { gvk: Gvk::default(), path: "metadata/namespace".into(), create: true };
            fieldspec::apply(&mut r.value, &meta_ns, Create::Scalar, &mut |n| setter(n))?;
        }
        if is_binding {
            fss.retain(|f| {
                !((f.gvk.kind == "RoleBinding" || f.gvk.kind == "ClusterRoleBinding") && f.path == "subjects/namespace")
            });
            if mode != SubjectMode::None
                && let Some(Value::Seq(subjects)) = r.value.get_mut("subjects")
            {
                for s in subjects.iter_mut() {
                    let hit = match mode {
                        SubjectMode::DefaultOnly => s.get("name").and_then(Value::as_str) == Some("default"),
                        SubjectMode::AllServiceAccounts => {
                            s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                        }
                        SubjectMode::None => false,
                    };
                    if hit && let Value::Map(m) = s {
                        let slot = m.entry("namespace".to_owned()).or_insert(Value::Null);
                        setter(slot)?;
                    }
                }
            }
        }
        for fs in fss {
            fieldspec::apply(&mut r.value, fs, Create::Scalar, &mut |n| setter(n))
                .map_err(|e| e.context("namespace transformation failed"))?;
        }
        let id = r.cur_id();
        let count = rm.list.iter().filter(|x| x.may_have_id(&id) && x.cur_id().equals(&id)).count();
        if count != 1 {
            return Err(Error::failed(format!(
                "namespace transformation produces ID conflict: {count} resources have ID {id}"
            )));
        }
    }
    Ok(())
}

fn skip_for_name_change(id: &ResId) -> bool {
    let sel = |group: &str, kind: &str| Gvk { group: group.into(), version: String::new(), kind: kind.into() };
    [sel("", "CustomResourceDefinition"), sel("apiregistration.k8s.io", "APIService"), sel("", "Namespace")]
        .iter()
        .any(|s| id.gvk.is_selected(s))
}

/// The prefix (`suffix == false`) or suffix transformer.
pub fn prefix_suffix(rm: &mut ResMap, affix: &str, specs: &[FieldSpec], suffix: bool) -> Result<()> {
    for r in &mut rm.list {
        let id = r.org_id();
        if skip_for_name_change(&id) {
            continue;
        }
        for fs in specs {
            if !id.gvk.is_selected(&fs.gvk) {
                continue;
            }
            if fs.path == "metadata/name" && !affix.is_empty() {
                if suffix {
                    r.meta.suffixes.push(affix.to_owned());
                } else {
                    r.meta.prefixes.push(affix.to_owned());
                }
                r.store_previous_id();
            }
            fieldspec::apply(&mut r.value, fs, Create::Scalar, &mut |n| {
                let cur = scalar_text(n);
                let new = if suffix { format!("{cur}{affix}") } else { format!("{affix}{cur}") };
                set_scalar(n, Value::String(new))
            })?;
        }
    }
    Ok(())
}

/// The label (`field == "labels"`) or annotation transformer: every pair at every field spec, keys sorted.
pub fn metadata_pairs(rm: &mut ResMap, pairs: &[(String, String)], specs: &[FieldSpec]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut sorted = pairs.to_vec();
    sorted.sort();
    for r in &mut rm.list {
        for (k, v) in &sorted {
            for fs in specs {
                fieldspec::apply(&mut r.value, fs, Create::Map, &mut |n| set_entry(n, k, Value::String(v.clone())))?;
            }
        }
    }
    Ok(())
}

/// kustomize's image name split and rewrite rule.
fn rewrite_image(image: &ImageArgs, pattern: &Regex, value: &str) -> Option<String> {
    if !pattern.is_match(value) {
        return None;
    }
    let (name, tag, digest) = kpatch::images::split(value);
    let mut name = name.to_owned();
    let (mut tag, mut digest) = (tag.to_owned(), digest.to_owned());
    if !image.new_name.is_empty() {
        name = image.new_name.clone();
    }
    if !image.new_tag.is_empty() && !image.digest.is_empty() {
        tag = image.new_tag.clone();
        digest = image.digest.clone();
    } else if !image.new_tag.is_empty() {
        tag = image.new_tag.clone();
        digest.clear();
    } else if !image.digest.is_empty() {
        tag.clear();
        digest = image.digest.clone();
    } else if !image.tag_suffix.is_empty() {
        tag.push_str(&image.tag_suffix);
        digest.clear();
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    Some(name)
}

fn update_image_node(image: &ImageArgs, pattern: &Regex, node: &mut Value) -> Result<()> {
    match node {
        Value::Map(_) | Value::Seq(_) => Err(Error::failed("wrong node kind: expected ScalarNode for an image")),
        _ => {
            if let Some(new) = rewrite_image(image, pattern, &scalar_text(node)) {
                *node = Value::String(new);
            }
            Ok(())
        }
    }
}

fn legacy_images(node: &mut Value, image: &ImageArgs, pattern: &Regex) -> Result<()> {
    match node {
        Value::Map(m) => {
            for (k, v) in m.iter_mut() {
                legacy_images(v, image, pattern)?;
                if (k == "containers" || k == "initContainers")
                    && let Value::Seq(items) = v
                {
                    for item in items {
                        if let Some(img) = item.get_mut("image") {
                            update_image_node(image, pattern, img)?;
                        }
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => items.iter_mut().try_for_each(|i| legacy_images(i, image, pattern)),
        _ => Ok(()),
    }
}

/// The image tag transformer: containers found anywhere (kustomize's legacy walk), then the configured fields.
pub fn images(rm: &mut ResMap, image: &ImageArgs, specs: &[FieldSpec]) -> Result<()> {
    let Ok(pattern) = Regex::new(&format!("^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$", image.name))
    else {
        return Err(Error::invalid(format!("images: name {:?} is not a valid regular expression", image.name)));
    };
    for r in &mut rm.list {
        if r.kind() == "CustomResourceDefinition" {
            continue;
        }
        legacy_images(&mut r.value, image, &pattern)?;
        for fs in specs {
            fieldspec::apply(&mut r.value, &FieldSpec { create: false, ..fs.clone() }, Create::Never, &mut |n| {
                update_image_node(image, &pattern, n)
            })?;
        }
    }
    Ok(())
}

/// The replica count transformer.
pub fn replicas(rm: &mut ResMap, name: &str, count: i64, specs: &[FieldSpec]) -> Result<()> {
    let mut found = false;
    for fs in specs {
        let hits = rm.matching_any_id(|id| id.name == name && id.gvk.is_selected(&fs.gvk));
        found |= !hits.is_empty();
        for i in hits {
            if let Some(r) = rm.list.get_mut(i) {
                fieldspec::apply(&mut r.value, fs, Create::Scalar, &mut |n| set_scalar(n, Value::Int(count)))?;
            }
        }
    }
    if !found {
        let gvks: Vec<String> = specs.iter().map(|f| f.gvk.to_string()).collect();
        return Err(Error::failed(format!(
            "resource with name {name} does not match a config with the following GVK [{}]",
            gvks.join(" ")
        )));
    }
    Ok(())
}

fn object_id(id: &ResId) -> ObjectId {
    ObjectId {
        group: id.gvk.group.clone(),
        version: id.gvk.version.clone(),
        kind: id.gvk.kind.clone(),
        name: id.name.clone(),
        namespace: id.namespace.clone(),
        cluster_scoped: id.cluster_scoped,
    }
}

/// Indexes of the resources `sel` selects (kustomize's `ResMap.Select`).
pub fn select(rm: &ResMap, sel: &Selector) -> Result<Vec<usize>> {
    let target = kpatch::selector::Target {
        group: sel.id.gvk.group.clone(),
        version: sel.id.gvk.version.clone(),
        kind: sel.id.gvk.kind.clone(),
        name: sel.id.name.clone(),
        namespace: sel.id.namespace.clone(),
        label_selector: sel.label_selector.clone(),
        annotation_selector: sel.annotation_selector.clone(),
    }
    .compile()
    .map_err(|e| Error::invalid(e.to_string()))?;
    Ok(rm
        .list
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let cur = r.cur_id();
            let mut org = r.org_id();
            if r.meta.prev.is_empty() {
                org = cur.clone();
            }
            target.matches(&r.value, &object_id(&cur), &object_id(&org))
        })
        .map(|(i, _)| i)
        .collect())
}

/// A parsed patch: strategic merge documents or a JSON 6902 patch.
#[derive(Debug, Clone)]
pub enum PatchBody {
    /// Strategic merge patches (one per document).
    Strategic(Vec<Resource>),
    /// A JSON 6902 patch.
    Json(JsonPatch),
}

/// Parse patch text the way kustomize's PatchTransformer does: a YAML/JSON list is a JSON 6902 patch, mappings are
/// strategic merge patches.
pub fn parse_patch(text: &str, source: &str) -> Result<PatchBody> {
    let docs = kiln_yaml::from_str_multi_with(text, &kiln_yaml::LoadOptions::kustomize());
    let first_seq = match &docs {
        Ok(d) => d.iter().find(|v| !v.is_null()).is_some_and(|v| matches!(v, Value::Seq(_))),
        Err(_) => text.trim_start().starts_with('['),
    };
    if first_seq {
        let v = kpatch::yaml::parse_json6902(text)
            .map_err(|e| Error::invalid(format!("unable to parse JSON patch from {source}: {e}")))?;
        let jp = JsonPatch::from_value(&v)
            .map_err(|e| Error::invalid(format!("unable to parse JSON patch from {source}: {e}")))?;
        return Ok(PatchBody::Json(jp));
    }
    let docs = docs.map_err(|e| Error::invalid(format!("unable to parse SM or JSON patch from {source}: {e}")))?;
    let mut out = Vec::new();
    for d in docs {
        if d.is_null() || matches!(&d, Value::Map(m) if m.is_empty()) {
            continue;
        }
        let r = Resource::new(d, source);
        if r.kind().is_empty() {
            return Err(Error::invalid(format!("unable to parse SM or JSON patch from {source}: missing kind")));
        }
        if r.name().is_empty() && !r.kind().ends_with("List") {
            return Err(Error::invalid(format!(
                "unable to parse SM or JSON patch from {source}: missing metadata.name"
            )));
        }
        out.push(r);
    }
    if out.is_empty() {
        // Nothing but blank lines, comments or empty documents: kustomize ends up with an empty JSON patch (a target
        // is then required, and the targets are left as they are).
        return Ok(PatchBody::Json(JsonPatch { ops: Vec::new() }));
    }
    Ok(PatchBody::Strategic(out))
}

/// kyaml's `SetLabels`/`SetAnnotations` round trip on a patch copy (`CopyMergeMetaDataFieldsFrom(self)`).
fn normalize_patch_metadata(p: &mut Resource) -> Result<()> {
    for field in ["labels", "annotations"] {
        let pairs = p.string_map(field);
        p.set_string_map(field, pairs)?;
    }
    let ns = p.namespace().to_owned();
    p.set_namespace(&ns)
}

/// Apply one strategic merge patch to a resource (kustomize's `Resource.ApplySmPatch`).
pub fn apply_smp(r: &mut Resource, patch: &Resource, schemas: &Schemas<'_>) -> Result<()> {
    let (name, ns, kind) = (r.name().to_owned(), r.namespace().to_owned(), r.kind().to_owned());
    let (allow_name, allow_kind) = (patch.meta.allow_name_change, patch.meta.allow_kind_change);
    if allow_name || allow_kind {
        r.store_previous_id();
    }
    let merged = kpatch::smp::apply(r.value.clone(), &patch.value, schemas).map_err(|e| {
        Error::failed(format!("applying strategic merge patch from {} to {}: {e}", patch.origin, r.cur_id()))
    })?;
    match merged {
        None => {
            r.value = Value::Null;
            return Ok(());
        }
        Some(v) => r.value = v,
    }
    if r.is_empty() {
        return Ok(());
    }
    if allow_name || allow_kind {
        r.meta.allow_name_change |= allow_name;
        r.meta.allow_kind_change |= allow_kind;
    }
    if !allow_kind {
        r.set_kind(&kind);
    }
    if !allow_name {
        r.set_name(&name)?;
    }
    r.set_namespace(&ns)
}

/// Apply a strategic merge patch to the selected resources (kustomize's `ResMap.ApplySmPatch`): the patch takes
/// each target's apiVersion (keeping its own kind).
pub fn apply_smp_to(rm: &mut ResMap, selected: &[usize], patch: &Resource, schemas: &Schemas<'_>) -> Result<()> {
    for &i in selected {
        let Some(r) = rm.list.get_mut(i) else { continue };
        let mut copy = patch.clone();
        normalize_patch_metadata(&mut copy)?;
        copy.set_api_version(r.api_version());
        apply_smp(r, &copy, schemas)?;
    }
    rm.drop_empties();
    Ok(())
}

/// Apply a JSON 6902 patch to one resource. `store_previous` is kustomize's PatchTransformer behaviour (a patch
/// may rename its target); the legacy `patchesJson6902` field does not record the previous name.
pub fn apply_json(r: &mut Resource, jp: &JsonPatch, store_previous: bool, source: &str) -> Result<()> {
    if store_previous {
        r.store_previous_id();
    }
    let id = r.cur_id();
    jp.apply(&mut r.value).map_err(|e| Error::failed(format!("applying JSON patch from {source} to {id}: {e}")))?;
    let pairs = r.string_map("annotations");
    r.set_string_map("annotations", pairs)
}

/// The resources an untargeted strategic merge patch applies to: exactly one whose current or previous ID
/// equals the patch's.
pub fn smp_target(rm: &ResMap, patch: &Resource) -> Result<usize> {
    let id = patch.org_id();
    match rm.matching_any_id(|x| x.equals(&id)).as_slice() {
        [i] => Ok(*i),
        [] => Err(Error::failed(format!(
            "no resource matches strategic merge patch \"{id}\": no matches for Id {id}; failed to find unique target for patch {id}"
        ))),
        _ => Err(Error::failed(format!("multiple matches for Id {id}; failed to find unique target for patch {id}"))),
    }
}

/// Append the content hash to the names of generated resources that asked for one.
pub fn add_hashes(rm: &mut ResMap) -> Result<()> {
    for r in &mut rm.list {
        if r.meta.needs_hash {
            let h = crate::generators::content_hash(&r.value)?;
            r.store_previous_id();
            let name = format!("{}-{h}", r.name());
            r.set_name(&name)?;
        }
    }
    Ok(())
}

/// kustomize's name-reference fixing: every field that names another resource follows that resource's renames.
pub fn fix_name_references(rm: &mut ResMap, back_refs: &[NameBackReferences]) -> Result<()> {
    let n = rm.list.len();
    let org: Vec<ResId> = rm.list.iter().map(Resource::org_id).collect();
    let mut filters: Vec<Vec<(&FieldSpec, &Gvk)>> = vec![Vec::new(); n];
    for br in back_refs {
        for spec in &br.referrers {
            for (i, id) in org.iter().enumerate() {
                if id.gvk.is_selected(&spec.gvk)
                    && let Some(f) = filters.get_mut(i)
                {
                    f.push((spec, &br.gvk));
                }
            }
        }
    }
    let mut referred: Vec<(usize, String)> = Vec::new();
    for (i, fl) in filters.iter().enumerate() {
        if fl.is_empty() {
            continue;
        }
        let Some(referrer) = rm.list.get(i) else { continue };
        let candidates = could_be_referenced_by(rm, referrer)?;
        let mut value = referrer.value.clone();
        let gvk = referrer.gvk();
        for (spec, target) in fl {
            let fs = FieldSpec { gvk: gvk.clone(), path: spec.path.clone(), create: false };
            let ctx = Referral { rm, referrer, candidates: &candidates, target, path: &spec.path };
            fieldspec::apply(&mut value, &fs, Create::Never, &mut |node| ctx.set(node, &mut referred)).map_err(
                |e| e.context(format!("updating name reference in '{}' field of '{}'", spec.path, referrer.cur_id())),
            )?;
        }
        if let Some(r) = rm.list.get_mut(i) {
            r.value = value;
        }
    }
    for (i, by) in referred {
        if let Some(r) = rm.list.get_mut(i) {
            r.meta.ref_by.push(by);
        }
    }
    Ok(())
}

fn could_be_referenced_by(rm: &ResMap, referrer: &Resource) -> Result<Vec<usize>> {
    let rid = referrer.cur_id();
    if rid.cluster_scoped {
        return Ok((0..rm.list.len()).collect());
    }
    let mut rb_namespaces: Vec<String> = Vec::new();
    if referrer.kind() == "RoleBinding"
        && let Some(Value::Seq(subjects)) = referrer.value.get("subjects")
    {
        for s in subjects {
            if let (Some(ns), Some(kind)) = (s.get("namespace"), s.get("kind"))
                && kind.as_str() == Some("ServiceAccount")
            {
                match ns {
                    Value::String(n) => rb_namespaces.push(n.clone()),
                    _ => {
                        return Err(Error::invalid(format!(
                            "Invalid Input: namespace is blank for resource \"{rid}\""
                        )));
                    }
                }
            }
        }
    }
    Ok(rm
        .list
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            let id = t.cur_id();
            id.cluster_scoped || id.is_ns_equals(&rid) || rb_namespaces.iter().any(|n| n == t.namespace())
        })
        .map(|(i, _)| i)
        .collect())
}

struct Referral<'a> {
    rm: &'a ResMap,
    referrer: &'a Resource,
    candidates: &'a [usize],
    target: &'a Gvk,
    path: &'a str,
}

impl Referral<'_> {
    fn set(&self, node: &mut Value, referred: &mut Vec<(usize, String)>) -> Result<()> {
        match node {
            Value::Null => Ok(()),
            Value::Seq(items) => {
                for item in items {
                    match item {
                        Value::Null => {}
                        Value::Map(_) => self.set_mapping(item, referred)?,
                        Value::Seq(_) => {
                            return Err(Error::failed("a name reference list may hold only strings and mappings"));
                        }
                        _ => self.set_scalar(item, referred)?,
                    }
                }
                Ok(())
            }
            Value::Map(_) => self.set_mapping(node, referred),
            _ => self.set_scalar(node, referred),
        }
    }

    fn set_scalar(&self, node: &mut Value, referred: &mut Vec<(usize, String)>) -> Result<()> {
        let old = scalar_text(node);
        let Some(i) = self.select(&old, self.candidates.to_vec(), false)? else { return Ok(()) };
        referred.push((i, self.referrer.cur_id().to_string()));
        let Some(r) = self.rm.list.get(i) else { return Ok(()) };
        if r.name() != old {
            *node = Value::String(r.name().to_owned());
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut Value, referred: &mut Vec<(usize, String)>) -> Result<()> {
        let Value::Map(m) = node else { return Ok(()) };
        let Some(name) = m.get("name") else {
            return Err(Error::failed("path config error; no 'name' field in node"));
        };
        let old = scalar_text(name);
        let candidates: Vec<usize> = match m.get("namespace") {
            None => self.candidates.to_vec(),
            Some(nsv) => {
                let ns = scalar_text(nsv);
                let by = |f: &dyn Fn(&Resource) -> ResId| -> Vec<usize> {
                    self.candidates
                        .iter()
                        .copied()
                        .filter(|&i| {
                            self.rm.list.get(i).is_some_and(|r| {
                                let e = f(r);
                                let eff = e.effective_namespace();
                                eff != crate::types::NOT_A_NAMESPACE && eff == ns
                            })
                        })
                        .collect()
                };
                let original = by(&|r: &Resource| r.org_id());
                if original.is_empty() { by(&|r: &Resource| r.cur_id()) } else { original }
            }
        };
        let Some(i) = self.select(&old, candidates, true)? else { return Ok(()) };
        referred.push((i, self.referrer.cur_id().to_string()));
        let Some(r) = self.rm.list.get(i) else { return Ok(()) };
        if r.name() == old && r.namespace().is_empty() {
            return Ok(());
        }
        m.insert("name".to_owned(), Value::String(r.name().to_owned()));
        if !r.namespace().is_empty() {
            m.insert("namespace".to_owned(), Value::String(r.namespace().to_owned()));
        }
        Ok(())
    }

    fn select(&self, old: &str, mut c: Vec<usize>, with_namespace: bool) -> Result<Option<usize>> {
        let list = &self.rm.list;
        let get = |i: &usize| list.get(*i);
        c.retain(|i| get(i).is_some_and(|r| r.prev_ids().iter().any(|id| id.name == old)));
        c.retain(|i| get(i).is_some_and(|r| r.prev_ids().iter().any(|id| id.gvk.is_selected(self.target))));
        if self.path.ends_with("roleRef/name")
            && let Some(rr) = self.referrer.value.get("roleRef")
            && let (Some(group), Some(kind)) = (rr.get("apiGroup"), rr.get("kind"))
        {
            let g = Gvk { group: scalar_text(group), version: String::new(), kind: scalar_text(kind) };
            c.retain(|i| get(i).is_some_and(|r| r.prev_ids().iter().any(|id| id.gvk.is_selected(&g))));
        }
        let rid = self.referrer.cur_id();
        if !rid.cluster_scoped {
            c.retain(|i| {
                get(i).is_some_and(|r| {
                    let id = r.cur_id();
                    id.cluster_scoped || r.kind() == "ServiceAccount" || rid.is_ns_equals(&id)
                })
            });
        }
        if let [one] = c.as_slice() {
            return Ok(Some(*one));
        }
        let ps = |r: &Resource, allow_empty: bool| {
            let me = &self.referrer.meta;
            let (rp, rs, op, os) = (&r.meta.prefixes, &r.meta.suffixes, &me.prefixes, &me.suffixes);
            if allow_empty {
                (rp.is_empty() || op.is_empty() || same_ending(rp, op))
                    && (rs.is_empty() || os.is_empty() || same_ending(rs, os))
            } else {
                same_ending(rp, op) && same_ending(rs, os)
            }
        };
        c.retain(|i| get(i).is_some_and(|r| ps(r, true)));
        if c.len() > 1 {
            c.retain(|i| get(i).is_some_and(|r| ps(r, false)));
        }
        match c.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => {
                let first = many.first().and_then(get);
                let identical = first.is_some_and(|f| {
                    many.iter()
                        .filter_map(get)
                        .all(|r| r.name() == f.name() && (!with_namespace || r.namespace() == f.namespace()))
                });
                if identical {
                    return Ok(many.first().copied());
                }
                let ids: Vec<String> = many.iter().filter_map(get).map(|r| r.cur_id().to_string()).collect();
                Err(Error::failed(format!("found multiple possible referrals: {}", ids.join(", "))))
            }
        }
    }
}

/// kustomize's `SameEndingSubSlice`.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() > b.len() { (b, a) } else { (a, b) };
    if short.is_empty() {
        return long.is_empty();
    }
    let diff = long.len() - short.len();
    short.iter().enumerate().all(|(i, s)| long.get(i + diff) == Some(s))
}

/// Sort the resources (`sortOptions`; kustomize's legacy order by default).
pub fn sort(rm: &mut ResMap, options: Option<&SortOptions>) -> Result<()> {
    let default_first: Vec<String> = crate::types::ORDER_FIRST.map(str::to_owned).to_vec();
    let default_last: Vec<String> = crate::types::ORDER_LAST.map(str::to_owned).to_vec();
    let (order, legacy) = match options {
        None => ("legacy", None),
        Some(o) => (o.order.as_str(), o.legacy.as_ref()),
    };
    match order {
        "fifo" if legacy.is_some() => {
            return Err(Error::invalid(
                "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
            ));
        }
        "fifo" => return Ok(()),
        "legacy" => {}
        _ => return Err(Error::invalid("the field 'sortOptions.order' must be one of [fifo, legacy]")),
    }
    let (first, last) = match legacy {
        Some((f, l)) => (f.clone(), l.clone()),
        None => (default_first, default_last),
    };
    let gvk_string = |g: &Gvk| {
        let or = |s: &str, d: &str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
        format!("{}_{}_{}", or(&g.group, "~G"), or(&g.version, "~V"), or(&g.kind, "~K"))
    };
    let mut keyed: Vec<(ResId, Resource)> = std::mem::take(&mut rm.list).into_iter().map(|r| (r.cur_id(), r)).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        if a.gvk != b.gvk {
            let (ra, rb) = (kind_rank(&a.gvk.kind, &first, &last), kind_rank(&b.gvk.kind, &first, &last));
            if ra != rb {
                return ra.cmp(&rb);
            }
            let (sa, sb) = (gvk_string(&a.gvk), gvk_string(&b.gvk));
            if a.gvk.kind == "Namespace"
                && b.gvk.kind == "Namespace"
                && (a.gvk.group.is_empty() || b.gvk.group.is_empty())
            {
                return sb.cmp(&sa);
            }
            return sa.cmp(&sb);
        }
        let key = |id: &ResId| {
            let ns = if id.namespace.is_empty() { "~X" } else { &id.namespace };
            let nm = if id.name.is_empty() { "~N" } else { &id.name };
            format!("{}|{ns}|{nm}", id.gvk)
        };
        key(a).cmp(&key(b))
    });
    let mut out = ResMap::default();
    for (_, r) in keyed {
        out.append(r)?;
    }
    *rm = out;
    Ok(())
}
