//! Applying a [`Config`] to a manifest set, as kustomize (and Flux's post-renderer) would.
//!
//! Order: strategic merge and JSON patches in configuration order (`patchesStrategicMerge`, `patches`,
//! `patchesJson6902`), then `images`, then `commonMetadata`. Objects keep their order; an object a patch deletes
//! (`$patch: delete`) disappears. Every result records whether the object changed, so callers can keep the
//! original bytes of untouched objects.

use crate::config::{Config, Patch, PatchBody, PatchOptions};
use crate::images::{ImageError, ImageRule};
use crate::json_patch;
use crate::resid::ObjectId;
use crate::schema::crd::CrdIndex;
use crate::selector::{CompiledTarget, SelectorError};
use crate::smp::{self, Schemas, SmpError};
use kiln_yaml::Value;

/// One object of the manifest set while (and after) patching.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The object.
    pub value: Value,
    /// Position of the object in the input.
    pub input_index: usize,
    /// Whether any step changed the object.
    pub changed: bool,
    original: ObjectId,
    current: ObjectId,
    deleted: bool,
}

impl Resource {
    /// Wrap an input object.
    pub fn new(value: Value, input_index: usize) -> Self {
        let original = ObjectId::of(&value);
        Resource { value, input_index, changed: false, current: original.clone(), original, deleted: false }
    }

    /// The object's identity as it was in the input.
    pub fn original_id(&self) -> &ObjectId {
        &self.original
    }

    /// The object's identity now.
    pub fn current_id(&self) -> &ObjectId {
        &self.current
    }

    fn refresh_id(&mut self) {
        self.current = ObjectId::of(&self.value);
    }
}

/// Why post-rendering failed. Messages name the patch (`patches[2]`) and the object (`Kind/namespace/name`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A patch selected no object.
    #[error("{patch}: {detail} (set options.allowNoMatch: true on the patch to allow this)")]
    NoMatch {
        /// The patch.
        patch: String,
        /// What it was looking for.
        detail: String,
    },
    /// A strategic merge patch without target names several objects.
    #[error("{patch}: strategic merge patch {id} matches {count} objects; give it a target")]
    MultipleMatches {
        /// The patch.
        patch: String,
        /// The identity the patch names.
        id: String,
        /// How many objects matched.
        count: usize,
    },
    /// A strategic merge patch failed on an object.
    #[error("{patch} on {object}: {source}")]
    Strategic {
        /// The patch.
        patch: String,
        /// The object.
        object: String,
        /// The failure.
        source: Box<SmpError>,
    },
    /// A JSON patch failed on an object.
    #[error("{patch} on {object}: {source}")]
    Json {
        /// The patch.
        patch: String,
        /// The object.
        object: String,
        /// The failure.
        source: Box<json_patch::ApplyError>,
    },
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(#[from] Box<crate::config::ConfigError>),
    /// A JSON patch has no target.
    #[error("{patch}: a JSON patch needs a target")]
    JsonWithoutTarget {
        /// The patch.
        patch: String,
    },
    /// A target is invalid.
    #[error("{patch}: {source}")]
    Selector {
        /// The patch.
        patch: String,
        /// The failure.
        source: Box<SelectorError>,
    },
    /// The image transformer failed.
    #[error("{object}: {source}")]
    Image {
        /// The object.
        object: String,
        /// The failure.
        source: Box<ImageError>,
    },
}

impl Error {
    /// Wrap a configuration error (for `map_err`).
    pub fn from_config(e: crate::config::ConfigError) -> Self {
        Error::Config(Box::new(e))
    }

    /// The object involved, written `Kind/namespace/name` (or `Kind/name`), when there is one.
    pub fn object(&self) -> Option<&str> {
        match self {
            Error::Strategic { object, .. } | Error::Json { object, .. } | Error::Image { object, .. } => Some(object),
            _ => None,
        }
    }
}

/// Apply `config` to `objects` (in output order). Returns the surviving objects in order.
pub fn apply(config: &Config, objects: Vec<Value>) -> Result<Vec<Resource>, Error> {
    let crds = CrdIndex::from_objects(objects.iter());
    let schemas = Schemas { builtin: crate::schema::builtin(), crds: Some(&crds) };
    let mut res: Vec<Resource> = objects.into_iter().enumerate().map(|(i, v)| Resource::new(v, i)).collect();
    for patch in &config.patches {
        apply_patch(patch, &mut res, &schemas)?;
        res.retain(|r| !r.deleted);
    }
    let rules: Vec<ImageRule> = config
        .images
        .iter()
        .map(|i| i.compile())
        .collect::<Result<_, _>>()
        .map_err(|source| Error::Image { object: "images".to_owned(), source: Box::new(source) })?;
    for r in &mut res {
        for rule in &rules {
            let changed = rule.apply(&mut r.value).map_err(|source| Error::Image {
                object: ObjectId::of(&r.value).to_string(),
                source: Box::new(source),
            })?;
            r.changed |= changed;
        }
    }
    let cm = &config.common_metadata;
    if !cm.labels.is_empty() || !cm.annotations.is_empty() {
        for r in &mut res {
            r.changed |= set_metadata(&mut r.value, "labels", &cm.labels);
            r.changed |= set_metadata(&mut r.value, "annotations", &cm.annotations);
        }
    }
    Ok(res)
}

fn set_metadata(obj: &mut Value, field: &str, pairs: &[(String, String)]) -> bool {
    if pairs.is_empty() {
        return false;
    }
    let Value::Map(root) = obj else { return false };
    let Some(meta) = crate::values::map_entry(root, "metadata") else { return false };
    let Some(map) = crate::values::map_entry(meta, field) else { return false };
    let mut changed = false;
    for (k, v) in pairs {
        let new = Value::String(v.clone());
        if map.get(k) != Some(&new) {
            map.insert(k.clone(), new);
            changed = true;
        }
    }
    changed
}

fn select(target: &CompiledTarget, res: &[Resource]) -> Vec<usize> {
    res.iter().enumerate().filter(|(_, r)| target.matches(&r.value, &r.current, &r.original)).map(|(i, _)| i).collect()
}

fn apply_patch(patch: &Patch, res: &mut [Resource], schemas: &Schemas<'_>) -> Result<(), Error> {
    let target = patch
        .target
        .as_ref()
        .map(|t| t.compile())
        .transpose()
        .map_err(|source| Error::Selector { patch: patch.label.clone(), source: Box::new(source) })?;
    match (&patch.body, target) {
        (PatchBody::Strategic(docs), None) => {
            for doc in docs {
                let id = ObjectId::of(doc);
                let hits: Vec<usize> = res
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.original.same_object(&id) || r.current.same_object(&id))
                    .map(|(i, _)| i)
                    .collect();
                match hits.as_slice() {
                    [] if patch.options.allow_no_match => {}
                    [] => {
                        return Err(Error::NoMatch {
                            patch: patch.label.clone(),
                            detail: format!(
                                "no object matches strategic merge patch {} (apiVersion {:?}); a patch without \
                                 target applies to the object with its apiVersion, kind, name and namespace",
                                id,
                                id.api_version()
                            ),
                        });
                    }
                    [i] => {
                        if let Some(r) = res.get_mut(*i) {
                            apply_smp(r, doc.clone(), &patch.options, &patch.label, schemas)?;
                        }
                    }
                    many => {
                        return Err(Error::MultipleMatches {
                            patch: patch.label.clone(),
                            id: id.to_string(),
                            count: many.len(),
                        });
                    }
                }
            }
        }
        (PatchBody::Strategic(docs), Some(t)) => {
            let hits = select(&t, res);
            if hits.is_empty() && !patch.options.allow_no_match {
                return Err(Error::NoMatch {
                    patch: patch.label.clone(),
                    detail: format!("target {} matches no object", t.target()),
                });
            }
            for doc in docs {
                for &i in &hits {
                    let Some(r) = res.get_mut(i) else { continue };
                    if r.deleted {
                        continue;
                    }
                    let mut copy = doc.clone();
                    // kustomize gives a targeted patch the target's apiVersion (kind stays the patch's).
                    if let (Value::Map(pm), Some(av)) = (&mut copy, r.value.get("apiVersion").cloned()) {
                        pm.insert("apiVersion".to_owned(), av);
                    }
                    apply_smp(r, copy, &patch.options, &patch.label, schemas)?;
                }
            }
        }
        (PatchBody::Json(jp), Some(t)) => {
            let hits = select(&t, res);
            if hits.is_empty() && !patch.options.allow_no_match {
                return Err(Error::NoMatch {
                    patch: patch.label.clone(),
                    detail: format!("target {} matches no object", t.target()),
                });
            }
            for i in hits {
                let Some(r) = res.get_mut(i) else { continue };
                let before = r.value.clone();
                jp.apply(&mut r.value).map_err(|source| Error::Json {
                    patch: patch.label.clone(),
                    object: r.current.to_string(),
                    source: Box::new(source),
                })?;
                if r.value != before {
                    r.changed = true;
                    r.refresh_id();
                }
            }
        }
        (PatchBody::Json(_), None) => return Err(Error::JsonWithoutTarget { patch: patch.label.clone() }),
    }
    Ok(())
}

fn apply_smp(
    r: &mut Resource,
    patch: Value,
    options: &PatchOptions,
    label: &str,
    schemas: &Schemas<'_>,
) -> Result<(), Error> {
    let kind = r.value.get("kind").cloned();
    let name = crate::values::meta_str(&r.value, "name").to_owned();
    let namespace = crate::values::meta_str(&r.value, "namespace").to_owned();
    let out = smp::apply(r.value.clone(), &patch, schemas).map_err(|source| Error::Strategic {
        patch: label.to_owned(),
        object: r.current.to_string(),
        source: Box::new(source),
    })?;
    let Some(mut v) = out.filter(|v| !matches!(v, Value::Map(m) if m.is_empty())) else {
        r.deleted = true;
        r.changed = true;
        return Ok(());
    };
    if let Value::Map(root) = &mut v {
        if !options.allow_kind_change
            && let Some(k) = kind
        {
            root.insert("kind".to_owned(), k);
        }
        if !options.allow_name_change
            && let Some(meta) = crate::values::map_entry(root, "metadata")
        {
            meta.insert("name".to_owned(), Value::String(name));
        }
        if namespace.is_empty() {
            if let Some(Value::Map(meta)) = root.get_mut("metadata") {
                meta.shift_remove("namespace");
            }
        } else if let Some(meta) = crate::values::map_entry(root, "metadata") {
            meta.insert("namespace".to_owned(), Value::String(namespace));
        }
    }
    if v != r.value {
        r.value = v;
        r.changed = true;
        r.refresh_id();
    }
    Ok(())
}
