//! The kustomization file: `kustomize.config.k8s.io/v1beta1` `Kustomization` and `v1alpha1` `Component`.
//!
//! kustomize reads it with `sigs.k8s.io/yaml` (go-yaml v2 typing) and decodes it strictly: unknown fields and
//! values of the wrong type are errors. Deprecated fields are folded into their successors as kustomize's
//! `FixKustomization` does (`bases` into `resources`, `imageTags` into `images`, `env` into `envs`,
//! `helmChartInflationGenerator` into `helmCharts`).

use kiln_yaml::{Map, Value};

use crate::error::{Error, Result};
use crate::types::{FieldSpec, Gvk, ResId};

/// File names kustomize recognises, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A label set (`labels` entries; `commonLabels` is handled separately).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Label {
    /// The labels.
    pub pairs: Vec<(String, String)>,
    /// Also write selectors (`commonLabels` semantics).
    pub include_selectors: bool,
    /// Also write pod templates.
    pub include_templates: bool,
    /// Extra fields to write.
    pub fields: Vec<FieldSpec>,
}

/// Options shared by generators (`generatorOptions` and each generator's `options`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeneratorOptions {
    /// Labels to add.
    pub labels: Vec<(String, String)>,
    /// Annotations to add.
    pub annotations: Vec<(String, String)>,
    /// Do not append a content hash to the name.
    pub disable_name_suffix_hash: bool,
    /// Mark the object immutable.
    pub immutable: bool,
}

impl GeneratorOptions {
    /// kustomize's `MergeGlobalOptionsIntoLocal`: local keys win, flags are or-ed.
    pub fn merged_with_global(
        local: Option<&GeneratorOptions>,
        global: Option<&GeneratorOptions>,
    ) -> Option<GeneratorOptions> {
        let Some(global) = global else { return local.cloned() };
        let mut out = local.cloned().unwrap_or_default();
        for (k, v) in &global.labels {
            if !out.labels.iter().any(|(x, _)| x == k) {
                out.labels.push((k.clone(), v.clone()));
            }
        }
        for (k, v) in &global.annotations {
            if !out.annotations.iter().any(|(x, _)| x == k) {
                out.annotations.push((k.clone(), v.clone()));
            }
        }
        out.disable_name_suffix_hash |= global.disable_name_suffix_hash;
        out.immutable |= global.immutable;
        Some(out)
    }
}

/// A `configMapGenerator` or `secretGenerator` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeneratorArgs {
    /// Object namespace.
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// `create`, `merge` or `replace`.
    pub behavior: String,
    /// `key=value` literals.
    pub literals: Vec<String>,
    /// Files (`[key=]path`).
    pub files: Vec<String>,
    /// Env files.
    pub envs: Vec<String>,
    /// Options.
    pub options: Option<GeneratorOptions>,
    /// Secret type (secrets only).
    pub secret_type: String,
}

/// A patch selector (`target`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    /// GVK, name and namespace patterns.
    pub id: ResId,
    /// Label selector.
    pub label_selector: String,
    /// Annotation selector.
    pub annotation_selector: String,
}

/// A `patches` (or `patchesJson6902`) entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatchArgs {
    /// File with the patch.
    pub path: String,
    /// Inline patch.
    pub patch: String,
    /// Which objects.
    pub target: Option<Selector>,
    /// `allowNameChange`, `allowKindChange`.
    pub options: Vec<(String, bool)>,
}

/// An `images` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageArgs {
    /// Image name to match.
    pub name: String,
    /// Replacement name.
    pub new_name: String,
    /// Suffix appended to the tag.
    pub tag_suffix: String,
    /// Replacement tag.
    pub new_tag: String,
    /// Replacement digest.
    pub digest: String,
}

/// `sortOptions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SortOptions {
    /// `legacy` or `fifo`.
    pub order: String,
    /// Custom kind orders for `legacy`.
    pub legacy: Option<(Vec<String>, Vec<String>)>,
}

/// A legacy `vars` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Var {
    /// Variable name (`$(NAME)`).
    pub name: String,
    /// The object holding the value.
    pub obj_ref: ResId,
    /// The field path (default `metadata.name`).
    pub field_path: String,
}

/// A parsed kustomization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kustomization {
    /// `Kustomization` or `Component`.
    pub kind: String,
    /// `openapi` (`path` or `version`).
    pub openapi: Vec<(String, String)>,
    /// `namePrefix`.
    pub name_prefix: String,
    /// `nameSuffix`.
    pub name_suffix: String,
    /// `namespace`.
    pub namespace: String,
    /// `commonLabels`.
    pub common_labels: Vec<(String, String)>,
    /// `labels`.
    pub labels: Vec<Label>,
    /// `commonAnnotations`.
    pub common_annotations: Vec<(String, String)>,
    /// `patchesStrategicMerge` (paths or inline patches).
    pub patches_strategic_merge: Vec<String>,
    /// `patchesJson6902`.
    pub patches_json6902: Vec<PatchArgs>,
    /// `patches`.
    pub patches: Vec<PatchArgs>,
    /// `images` and `imageTags`.
    pub images: Vec<ImageArgs>,
    /// `replacements` (raw; parsed by the replacement transformer).
    pub replacements: Vec<Value>,
    /// `replicas`: name and count.
    pub replicas: Vec<(String, i64)>,
    /// `vars`.
    pub vars: Vec<Var>,
    /// `sortOptions`.
    pub sort_options: Option<SortOptions>,
    /// `resources` and `bases`.
    pub resources: Vec<String>,
    /// `components`.
    pub components: Vec<String>,
    /// `crds`.
    pub crds: Vec<String>,
    /// `configMapGenerator`.
    pub config_map_generator: Vec<GeneratorArgs>,
    /// `secretGenerator`.
    pub secret_generator: Vec<GeneratorArgs>,
    /// `helmGlobals` (`chartHome`, `configHome`).
    pub helm_globals: Option<(String, String)>,
    /// `helmCharts` (raw).
    pub helm_charts: Vec<Value>,
    /// `generatorOptions`.
    pub generator_options: Option<GeneratorOptions>,
    /// `configurations`.
    pub configurations: Vec<String>,
    /// `generators`.
    pub generators: Vec<String>,
    /// `transformers`.
    pub transformers: Vec<String>,
    /// `validators`.
    pub validators: Vec<String>,
    /// `buildMetadata`.
    pub build_metadata: Vec<String>,
}

/// The shape of a document kustomize decodes into Go structs, for [`go_keys`]: which mappings are structs (whose
/// field names Go's JSON decoding matches case-insensitively) and which are free-form maps.
pub enum Shape {
    /// A scalar, a free-form map or anything whose keys are data.
    Leaf,
    /// A struct and its fields (embedded structs flattened).
    Obj(&'static [(&'static str, Shape)]),
    /// A list of values of one shape.
    List(&'static Shape),
}

use Shape::{Leaf, List, Obj};

const FIELD_SPEC: Shape = Obj(&[("group", Leaf), ("version", Leaf), ("kind", Leaf), ("path", Leaf), ("create", Leaf)]);
const SELECTOR: Shape = Obj(&[
    ("group", Leaf),
    ("version", Leaf),
    ("kind", Leaf),
    ("name", Leaf),
    ("namespace", Leaf),
    ("annotationSelector", Leaf),
    ("labelSelector", Leaf),
]);
const FIELD_OPTIONS: Shape = Obj(&[("delimiter", Leaf), ("index", Leaf), ("encoding", Leaf), ("create", Leaf)]);
const PATCH: Shape = Obj(&[("path", Leaf), ("patch", Leaf), ("target", SELECTOR), ("options", Leaf)]);
const IMAGE: Shape = Obj(&[("name", Leaf), ("newName", Leaf), ("tagSuffix", Leaf), ("newTag", Leaf), ("digest", Leaf)]);
/// A replacement (inline in a kustomization, or a document of a replacement file).
pub const REPLACEMENT: Shape = Obj(&[
    (
        "source",
        Obj(&[
            ("group", Leaf),
            ("version", Leaf),
            ("kind", Leaf),
            ("name", Leaf),
            ("namespace", Leaf),
            ("fieldPath", Leaf),
            ("options", FIELD_OPTIONS),
        ]),
    ),
    (
        "targets",
        List(&Obj(&[
            ("select", SELECTOR),
            ("reject", List(&SELECTOR)),
            ("fieldPaths", Leaf),
            ("options", FIELD_OPTIONS),
        ])),
    ),
    ("sourceValue", Leaf),
    ("path", Leaf),
]);
const GENERATOR_OPTIONS: Shape =
    Obj(&[("labels", Leaf), ("annotations", Leaf), ("disableNameSuffixHash", Leaf), ("immutable", Leaf)]);
const CONFIG_MAP_ARGS: Shape = Obj(&[
    ("namespace", Leaf),
    ("name", Leaf),
    ("behavior", Leaf),
    ("literals", Leaf),
    ("files", Leaf),
    ("envs", Leaf),
    ("env", Leaf),
    ("options", GENERATOR_OPTIONS),
]);
const SECRET_ARGS: Shape = Obj(&[
    ("namespace", Leaf),
    ("name", Leaf),
    ("behavior", Leaf),
    ("literals", Leaf),
    ("files", Leaf),
    ("envs", Leaf),
    ("env", Leaf),
    ("options", GENERATOR_OPTIONS),
    ("type", Leaf),
]);
const HELM_CHART: Shape = Obj(&[
    ("name", Leaf),
    ("version", Leaf),
    ("repo", Leaf),
    ("releaseName", Leaf),
    ("namespace", Leaf),
    ("additionalValuesFiles", Leaf),
    ("valuesFile", Leaf),
    ("valuesInline", Leaf),
    ("valuesMerge", Leaf),
    ("includeCRDs", Leaf),
    ("skipHooks", Leaf),
    ("apiVersions", Leaf),
    ("kubeVersion", Leaf),
    ("nameTemplate", Leaf),
    ("skipTests", Leaf),
    ("debug", Leaf),
    ("devel", Leaf),
]);
const HELM_CHART_ARGS: Shape = Obj(&[
    ("chartName", Leaf),
    ("chartVersion", Leaf),
    ("chartRepoUrl", Leaf),
    ("chartHome", Leaf),
    ("chartRepoName", Leaf),
    ("helmBin", Leaf),
    ("helmHome", Leaf),
    ("values", Leaf),
    ("valuesLocal", Leaf),
    ("valuesMerge", Leaf),
    ("releaseName", Leaf),
    ("releaseNamespace", Leaf),
    ("extraArgs", Leaf),
]);
/// kustomize's `Kustomization` struct.
pub const KUSTOMIZATION: Shape = Obj(&[
    ("kind", Leaf),
    ("apiVersion", Leaf),
    ("metadata", Obj(&[("name", Leaf), ("namespace", Leaf), ("labels", Leaf), ("annotations", Leaf)])),
    ("openapi", Leaf),
    ("namePrefix", Leaf),
    ("nameSuffix", Leaf),
    ("namespace", Leaf),
    ("commonLabels", Leaf),
    (
        "labels",
        List(&Obj(&[
            ("pairs", Leaf),
            ("includeSelectors", Leaf),
            ("includeTemplates", Leaf),
            ("fields", List(&FIELD_SPEC)),
        ])),
    ),
    ("commonAnnotations", Leaf),
    ("patchesStrategicMerge", Leaf),
    ("patchesJson6902", List(&PATCH)),
    ("patches", List(&PATCH)),
    ("images", List(&IMAGE)),
    ("imageTags", List(&IMAGE)),
    ("replacements", List(&REPLACEMENT)),
    ("replicas", List(&Obj(&[("name", Leaf), ("count", Leaf)]))),
    (
        "vars",
        List(&Obj(&[
            ("name", Leaf),
            (
                "objref",
                Obj(&[
                    ("apiVersion", Leaf),
                    ("group", Leaf),
                    ("version", Leaf),
                    ("kind", Leaf),
                    ("name", Leaf),
                    ("namespace", Leaf),
                ]),
            ),
            ("fieldref", Obj(&[("fieldPath", Leaf)])),
        ])),
    ),
    ("sortOptions", Obj(&[("order", Leaf), ("legacySortOptions", Obj(&[("orderFirst", Leaf), ("orderLast", Leaf)]))])),
    ("resources", Leaf),
    ("components", Leaf),
    ("crds", Leaf),
    ("bases", Leaf),
    ("configMapGenerator", List(&CONFIG_MAP_ARGS)),
    ("secretGenerator", List(&SECRET_ARGS)),
    ("helmGlobals", Obj(&[("chartHome", Leaf), ("configHome", Leaf)])),
    ("helmCharts", List(&HELM_CHART)),
    ("helmChartInflationGenerator", List(&HELM_CHART_ARGS)),
    ("generatorOptions", GENERATOR_OPTIONS),
    ("configurations", Leaf),
    ("generators", Leaf),
    ("transformers", Leaf),
    ("validators", Leaf),
    ("buildMetadata", Leaf),
]);

const FIELD_SPECS: Shape = List(&FIELD_SPEC);

/// The configuration document of a built-in plugin `kind` (its Go struct; the document's own `apiVersion`, `kind`
/// and `metadata` are read as they are), for [`go_keys_lenient`]. `None` for kinds kustomize does not build in.
pub fn plugin_shape(kind: &str) -> Option<Shape> {
    let fields: &'static [(&'static str, Shape)] = match kind {
        "PatchTransformer" => return Some(PATCH),
        "PatchStrategicMergeTransformer" => &[("paths", Leaf), ("patches", Leaf)],
        "PatchJson6902Transformer" => &[("target", SELECTOR), ("path", Leaf), ("jsonOp", Leaf)],
        "LabelTransformer" => &[("labels", Leaf), ("fieldSpecs", FIELD_SPECS)],
        "AnnotationsTransformer" => &[("annotations", Leaf), ("fieldSpecs", FIELD_SPECS)],
        "NamespaceTransformer" => &[("fieldSpecs", FIELD_SPECS), ("unsetOnly", Leaf), ("setRoleBindingSubjects", Leaf)],
        "PrefixTransformer" => &[("prefix", Leaf), ("fieldSpecs", FIELD_SPECS)],
        "SuffixTransformer" => &[("suffix", Leaf), ("fieldSpecs", FIELD_SPECS)],
        "PrefixSuffixTransformer" => &[("prefix", Leaf), ("suffix", Leaf), ("fieldSpecs", FIELD_SPECS)],
        "ImageTagTransformer" => &[("imageTag", IMAGE), ("fieldSpecs", FIELD_SPECS)],
        "ReplicaCountTransformer" => {
            &[("replica", Obj(&[("name", Leaf), ("count", Leaf)])), ("fieldSpecs", FIELD_SPECS)]
        }
        "ReplacementTransformer" => &[("replacements", List(&REPLACEMENT))],
        "HashTransformer" => &[],
        "ValueAddTransformer" => &[
            ("value", Leaf),
            ("targets", List(&Obj(&[("selector", SELECTOR), ("fieldPath", Leaf), ("filePathPosition", Leaf)]))),
            ("targetFilePath", Leaf),
        ],
        "ConfigMapGenerator" => return Some(CONFIG_MAP_ARGS),
        "SecretGenerator" => return Some(SECRET_ARGS),
        "IAMPolicyGenerator" => &[
            ("cloud", Leaf),
            ("kubernetesService", Obj(&[("name", Leaf), ("namespace", Leaf)])),
            ("serviceAccount", Obj(&[("name", Leaf), ("projectId", Leaf)])),
        ],
        _ => return None,
    };
    Some(Obj(fields))
}

/// [`go_keys`], then drop the fields no struct has, as Go's non-strict decoding of a plugin's configuration ignores
/// them.
pub fn go_keys_lenient(v: &mut Value, shape: &Shape) {
    // The document's identity is read by exact name, outside the struct.
    let identity: Vec<(String, Value)> = match v {
        Value::Map(m) => ["apiVersion", "kind", "metadata"]
            .iter()
            .filter_map(|k| m.shift_remove(*k).map(|x| ((*k).to_owned(), x)))
            .collect(),
        _ => Vec::new(),
    };
    go_keys(v, shape);
    prune(v, shape);
    if let Value::Map(m) = v {
        for (k, x) in identity.into_iter().rev() {
            m.shift_insert(0, k, x);
        }
    }
}

fn prune(v: &mut Value, shape: &Shape) {
    match (shape, v) {
        (Obj(fields), Value::Map(m)) => {
            m.retain(|k, _| fields.iter().any(|(n, _)| n == k));
            for (k, x) in m.iter_mut() {
                if let Some((_, sub)) = fields.iter().find(|(n, _)| n == k) {
                    prune(x, sub);
                }
            }
        }
        (List(item), Value::Seq(items)) => items.iter_mut().for_each(|x| prune(x, item)),
        _ => {}
    }
}

/// Rename the keys of `v` to the Go struct field names they select under `encoding/json`'s rules (an exact name,
/// else a name equal ignoring case), as kustomize's decoding reads `nameprefix` as `namePrefix`. Two keys naming
/// the same field leave the later value, as Go's decoder does. Keys that name no field are kept for the strict
/// decoder to refuse (or the lenient one to ignore).
pub fn go_keys(v: &mut Value, shape: &Shape) {
    match (shape, v) {
        (Obj(fields), Value::Map(m)) => {
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            if m.keys().any(|k| crate::types::go_name(k, &names).is_some_and(|n| n != k)) {
                let old = std::mem::take(m);
                for (k, x) in old {
                    let name = crate::types::go_name(&k, &names).map_or(k, str::to_owned);
                    m.insert(name, x);
                }
            }
            for (k, x) in m.iter_mut() {
                if let Some((_, sub)) = fields.iter().find(|(n, _)| n == k) {
                    go_keys(x, sub);
                }
            }
        }
        (List(item), Value::Seq(items)) => {
            for x in items {
                go_keys(x, item);
            }
        }
        _ => {}
    }
}

fn unknown(ctx: &str, field: &str) -> Error {
    Error::invalid(format!("invalid Kustomization: json: unknown field \"{field}\" in {ctx}"))
}

fn wrong(field: &str, want: &str, got: &Value) -> Error {
    Error::invalid(format!("invalid Kustomization: `{field}` must be {want}, not {}", got.type_name()))
}

fn map<'v>(v: &'v Value, field: &str) -> Result<Option<&'v Map>> {
    match v {
        Value::Map(m) => Ok(Some(m)),
        Value::Null => Ok(None),
        other => Err(wrong(field, "a mapping", other)),
    }
}

fn string(v: &Value, field: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(wrong(field, "a string", other)),
    }
}

fn boolean(v: &Value, field: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(wrong(field, "a boolean", other)),
    }
}

fn int(v: &Value, field: &str) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(*f as i64),
        Value::Null => Ok(0),
        other => Err(wrong(field, "an integer", other)),
    }
}

fn seq<'v>(v: &'v Value, field: &str) -> Result<&'v [Value]> {
    match v {
        Value::Seq(s) => Ok(s),
        Value::Null => Ok(&[]),
        other => Err(wrong(field, "a list", other)),
    }
}

fn strings(v: &Value, field: &str) -> Result<Vec<String>> {
    seq(v, field)?.iter().map(|x| string(x, field)).collect()
}

fn string_map(v: &Value, field: &str) -> Result<Vec<(String, String)>> {
    let Some(m) = map(v, field)? else { return Ok(Vec::new()) };
    m.iter().map(|(k, x)| Ok((k.clone(), string(x, &format!("{field}.{k}"))?))).collect()
}

fn generator_options(v: &Value, field: &str) -> Result<Option<GeneratorOptions>> {
    let Some(m) = map(v, field)? else { return Ok(None) };
    let mut o = GeneratorOptions::default();
    for (k, x) in m {
        match k.as_str() {
            "labels" => o.labels = string_map(x, "labels")?,
            "annotations" => o.annotations = string_map(x, "annotations")?,
            "disableNameSuffixHash" => o.disable_name_suffix_hash = boolean(x, k)?,
            "immutable" => o.immutable = boolean(x, k)?,
            other => return Err(unknown(field, other)),
        }
    }
    Ok(Some(o))
}

/// Parse a generator entry (`configMapGenerator`/`secretGenerator` item, or a built-in generator's config).
pub fn generator_args(v: &Value, field: &str, secret: bool, strict: bool) -> Result<GeneratorArgs> {
    let Some(m) = map(v, field)? else { return Ok(GeneratorArgs::default()) };
    let mut g = GeneratorArgs::default();
    for (k, x) in m {
        match k.as_str() {
            "namespace" => g.namespace = string(x, k)?,
            "name" => g.name = string(x, k)?,
            "behavior" => g.behavior = string(x, k)?,
            "literals" => g.literals = strings(x, k)?,
            "files" => g.files = strings(x, k)?,
            "envs" => g.envs.extend(strings(x, k)?),
            "env" => {
                let e = string(x, k)?;
                if !e.is_empty() {
                    g.envs.push(e);
                }
            }
            "options" => g.options = generator_options(x, "options")?,
            "type" if secret => g.secret_type = string(x, k)?,
            other if strict => return Err(unknown(field, other)),
            _ => {}
        }
    }
    Ok(g)
}

/// Parse a selector (`target`, `select`, `reject`, replacement `source`).
pub fn selector(v: &Value, field: &str, extra_ok: &[&str]) -> Result<Selector> {
    let Some(m) = map(v, field)? else { return Ok(Selector::default()) };
    let mut s = Selector::default();
    let mut gvk = Gvk::default();
    for (k, x) in m {
        match k.as_str() {
            "group" => gvk.group = string(x, k)?,
            "version" => gvk.version = string(x, k)?,
            "kind" => gvk.kind = string(x, k)?,
            "name" => s.id.name = string(x, k)?,
            "namespace" => s.id.namespace = string(x, k)?,
            "labelSelector" => s.label_selector = string(x, k)?,
            "annotationSelector" => s.annotation_selector = string(x, k)?,
            other if extra_ok.contains(&other) => {}
            other => return Err(unknown(field, other)),
        }
    }
    s.id.gvk = gvk;
    Ok(s)
}

/// Parse a `patches` entry.
pub fn patch_args(v: &Value, field: &str) -> Result<PatchArgs> {
    let Some(m) = map(v, field)? else { return Ok(PatchArgs::default()) };
    let mut p = PatchArgs::default();
    for (k, x) in m {
        match k.as_str() {
            "path" => p.path = string(x, k)?,
            "patch" => p.patch = string(x, k)?,
            "target" => {
                if !x.is_null() {
                    p.target = Some(selector(x, "target", &[])?);
                }
            }
            "options" => {
                if let Some(om) = map(x, "options")? {
                    for (ok, ov) in om {
                        p.options.push((ok.clone(), boolean(ov, ok)?));
                    }
                }
            }
            other => return Err(unknown(field, other)),
        }
    }
    Ok(p)
}

/// Parse an `images` entry.
pub fn image_args(v: &Value, field: &str, strict: bool) -> Result<ImageArgs> {
    let Some(m) = map(v, field)? else { return Ok(ImageArgs::default()) };
    let mut i = ImageArgs::default();
    for (k, x) in m {
        match k.as_str() {
            "name" => i.name = string(x, k)?,
            "newName" => i.new_name = string(x, k)?,
            "tagSuffix" => i.tag_suffix = string(x, k)?,
            "newTag" => i.new_tag = string(x, k)?,
            "digest" => i.digest = string(x, k)?,
            other if strict => return Err(unknown(field, other)),
            _ => {}
        }
    }
    Ok(i)
}

fn var(v: &Value) -> Result<Var> {
    let Some(m) = map(v, "vars")? else { return Ok(Var::default()) };
    let mut out = Var { field_path: "metadata.name".to_owned(), ..Var::default() };
    for (k, x) in m {
        match k.as_str() {
            "name" => out.name = string(x, k)?,
            "objref" => {
                let Some(om) = map(x, "objref")? else { continue };
                let mut gvk = Gvk::default();
                for (ok, ov) in om {
                    match ok.as_str() {
                        "kind" => gvk.kind = string(ov, ok)?,
                        "group" => gvk.group = string(ov, ok)?,
                        "version" => gvk.version = string(ov, ok)?,
                        "apiVersion" => {
                            let av = string(ov, ok)?;
                            let g = Gvk::from_api_version(&av, "");
                            gvk.group = g.group;
                            gvk.version = g.version;
                        }
                        "name" => out.obj_ref.name = string(ov, ok)?,
                        "namespace" => out.obj_ref.namespace = string(ov, ok)?,
                        other => return Err(unknown("vars.objref", other)),
                    }
                }
                out.obj_ref.cluster_scoped = gvk.is_cluster_scoped();
                out.obj_ref.gvk = gvk;
            }
            "fieldref" => {
                if let Some(fm) = map(x, "fieldref")? {
                    for (fk, fv) in fm {
                        match fk.as_str() {
                            "fieldpath" | "fieldPath" => {
                                let p = string(fv, fk)?;
                                if !p.is_empty() {
                                    out.field_path = p;
                                }
                            }
                            other => return Err(unknown("vars.fieldref", other)),
                        }
                    }
                }
            }
            other => return Err(unknown("vars", other)),
        }
    }
    Ok(out)
}

impl Kustomization {
    /// Parse kustomization text.
    pub fn parse(text: &str) -> Result<Kustomization> {
        let mut v = kiln_yaml::from_str(text).map_err(|e| Error::invalid(format!("invalid Kustomization: {e}")))?;
        go_keys(&mut v, &KUSTOMIZATION);
        let Some(m) = map(&v, "kustomization")? else {
            return Err(Error::invalid("kustomization.yaml is empty"));
        };
        if m.is_empty() {
            return Err(Error::invalid("kustomization.yaml is empty"));
        }
        let mut k = Kustomization::default();
        let mut api_version = String::new();
        let mut image_tags = Vec::new();
        let mut bases = Vec::new();
        for (key, x) in m {
            let f = key.as_str();
            match f {
                "apiVersion" => api_version = string(x, f)?,
                "kind" => k.kind = string(x, f)?,
                "metadata" => {
                    map(x, f)?;
                }
                "openapi" => k.openapi = string_map(x, f)?,
                "namePrefix" => k.name_prefix = string(x, f)?,
                "nameSuffix" => k.name_suffix = string(x, f)?,
                "namespace" => k.namespace = string(x, f)?,
                "commonLabels" => k.common_labels = string_map(x, f)?,
                "labels" => {
                    for item in seq(x, f)? {
                        let mut l = Label::default();
                        if let Some(lm) = map(item, "labels")? {
                            for (lk, lv) in lm {
                                match lk.as_str() {
                                    "pairs" => l.pairs = string_map(lv, "pairs")?,
                                    "includeSelectors" => l.include_selectors = boolean(lv, lk)?,
                                    "includeTemplates" => l.include_templates = boolean(lv, lk)?,
                                    "fields" => {
                                        for fs in seq(lv, "fields")? {
                                            l.fields.push(FieldSpec::from_value(fs)?);
                                        }
                                    }
                                    other => return Err(unknown("labels", other)),
                                }
                            }
                        }
                        k.labels.push(l);
                    }
                }
                "commonAnnotations" => k.common_annotations = string_map(x, f)?,
                "patchesStrategicMerge" => k.patches_strategic_merge = strings(x, f)?,
                "patchesJson6902" => {
                    k.patches_json6902 = seq(x, f)?.iter().map(|p| patch_args(p, f)).collect::<Result<_>>()?
                }
                "patches" => k.patches = seq(x, f)?.iter().map(|p| patch_args(p, f)).collect::<Result<_>>()?,
                "images" => k.images = seq(x, f)?.iter().map(|i| image_args(i, f, true)).collect::<Result<_>>()?,
                "imageTags" => image_tags = seq(x, f)?.iter().map(|i| image_args(i, f, true)).collect::<Result<_>>()?,
                "replacements" => k.replacements = seq(x, f)?.to_vec(),
                "replicas" => {
                    for r in seq(x, f)? {
                        let Some(rm) = map(r, f)? else { continue };
                        let (mut name, mut count) = (String::new(), 0);
                        for (rk, rv) in rm {
                            match rk.as_str() {
                                "name" => name = string(rv, rk)?,
                                "count" => count = int(rv, rk)?,
                                other => return Err(unknown(f, other)),
                            }
                        }
                        k.replicas.push((name, count));
                    }
                }
                "vars" => k.vars = seq(x, f)?.iter().map(var).collect::<Result<_>>()?,
                "sortOptions" => {
                    if let Some(sm) = map(x, f)? {
                        let mut so = SortOptions::default();
                        for (sk, sv) in sm {
                            match sk.as_str() {
                                "order" => so.order = string(sv, sk)?,
                                "legacySortOptions" => {
                                    let (mut first, mut last) = (Vec::new(), Vec::new());
                                    if let Some(lm) = map(sv, sk)? {
                                        for (lk, lv) in lm {
                                            match lk.as_str() {
                                                "orderFirst" => first = strings(lv, lk)?,
                                                "orderLast" => last = strings(lv, lk)?,
                                                other => return Err(unknown(sk, other)),
                                            }
                                        }
                                    }
                                    so.legacy = Some((first, last));
                                }
                                other => return Err(unknown(f, other)),
                            }
                        }
                        k.sort_options = Some(so);
                    }
                }
                "resources" => k.resources = strings(x, f)?,
                "bases" => bases = strings(x, f)?,
                "components" => k.components = strings(x, f)?,
                "crds" => k.crds = strings(x, f)?,
                "configMapGenerator" => {
                    k.config_map_generator =
                        seq(x, f)?.iter().map(|g| generator_args(g, f, false, true)).collect::<Result<_>>()?
                }
                "secretGenerator" => {
                    k.secret_generator =
                        seq(x, f)?.iter().map(|g| generator_args(g, f, true, true)).collect::<Result<_>>()?
                }
                "helmGlobals" => {
                    if let Some(hm) = map(x, f)? {
                        let (mut chart_home, mut config_home) = (String::new(), String::new());
                        for (hk, hv) in hm {
                            match hk.as_str() {
                                "chartHome" => chart_home = string(hv, hk)?,
                                "configHome" => config_home = string(hv, hk)?,
                                other => return Err(unknown(f, other)),
                            }
                        }
                        k.helm_globals = Some((chart_home, config_home));
                    }
                }
                "helmCharts" => k.helm_charts.extend(seq(x, f)?.iter().cloned()),
                "helmChartInflationGenerator" => {
                    for old in seq(x, f)? {
                        let (chart, home) = crate::helm::from_inflation_generator(old)?;
                        k.helm_charts.push(chart);
                        if let Some(h) = home
                            && k.helm_globals.is_none()
                        {
                            k.helm_globals = Some((h, String::new()));
                        }
                    }
                }
                "generatorOptions" => k.generator_options = generator_options(x, f)?,
                "configurations" => k.configurations = strings(x, f)?,
                "generators" => k.generators = strings(x, f)?,
                "transformers" => k.transformers = strings(x, f)?,
                "validators" => k.validators = strings(x, f)?,
                "buildMetadata" => k.build_metadata = strings(x, f)?,
                other => return Err(unknown("Kustomization", other)),
            }
        }
        k.resources.extend(bases);
        k.images.extend(image_tags);
        if k.kind.is_empty() {
            k.kind = "Kustomization".to_owned();
        }
        let required = match k.kind.as_str() {
            "Kustomization" => "kustomize.config.k8s.io/v1beta1",
            "Component" => "kustomize.config.k8s.io/v1alpha1",
            _ => return Err(Error::invalid("kind should be Kustomization or Component")),
        };
        if !api_version.is_empty() && api_version != required {
            return Err(Error::invalid(format!("apiVersion for {} should be {required}", k.kind)));
        }
        if k == (Kustomization { kind: k.kind.clone(), ..Kustomization::default() }) {
            return Err(Error::invalid("kustomization.yaml is empty"));
        }
        Ok(k)
    }

    /// True for a `Component`.
    pub fn is_component(&self) -> bool {
        self.kind == "Component"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_fixes() {
        let k = Kustomization::parse(
            "bases: [../b]\nresources: [a.yaml]\nnamespace: ns\ncommonLabels: {app: x}\nimageTags: [{name: nginx, newTag: v2}]\n\
             configMapGenerator:\n- name: c\n  env: e.env\n  literals: [a=b]\n",
        )
        .unwrap();
        assert_eq!(k.resources, ["a.yaml", "../b"]);
        assert_eq!(k.images.len(), 1);
        assert_eq!(k.config_map_generator[0].envs, ["e.env"]);
        assert_eq!(k.kind, "Kustomization");
    }

    #[test]
    fn strict() {
        assert!(Kustomization::parse("resourcez: []").unwrap_err().message.contains("unknown field"));
        assert!(Kustomization::parse("namespace: 3").is_err());
        assert!(Kustomization::parse("commonLabels: {a: 1}").is_err());
        assert!(Kustomization::parse("").unwrap_err().message.contains("empty"));
        assert!(Kustomization::parse("kind: Component\napiVersion: kustomize.config.k8s.io/v1beta1").is_err());
    }
}
