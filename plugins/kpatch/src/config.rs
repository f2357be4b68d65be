//! The configuration users write: a Flux HelmRelease `postRenderers[].kustomize` block, pasted unchanged.
//!
//! ```yaml
//! patches:
//!   - target: {kind: Deployment, labelSelector: "app.kubernetes.io/name=podinfo"}
//!     patch: |
//!       - op: add
//!         path: /spec/template/spec/priorityClassName
//!         value: high
//!   - patch: |
//!       apiVersion: apps/v1
//!       kind: Deployment
//!       metadata: {name: podinfo}
//!       spec: {replicas: 3}
//! images:
//!   - {name: ghcr.io/stefanprodan/podinfo, newTag: 6.5.0}
//! ```
//!
//! Accepted fields: `patches` (entries with `patch` or `path`, optional `target` and `options`
//! (`allowNameChange`, `allowKindChange`, `allowNoMatch`)), `images` (`name`, `newName`, `newTag`, `digest`), the
//! deprecated Flux fields `patchesStrategicMerge` and `patchesJson6902`, and two kiln additions:
//! `commonMetadata` (`labels`, `annotations`, as a HelmRelease's `spec.commonMetadata`) and `allowNoMatch`. A
//! whole `postRenderers` entry (`{kustomize: {...}}`) is accepted too. Unknown fields are errors.
//!
//! `path` entries name files the plugin cannot read (it has no filesystem): the host replaces them by inline
//! `patch` text before calling the plugin.

use crate::images::Image;
use crate::json_patch::JsonPatch;
use crate::selector::Target;
use kiln_yaml::{Map, Value};

/// Why a configuration is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The text is not YAML/JSON.
    #[error("configuration is not valid YAML or JSON: {0}")]
    Syntax(String),
    /// A field has the wrong type or value.
    #[error("{path}: {message}")]
    Invalid {
        /// Where, e.g. `patches[1].target`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A field is not part of the format.
    #[error("{path}: unknown field {field:?} (expected one of: {expected})")]
    UnknownField {
        /// Where.
        path: String,
        /// The field.
        field: String,
        /// The accepted fields.
        expected: String,
    },
}

/// Options of one patch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchOptions {
    /// Let a strategic merge patch change `metadata.name`.
    pub allow_name_change: bool,
    /// Let a strategic merge patch change `kind`.
    pub allow_kind_change: bool,
    /// Do not fail when the patch matches no object.
    pub allow_no_match: bool,
}

/// The body of a patch.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchBody {
    /// One or more strategic merge patches (a `patch` text with several YAML documents gives several).
    Strategic(Vec<Value>),
    /// An RFC 6902 JSON patch.
    Json(JsonPatch),
}

/// One entry of `patches` (or of the deprecated lists).
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// Where the entry came from, for messages: `patches[0]`.
    pub label: String,
    /// The patch.
    pub body: PatchBody,
    /// Which objects it applies to; `None` applies a strategic merge patch to the object it names.
    pub target: Option<Target>,
    /// Options.
    pub options: PatchOptions,
}

/// Labels and annotations added to every object (`metadata` only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommonMetadata {
    /// Labels to set.
    pub labels: Vec<(String, String)>,
    /// Annotations to set.
    pub annotations: Vec<(String, String)>,
}

/// A parsed configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Patches, in the order kustomize applies them (`patchesStrategicMerge`, `patches`, `patchesJson6902`).
    pub patches: Vec<Patch>,
    /// Image rules, applied after the patches.
    pub images: Vec<Image>,
    /// Metadata applied last.
    pub common_metadata: CommonMetadata,
    /// Default for every patch's `allowNoMatch`.
    pub allow_no_match: bool,
}

fn invalid(path: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { path: path.to_owned(), message: message.into() }
}

fn check_fields(m: &Map, path: &str, allowed: &[&str]) -> Result<(), ConfigError> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(ConfigError::UnknownField {
                path: path.to_owned(),
                field: k.clone(),
                expected: allowed.join(", "),
            });
        }
    }
    Ok(())
}

fn as_map<'v>(v: &'v Value, path: &str) -> Result<&'v Map, ConfigError> {
    v.as_map().ok_or_else(|| invalid(path, format!("must be a mapping, got a {}", v.type_name())))
}

fn as_list<'v>(v: &'v Value, path: &str) -> Result<&'v [Value], ConfigError> {
    match v {
        Value::Seq(s) => Ok(s),
        Value::Null => Ok(&[]),
        _ => Err(invalid(path, format!("must be a list, got a {}", v.type_name()))),
    }
}

fn string(v: &Value, path: &str) -> Result<String, ConfigError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        Value::Bool(_) | Value::Int(_) | Value::Uint(_) | Value::Float(_) => Ok(crate::values::node_text(v)),
        _ => Err(invalid(path, format!("must be a string, got a {}", v.type_name()))),
    }
}

fn boolean(v: &Value, path: &str) -> Result<bool, ConfigError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        _ => Err(invalid(path, format!("must be true or false, got a {}", v.type_name()))),
    }
}

fn string_map(v: &Value, path: &str) -> Result<Vec<(String, String)>, ConfigError> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    as_map(v, path)?.iter().map(|(k, x)| Ok((k.clone(), string(x, &format!("{path}.{k}"))?))).collect()
}

impl Config {
    /// Parse configuration text (YAML or JSON). Empty text is the empty configuration.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let docs = crate::yaml::parse_config(text).map_err(ConfigError::Syntax)?;
        match docs.as_slice() {
            [] => Ok(Self::default()),
            [v] => Self::from_value(v),
            _ => Err(ConfigError::Syntax("expected a single YAML document".to_owned())),
        }
    }

    /// Read a configuration from its parsed value.
    pub fn from_value(v: &Value) -> Result<Self, ConfigError> {
        if v.is_null() {
            return Ok(Self::default());
        }
        let mut m = as_map(v, "config")?;
        if m.len() == 1
            && let Some(inner) = m.get("kustomize")
        {
            m = as_map(inner, "kustomize")?;
        }
        check_fields(
            m,
            "config",
            &["patches", "images", "patchesStrategicMerge", "patchesJson6902", "commonMetadata", "allowNoMatch"],
        )?;
        let mut cfg = Config::default();
        if let Some(a) = m.get("allowNoMatch") {
            cfg.allow_no_match = boolean(a, "allowNoMatch")?;
        }
        if let Some(list) = m.get("patchesStrategicMerge") {
            for (i, item) in as_list(list, "patchesStrategicMerge")?.iter().enumerate() {
                let label = format!("patchesStrategicMerge[{i}]");
                let docs = match item {
                    Value::String(s) => parse_patch_text(s, &label)?,
                    other => vec![other.clone()],
                };
                let body = strategic(docs, &label)?;
                cfg.patches.push(Patch { label, body, target: None, options: PatchOptions::default() });
            }
        }
        if let Some(list) = m.get("patches") {
            for (i, item) in as_list(list, "patches")?.iter().enumerate() {
                cfg.patches.push(parse_patch(item, &format!("patches[{i}]"))?);
            }
        }
        if let Some(list) = m.get("patchesJson6902") {
            for (i, item) in as_list(list, "patchesJson6902")?.iter().enumerate() {
                let label = format!("patchesJson6902[{i}]");
                let pm = as_map(item, &label)?;
                check_fields(pm, &label, &["target", "patch", "path"])?;
                if pm.contains_key("path") {
                    return Err(path_unsupported(&label));
                }
                let target = pm.get("target").ok_or_else(|| invalid(&label, "target is required"))?;
                let target = parse_target(target, &format!("{label}.target"))?;
                let patch = pm.get("patch").ok_or_else(|| invalid(&label, "patch is required"))?;
                let ops = match patch {
                    Value::String(s) => crate::yaml::parse_json6902(s.trim())
                        .map_err(|e| invalid(&format!("{label}.patch"), format!("not valid YAML: {e}")))?,
                    other => other.clone(),
                };
                let jp = JsonPatch::from_value(&ops).map_err(|e| invalid(&format!("{label}.patch"), e.to_string()))?;
                cfg.patches.push(Patch {
                    label,
                    body: PatchBody::Json(jp),
                    target: Some(target),
                    options: PatchOptions::default(),
                });
            }
        }
        if let Some(list) = m.get("images") {
            for (i, item) in as_list(list, "images")?.iter().enumerate() {
                let path = format!("images[{i}]");
                let im = as_map(item, &path)?;
                check_fields(im, &path, &["name", "newName", "newTag", "digest"])?;
                let get = |k: &str| im.get(k).map(|v| string(v, &format!("{path}.{k}"))).transpose();
                let image = Image {
                    name: get("name")?.unwrap_or_default(),
                    new_name: get("newName")?.unwrap_or_default(),
                    new_tag: get("newTag")?.unwrap_or_default(),
                    digest: get("digest")?.unwrap_or_default(),
                };
                if image.name.is_empty() {
                    return Err(invalid(&path, "name is required"));
                }
                image.compile().map_err(|e| invalid(&path, e.to_string()))?;
                cfg.images.push(image);
            }
        }
        if let Some(cm) = m.get("commonMetadata") {
            let cmm = as_map(cm, "commonMetadata")?;
            check_fields(cmm, "commonMetadata", &["labels", "annotations"])?;
            if let Some(l) = cmm.get("labels") {
                cfg.common_metadata.labels = string_map(l, "commonMetadata.labels")?;
            }
            if let Some(a) = cmm.get("annotations") {
                cfg.common_metadata.annotations = string_map(a, "commonMetadata.annotations")?;
            }
        }
        if cfg.allow_no_match {
            for p in &mut cfg.patches {
                p.options.allow_no_match = true;
            }
        }
        Ok(cfg)
    }

    /// True when the configuration does nothing.
    pub fn is_empty(&self) -> bool {
        self.patches.is_empty()
            && self.images.is_empty()
            && self.common_metadata.labels.is_empty()
            && self.common_metadata.annotations.is_empty()
    }
}

fn path_unsupported(label: &str) -> ConfigError {
    invalid(
        label,
        "`path` names a file, which this plugin cannot read; the host inlines such files as `patch` text \
         before calling it",
    )
}

fn parse_patch_text(text: &str, label: &str) -> Result<Vec<Value>, ConfigError> {
    crate::yaml::parse_multi(text.trim())
        .map_err(|e| invalid(&format!("{label}.patch"), format!("not valid YAML: {e}")))
}

fn strategic(docs: Vec<Value>, label: &str) -> Result<PatchBody, ConfigError> {
    for (i, d) in docs.iter().enumerate() {
        let path =
            if docs.len() > 1 { format!("{label}.patch (document {})", i + 1) } else { format!("{label}.patch") };
        let Value::Map(m) = d else {
            return Err(invalid(&path, format!("a strategic merge patch must be a mapping, got a {}", d.type_name())));
        };
        let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            return Err(invalid(&path, "a strategic merge patch must have a kind"));
        }
        if !kind.ends_with("List") && crate::values::meta_str(d, "name").is_empty() {
            return Err(invalid(&path, "a strategic merge patch must have metadata.name"));
        }
    }
    Ok(PatchBody::Strategic(docs))
}

fn parse_patch(item: &Value, label: &str) -> Result<Patch, ConfigError> {
    let pm = as_map(item, label)?;
    check_fields(pm, label, &["patch", "path", "target", "options"])?;
    let target =
        pm.get("target").filter(|t| !t.is_null()).map(|t| parse_target(t, &format!("{label}.target"))).transpose()?;
    let mut options = PatchOptions::default();
    if let Some(o) = pm.get("options").filter(|o| !o.is_null()) {
        let om = as_map(o, &format!("{label}.options"))?;
        check_fields(om, &format!("{label}.options"), &["allowNameChange", "allowKindChange", "allowNoMatch"])?;
        let b = |k: &str| om.get(k).map(|v| boolean(v, &format!("{label}.options.{k}"))).transpose();
        options.allow_name_change = b("allowNameChange")?.unwrap_or(false);
        options.allow_kind_change = b("allowKindChange")?.unwrap_or(false);
        options.allow_no_match = b("allowNoMatch")?.unwrap_or(false);
    }
    let body_value = pm.get("patch").filter(|p| !p.is_null());
    let docs = match (body_value, pm.get("path")) {
        (Some(_), Some(_)) => return Err(invalid(label, "patch and path can't be set at the same time")),
        (None, Some(_)) => return Err(path_unsupported(label)),
        (None, None) => return Err(invalid(label, "must specify one of patch and path")),
        (Some(Value::String(s)), None) => {
            if s.trim().is_empty() {
                return Err(invalid(label, "patch is empty"));
            }
            parse_patch_text(s, label)?
        }
        (Some(other), None) => vec![other.clone()],
    };
    let body = match docs.as_slice() {
        [Value::Seq(_)] => {
            // kustomize reads JSON 6902 text with sigs.k8s.io/yaml (go-yaml v2 typing).
            let ops = match body_value {
                Some(Value::String(s)) => crate::yaml::parse_json6902(s.trim())
                    .map_err(|e| invalid(&format!("{label}.patch"), format!("not valid YAML: {e}")))?,
                _ => docs.first().cloned().unwrap_or(Value::Null),
            };
            let jp = JsonPatch::from_value(&ops).map_err(|e| invalid(&format!("{label}.patch"), e.to_string()))?;
            if target.is_none() {
                return Err(invalid(label, "a JSON patch needs a target"));
            }
            PatchBody::Json(jp)
        }
        [] => return Err(invalid(label, "patch is empty")),
        _ => {
            let body = strategic(docs, label)?;
            if let (PatchBody::Strategic(d), Some(_)) = (&body, &target)
                && d.len() > 1
            {
                return Err(invalid(
                    label,
                    "a patch with several strategic merge documents cannot have a target (as in kustomize)",
                ));
            }
            body
        }
    };
    if let Some(t) = &target {
        t.compile().map_err(|e| invalid(&format!("{label}.target"), e.to_string()))?;
    }
    Ok(Patch { label: label.to_owned(), body, target, options })
}

fn parse_target(v: &Value, path: &str) -> Result<Target, ConfigError> {
    let m = as_map(v, path)?;
    check_fields(m, path, &["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"])?;
    let get = |k: &str| -> Result<String, ConfigError> {
        m.get(k).map(|x| string(x, &format!("{path}.{k}"))).transpose().map(Option::unwrap_or_default)
    };
    Ok(Target {
        group: get("group")?,
        version: get("version")?,
        kind: get("kind")?,
        name: get("name")?,
        namespace: get("namespace")?,
        label_selector: get("labelSelector")?,
        annotation_selector: get("annotationSelector")?,
    })
}
