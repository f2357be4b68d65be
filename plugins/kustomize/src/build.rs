//! The build: kustomize's `KustTarget` (accumulate resources, generators, components, transformers, recursively)
//! and the final steps (hash suffixes, name references, local-config removal, sorting).

use std::borrow::Cow;
use std::cell::RefCell;

use kiln_yaml::Value;

use crate::config::{TransformerConfig, from_crd_definitions};
use crate::error::{Context as _, Error, Result};
use crate::fs::{FileTree, LoadRestrictor, Loader, display, join};
use crate::kustomization::{
    GeneratorArgs, GeneratorOptions, ImageArgs, Kustomization, PatchArgs, Var, generator_args, image_args, patch_args,
    selector,
};
use crate::openapi::SchemaState;
use crate::origin::{self, Origin};
use crate::resource::{ResMap, Resource};
use crate::transformers::{self, PatchBody, SubjectMode};
use crate::types::FieldSpec;
use crate::{generators, replacement};

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `--load-restrictor`.
    pub load_restrictor: LoadRestrictor,
    /// `--enable-helm`: render `helmCharts` with kiln's Helm renderer.
    pub enable_helm: bool,
    /// `--helm-kube-version`.
    pub helm_kube_version: String,
    /// `--helm-api-versions`.
    pub helm_api_versions: Vec<String>,
}

/// Resources, transformer configuration and vars collected so far (kustomize's `ResAccumulator`).
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    /// The resources.
    pub rm: ResMap,
    /// Field specs in force: kustomize's defaults, shared, until a kustomization adds to them.
    pub tc: Cow<'static, TransformerConfig>,
    /// Legacy vars.
    pub vars: Vec<Var>,
}

/// Merge `other` into `target` as kustomize merges configurations. Every kustomization a build enters merges the
/// defaults into what it has, which usually is the defaults already (nothing to do) or nothing yet (the defaults,
/// shared): neither needs a copy or a comparison. Merging the defaults into an empty configuration gives the
/// defaults themselves (`config::tests::defaults_are_merge_normalised`).
fn merge_config(target: &mut Cow<'static, TransformerConfig>, other: &TransformerConfig) -> Result<()> {
    let defaults = TransformerConfig::defaults();
    if std::ptr::eq(other, defaults) {
        match target {
            Cow::Borrowed(t) if std::ptr::eq(*t, defaults) => return Ok(()),
            _ if target.is_empty() => {
                *target = Cow::Borrowed(defaults);
                return Ok(());
            }
            _ => {}
        }
    }
    target.to_mut().merge(other)
}

impl Accumulator {
    /// kustomize's `MergeAccumulator`: the other accumulator's resources, configuration and vars (whose resources
    /// it matched when they were declared).
    fn merge(&mut self, other: Accumulator) -> Result<()> {
        self.rm.append_all(other.rm.list)?;
        merge_config(&mut self.tc, &other.tc)?;
        for v in other.vars {
            self.add_var(v)?;
        }
        Ok(())
    }

    /// kustomize's `VarSet.Merge`: a second var of the same name is an error, even an identical one.
    fn add_var(&mut self, v: Var) -> Result<()> {
        if self.vars.iter().any(|x| x.name == v.name) {
            return Err(Error::invalid(format!("var '{}' already encountered", v.name)));
        }
        self.vars.push(v);
        Ok(())
    }

    /// kustomize's `MergeVars`: each var declared by a kustomization is tied to the one resource it names among
    /// those accumulated so far (by any of its names), then added to the set.
    fn merge_vars(&mut self, vars: &[Var]) -> Result<()> {
        for v in vars {
            let target = &v.obj_ref;
            let exact = !target.namespace.is_empty() || target.cluster_scoped;
            let hits = self.rm.matching_any_id(|id| if exact { target.equals(id) } else { target.gvkn_equals(id) });
            match hits.as_slice() {
                [i] => {
                    if let Some(r) = self.rm.list.get_mut(*i) {
                        r.meta.ref_var_names.push(v.name.clone());
                    }
                }
                [] => {}
                many => {
                    return Err(Error::failed(format!(
                        "found {} resId matches for var {} (unable to disambiguate)",
                        many.len(),
                        v.name
                    )));
                }
            }
        }
        for v in vars {
            self.add_var(v.clone())?;
        }
        Ok(())
    }
}

/// One kustomization directory being built.
struct Target<'t, 'o> {
    loader: Loader<'t>,
    k: Kustomization,
    /// The kustomization file's path in the tree, for messages.
    file: String,
    opts: &'o BuildOptions,
    /// The build's schema state, shared by every kustomization it enters.
    schema: &'o RefCell<SchemaState>,
    /// Origin tracking (`buildMetadata` of the top kustomization): this kustomization's place relative to the top.
    origin: Option<Origin>,
    /// The kustomization file's own name (`kustomization.yaml`, `kustomization.yml` or `Kustomization`).
    file_name: &'static str,
}

/// Parse resources from YAML text (kustomize's `SliceFromBytes`): empty documents are skipped, `*List` kinds are
/// expanded, and every object needs a kind and a name.
pub fn parse_resources(text: &[u8], origin: &str) -> Result<Vec<Resource>> {
    let text = std::str::from_utf8(text).map_err(|_| Error::invalid(format!("{origin}: not UTF-8 text")))?;
    let docs = kiln_yaml::from_str_multi_with(text, &kiln_yaml::LoadOptions::kustomize())
        .map_err(|e| Error::invalid(format!("{origin}: {e}")))?;
    let mut queue: std::collections::VecDeque<Value> = docs.into();
    let mut out = Vec::new();
    while let Some(d) = queue.pop_front() {
        match &d {
            Value::Null => continue,
            Value::Map(m) if m.is_empty() => continue,
            Value::Map(_) => {}
            other => {
                return Err(Error::invalid(format!(
                    "{origin}: a resource must be a mapping, not {}",
                    other.type_name()
                )));
            }
        }
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            return Err(Error::invalid(format!("{origin}: missing kind in object {}", short(&d))));
        }
        if kind.ends_with("List") {
            match d.get("items") {
                Some(Value::Seq(items)) => {
                    queue.extend(items.iter().cloned());
                    continue;
                }
                Some(Value::Null) => continue,
                Some(_) => return Err(Error::invalid(format!("{origin}: expected array in {kind}/items"))),
                None => {}
            }
        } else if d.pointer(&["metadata", "name"]).and_then(Value::as_str).unwrap_or("").is_empty() {
            return Err(Error::invalid(format!("{origin}: missing metadata.name in object {}", short(&d))));
        }
        if let Some(path) = nil_in_list(&d, &mut Vec::new()) {
            return Err(Error::invalid(format!("{origin}: empty item at {path} in object {}", short(&d))));
        }
        out.push(Resource::new(d, origin));
    }
    Ok(out)
}

fn short(v: &Value) -> String {
    kpatch::values::short_json(v, 200)
}

fn nil_in_list(v: &Value, path: &mut Vec<String>) -> Option<String> {
    match v {
        Value::Map(m) => {
            for (k, x) in m {
                path.push(k.clone());
                if let Some(p) = nil_in_list(x, path) {
                    return Some(p);
                }
                path.pop();
            }
            None
        }
        Value::Seq(items) => {
            for (i, x) in items.iter().enumerate() {
                if x.is_null() {
                    return Some(format!("{}[{i}]", path.join(".")));
                }
                if let Some(p) = nil_in_list(x, path) {
                    return Some(p);
                }
            }
            None
        }
        _ => None,
    }
}

impl<'t, 'o> Target<'t, 'o> {
    fn load(loader: Loader<'t>, opts: &'o BuildOptions, schema: &'o RefCell<SchemaState>) -> Result<Self> {
        let tree = loader.tree();
        let found: Vec<&str> = crate::kustomization::FILE_NAMES
            .iter()
            .copied()
            .filter(|n| join(loader.root(), n).is_some_and(|p| tree.read(&p).is_some()))
            .collect();
        let name = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::invalid(format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                    display(loader.root())
                )));
            }
            _ => {
                return Err(Error::invalid(format!(
                    "Found multiple kustomization files under: {}",
                    display(loader.root())
                )));
            }
        };
        let file = join(loader.root(), name).unwrap_or_else(|| name.to_owned());
        let text = String::from_utf8_lossy(tree.read(&file).unwrap_or_default()).into_owned();
        let k = Kustomization::parse(&text).with_context(|| file.clone())?;
        Ok(Target { loader, k, file, opts, schema, origin: None, file_name: name })
    }

    /// Apply this kustomization's `openapi` field (kustomize's `SetSchema`; `reset` for the top one only). The
    /// custom schema file is read first, so a missing file is an error even where the field is then ignored.
    fn set_schema(&self, reset: bool) -> Result<()> {
        let file = match self.k.openapi.iter().find(|(k, _)| k == "path") {
            Some((_, path)) => {
                let bytes = self.loader.load(path).map_err(|e| self.err("openapi", e))?;
                Some((self.loader.resolve(path).unwrap_or_else(|_| path.clone()), bytes.to_vec()))
            }
            None => None,
        };
        self.schema.borrow_mut().set(&self.k.openapi, file, reset).map_err(|e| self.err("openapi", e))
    }

    /// Tell the schema state about resources read (kustomize asks the schema for the scope of each kind).
    fn saw(&self, res: &[Resource]) -> Result<()> {
        let mut st = self.schema.borrow_mut();
        for r in res {
            st.saw_kind(r.api_version(), r.kind()).map_err(|e| self.err("openapi", e))?;
        }
        Ok(())
    }

    /// Apply strategic-merge patch `patch` to the resources at `selected`, with the schema in force.
    fn smp_to(&self, rm: &mut ResMap, selected: &[usize], patch: &Resource) -> Result<()> {
        let mut st = self.schema.borrow_mut();
        let schemas = st.schemas().map_err(|e| self.err("openapi", e))?;
        transformers::apply_smp_to(rm, selected, patch, &schemas)
    }

    /// The origin of something at `path` (relative to this kustomization), when origins are tracked. Under a remote
    /// base the origin would name the repository; kiln refuses when such annotations would be printed (with only
    /// `managedByLabel` they are dropped, so the local form serves).
    fn origin_of(&self, path: &str) -> Result<Option<Origin>> {
        let Some(o) = &self.origin else { return Ok(None) };
        let shown = |opt: &str| self.k.build_metadata.iter().any(|b| b == opt);
        if crate::fs::is_remote(path) && (shown(origin::OPT_ORIGIN) || shown(origin::OPT_TRANSFORMER)) {
            return Err(Error::unsupported(format!(
                "buildMetadata: origins of remote bases and files are not supported ('{path}'); remove buildMetadata \
                 or vendor the base"
            )));
        }
        Ok(Some(o.append(path)))
    }

    /// Record that the built-in `kind` configured by this kustomization ran over `rm`.
    fn ran_builtin(&self, rm: &mut ResMap, kind: &str) -> Result<()> {
        if let Some(o) = &self.origin {
            origin::add_transformation(&mut rm.list, &o.builtin(self.file_name, kind))?;
        }
        Ok(())
    }

    /// Give generated resources without an origin that of the built-in generator `kind`.
    fn generated_by(&self, res: &mut [Resource], kind: &str) -> Result<()> {
        if let Some(o) = &self.origin {
            origin::add_origin(res, &o.builtin(self.file_name, kind))?;
        }
        Ok(())
    }

    fn err(&self, field: &str, e: Error) -> Error {
        e.context(format!("{}: {field}", self.file))
    }

    fn accumulate(&self, mut ra: Accumulator) -> Result<Accumulator> {
        self.accumulate_resources(&mut ra, &self.k.resources, "resources")?;
        let mut tc = Cow::Borrowed(TransformerConfig::defaults());
        for c in &self.k.configurations {
            let text = self.loader.load(c).map_err(|e| self.err("configurations", e))?;
            let extra = TransformerConfig::parse(&String::from_utf8_lossy(text))
                .map_err(|e| self.err("configurations", e.context(c)))?;
            tc.to_mut().merge(&extra).map_err(|e| self.err("configurations", e))?;
        }
        merge_config(&mut ra.tc, &tc)?;
        for c in &self.k.crds {
            let text = self.loader.load(c).map_err(|e| self.err("crds", e))?;
            let extra =
                from_crd_definitions(&String::from_utf8_lossy(text)).map_err(|e| self.err("crds", e.context(c)))?;
            ra.tc.to_mut().merge(&extra)?;
        }
        self.run_generators(&mut ra)?;
        for c in &self.k.components {
            let sub = self.loader.sub(c).map_err(|e| self.err("components", e))?;
            ra = self.accumulate_directory(ra, sub, c, true).map_err(|e| self.err("components", e))?;
        }
        self.run_transformers(&mut ra)?;
        if !self.k.validators.is_empty() {
            return Err(self.err("validators", Error::unsupported("validator plugins are not supported")));
        }
        ra.merge_vars(&self.k.vars).map_err(|e| self.err("vars", e))?;
        Ok(ra)
    }

    fn accumulate_resources(&self, ra: &mut Accumulator, paths: &[String], field: &str) -> Result<()> {
        for p in paths {
            let full = self.loader.resolve(p).map_err(|e| self.err(field, e))?;
            if self.loader.tree().read(&full).is_some() {
                let text = self.loader.load(p).map_err(|e| self.err(field, e))?;
                let mut res = parse_resources(text, &full).map_err(|e| self.err(field, e))?;
                let from = self.origin_of(p).map_err(|e| self.err(field, e))?;
                for r in &mut res {
                    r.import_build_annotations().map_err(|e| self.err(field, e))?;
                    if let Some(o) = &from {
                        origin::set(r, Some(o)).map_err(|e| self.err(field, e))?;
                    }
                }
                self.saw(&res)?;
                ra.rm
                    .append_all(res)
                    .map_err(|e| self.err(field, e.context(format!("merging resources from '{p}'"))))?;
            } else if self.loader.tree().is_dir(&full) {
                let sub = self.loader.sub(p).map_err(|e| self.err(field, e))?;
                let acc = std::mem::take(ra);
                *ra = self.accumulate_directory(acc, sub, p, false).map_err(|e| self.err(field, e))?;
            } else {
                return Err(
                    self.err(field, Error::invalid(format!("'{p}': no such file or directory ({})", display(&full))))
                );
            }
        }
        Ok(())
    }

    fn accumulate_directory(
        &self,
        mut ra: Accumulator,
        sub: Loader<'t>,
        path: &str,
        component: bool,
    ) -> Result<Accumulator> {
        let root = sub.root().to_owned();
        let mut kt = Target::load(sub, self.opts, self.schema)
            .map_err(|e| e.context(format!("couldn't make target for path '{}'", display(&root))))?;
        // As kustomize: the top kustomization's buildMetadata holds in every kustomization the build enters.
        kt.k.build_metadata = self.k.build_metadata.clone();
        kt.origin = self.origin_of(path)?;
        kt.set_schema(false)?;
        if component && !kt.k.is_component() {
            return Err(Error::invalid(format!(
                "expected kind 'Component' for path '{}' but got '{}'",
                display(&root),
                kt.k.kind
            )));
        }
        if !component && kt.k.is_component() {
            return Err(Error::invalid(format!("expected kind != 'Component' for path '{}'", display(&root))));
        }
        if component {
            return kt.accumulate(ra);
        }
        let sub_ra = kt.accumulate(Accumulator::default())?;
        ra.merge(sub_ra).map_err(|e| e.context(format!("recursed merging from path '{}'", display(&root))))?;
        Ok(ra)
    }

    fn run_generators(&self, ra: &mut Accumulator) -> Result<()> {
        let global = self.k.generator_options.as_ref();
        for g in &self.k.config_map_generator {
            let args = GeneratorArgs {
                options: GeneratorOptions::merged_with_global(g.options.as_ref(), global),
                ..g.clone()
            };
            let r = generators::config_map(&self.loader, &args, &self.file)
                .map_err(|e| self.err("configMapGenerator", e))?;
            let mut res = vec![r];
            self.generated_by(&mut res, "ConfigMapGenerator").map_err(|e| self.err("configMapGenerator", e))?;
            ra.rm.absorb_all(res).map_err(|e| self.err("configMapGenerator", e))?;
        }
        for g in &self.k.secret_generator {
            let args = GeneratorArgs {
                options: GeneratorOptions::merged_with_global(g.options.as_ref(), global),
                ..g.clone()
            };
            let r = generators::secret(&self.loader, &args, &self.file).map_err(|e| self.err("secretGenerator", e))?;
            let mut res = vec![r];
            self.generated_by(&mut res, "SecretGenerator").map_err(|e| self.err("secretGenerator", e))?;
            ra.rm.absorb_all(res).map_err(|e| self.err("secretGenerator", e))?;
        }
        for chart in &self.k.helm_charts {
            let mut res = crate::helm::inflate(&self.loader, self.k.helm_globals.as_ref(), chart, self.opts)
                .map_err(|e| self.err("helmCharts", e))?;
            self.generated_by(&mut res, "HelmChartInflationGenerator").map_err(|e| self.err("helmCharts", e))?;
            self.saw(&res)?;
            ra.rm.absorb_all(res).map_err(|e| self.err("helmCharts", e))?;
        }
        for cfg in self.plugin_configs(&self.k.generators, "generators")? {
            let mut res = self.run_generator_plugin(&cfg).map_err(|e| self.err("generators", e))?;
            if let Some(o) = Origin::of_plugin(&cfg).map_err(|e| self.err("generators", e))? {
                origin::add_origin(&mut res, &o).map_err(|e| self.err("generators", e))?;
            }
            self.saw(&res)?;
            ra.rm.absorb_all(res).map_err(|e| self.err("generators", e))?;
        }
        Ok(())
    }

    /// Plugin configurations named by `generators`/`transformers` entries: inline YAML or files/directories.
    fn plugin_configs(&self, entries: &[String], field: &str) -> Result<Vec<Resource>> {
        let mut acc = Accumulator::default();
        let mut paths = Vec::new();
        for e in entries {
            match parse_resources(e.as_bytes(), &self.file) {
                Ok(mut rs) if !rs.is_empty() => {
                    // An inline configuration comes from the kustomization file itself.
                    if let Some(o) = &self.origin {
                        let here = o.append(self.file_name);
                        for r in &mut rs {
                            origin::set(r, Some(&here)).map_err(|err| self.err(field, err))?;
                        }
                    }
                    acc.rm.append_all(rs).map_err(|err| self.err(field, err))?
                }
                _ => paths.push(e.clone()),
            }
        }
        self.accumulate_resources(&mut acc, &paths, field)?;
        Ok(acc.rm.list)
    }

    fn run_generator_plugin(&self, cfg: &Resource) -> Result<Vec<Resource>> {
        check_builtin(cfg)?;
        let v = &plugin_config(cfg);
        match cfg.kind() {
            "ConfigMapGenerator" | "SecretGenerator" => {
                let secret = cfg.kind() == "SecretGenerator";
                let mut args = generator_args(v, cfg.kind(), secret, false)?;
                if args.name.is_empty() {
                    args.name = cfg.name().to_owned();
                }
                if args.namespace.is_empty() {
                    args.namespace = cfg.namespace().to_owned();
                }
                let r = if secret {
                    generators::secret(&self.loader, &args, &self.file)?
                } else {
                    generators::config_map(&self.loader, &args, &self.file)?
                };
                Ok(vec![r])
            }
            "HelmChartInflationGenerator" => crate::helm::inflate(&self.loader, None, v, self.opts),
            "IAMPolicyGenerator" => generators::iam_policy(v),
            other => Err(Error::unsupported(format!("unable to load builtin generator {other}"))),
        }
    }

    fn run_transformers(&self, ra: &mut Accumulator) -> Result<()> {
        let tc = ra.tc.clone();
        let k = &self.k;
        let rm = &mut ra.rm;
        if !k.patches_strategic_merge.is_empty() {
            let mut patches = Vec::new();
            for p in &k.patches_strategic_merge {
                let inline =
                    parse_resources(p.as_bytes(), &self.file).ok().filter(|r| !r.is_empty() && p.contains(':'));
                let loaded = match inline {
                    Some(r) => r,
                    None => {
                        let text = self.loader.load(p).map_err(|e| self.err("patchesStrategicMerge", e))?;
                        parse_resources(text, p).map_err(|e| self.err("patchesStrategicMerge", e))?
                    }
                };
                patches.extend(loaded);
            }
            if patches.is_empty() {
                return Err(self.err("patchesStrategicMerge", Error::invalid("patch appears to be empty")));
            }
            for patch in &patches {
                let i = transformers::smp_target(rm, patch).map_err(|e| self.err("patchesStrategicMerge", e))?;
                self.smp_to(rm, &[i], patch).map_err(|e| self.err("patchesStrategicMerge", e))?;
            }
            self.ran_builtin(rm, "PatchStrategicMergeTransformer").map_err(|e| self.err("patchesStrategicMerge", e))?;
        }
        for (n, p) in k.patches.iter().enumerate() {
            self.patch(rm, p).map_err(|e| self.err(&format!("patches[{n}]"), e))?;
            self.ran_builtin(rm, "PatchTransformer").map_err(|e| self.err(&format!("patches[{n}]"), e))?;
        }
        if !k.namespace.is_empty() {
            transformers::namespace(rm, &k.namespace, &tc.namespace, false, SubjectMode::DefaultOnly)
                .map_err(|e| self.err("namespace", e))?;
            self.ran_builtin(rm, "NamespaceTransformer").map_err(|e| self.err("namespace", e))?;
        }
        if !k.name_prefix.is_empty() {
            transformers::prefix_suffix(rm, &k.name_prefix, &tc.name_prefix, false)
                .map_err(|e| self.err("namePrefix", e))?;
            self.ran_builtin(rm, "PrefixTransformer").map_err(|e| self.err("namePrefix", e))?;
        }
        if !k.name_suffix.is_empty() {
            transformers::prefix_suffix(rm, &k.name_suffix, &tc.name_suffix, true)
                .map_err(|e| self.err("nameSuffix", e))?;
            self.ran_builtin(rm, "SuffixTransformer").map_err(|e| self.err("nameSuffix", e))?;
        }
        for l in &k.labels {
            let mut fss = l.fields.clone();
            let add = |fss: &mut Vec<FieldSpec>, more: &[FieldSpec]| -> Result<()> {
                more.iter().try_for_each(|f| crate::types::merge_fieldspec(fss, f.clone()))
            };
            add(&mut fss, &tc.labels).map_err(|e| self.err("labels", e))?;
            if l.include_selectors {
                add(&mut fss, &tc.common_labels).map_err(|e| self.err("labels", e))?;
            } else {
                if l.include_templates {
                    add(&mut fss, &tc.template_labels).map_err(|e| self.err("labels", e))?;
                }
                let meta = FieldSpec { path: "metadata/labels".into(), create: true, ..FieldSpec::default() };
                add(&mut fss, &[meta]).map_err(|e| self.err("labels", e))?;
            }
            transformers::metadata_pairs(rm, &l.pairs, &fss).map_err(|e| self.err("labels", e))?;
            self.ran_builtin(rm, "LabelTransformer").map_err(|e| self.err("labels", e))?;
        }
        transformers::metadata_pairs(rm, &k.common_labels, &tc.common_labels)
            .map_err(|e| self.err("commonLabels", e))?;
        // kustomize configures the commonLabels transformer (empty or not) whenever either field is set.
        if !k.labels.is_empty() || !k.common_labels.is_empty() {
            self.ran_builtin(rm, "LabelTransformer").map_err(|e| self.err("commonLabels", e))?;
        }
        transformers::metadata_pairs(rm, &k.common_annotations, &tc.common_annotations)
            .map_err(|e| self.err("commonAnnotations", e))?;
        if !k.common_annotations.is_empty() {
            self.ran_builtin(rm, "AnnotationsTransformer").map_err(|e| self.err("commonAnnotations", e))?;
        }
        for (n, p) in k.patches_json6902.iter().enumerate() {
            self.json6902(rm, p).map_err(|e| self.err(&format!("patchesJson6902[{n}]"), e))?;
            self.ran_builtin(rm, "PatchJson6902Transformer").map_err(|e| self.err("patchesJson6902", e))?;
        }
        for (name, count) in &k.replicas {
            transformers::replicas(rm, name, *count, &tc.replicas).map_err(|e| self.err("replicas", e))?;
            self.ran_builtin(rm, "ReplicaCountTransformer").map_err(|e| self.err("replicas", e))?;
        }
        for img in &k.images {
            transformers::images(rm, img, &tc.images).map_err(|e| self.err("images", e))?;
            self.ran_builtin(rm, "ImageTagTransformer").map_err(|e| self.err("images", e))?;
        }
        if !k.replacements.is_empty() {
            let reps = replacement::load(&self.loader, &k.replacements).map_err(|e| self.err("replacements", e))?;
            replacement::apply(rm, &reps).map_err(|e| self.err("replacements", e))?;
            self.ran_builtin(rm, "ReplacementTransformer").map_err(|e| self.err("replacements", e))?;
        }
        for cfg in self.plugin_configs(&k.transformers, "transformers")? {
            let id = cfg.cur_id();
            self.run_transformer_plugin(rm, &cfg, &tc)
                .map_err(|e| self.err("transformers", e.context(format!("plugin {id}"))))?;
            if self.origin.is_some()
                && let Some(o) = Origin::of_plugin(&cfg).map_err(|e| self.err("transformers", e))?
            {
                origin::add_transformation(&mut rm.list, &o).map_err(|e| self.err("transformers", e))?;
            }
        }
        Ok(())
    }

    fn patch_text(&self, p: &PatchArgs) -> Result<(String, String)> {
        let inline = p.patch.trim();
        match (inline.is_empty(), p.path.is_empty()) {
            (true, true) => Err(Error::invalid("must specify one of patch and path")),
            (false, false) => Err(Error::invalid("patch and path can't be set at the same time")),
            (false, true) => Ok((inline.to_owned(), format!("[patch: {inline:?}]"))),
            (true, false) => {
                let text = self
                    .loader
                    .load(&p.path)
                    .map_err(|e| e.context(format!("failed to get the patch file from path({})", p.path)))?;
                Ok((String::from_utf8_lossy(text).into_owned(), format!("[path: {:?}]", p.path)))
            }
        }
    }

    fn patch(&self, rm: &mut ResMap, p: &PatchArgs) -> Result<()> {
        let (text, source) = self.patch_text(p)?;
        let opt = |name: &str| p.options.iter().any(|(k, v)| k == name && *v);
        match transformers::parse_patch(&text, &source)? {
            PatchBody::Strategic(mut docs) => {
                for d in &mut docs {
                    d.meta.allow_name_change = opt("allowNameChange");
                    d.meta.allow_kind_change = opt("allowKindChange");
                }
                match &p.target {
                    Some(t) => {
                        let [patch] = docs.as_slice() else {
                            return Err(Error::invalid(format!(
                                "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {source}"
                            )));
                        };
                        let selected = transformers::select(rm, t)?;
                        self.smp_to(rm, &selected, patch)
                    }
                    None => {
                        for patch in &docs {
                            let i = transformers::smp_target(rm, patch)?;
                            if let Some(r) = rm.list.get_mut(i) {
                                let mut st = self.schema.borrow_mut();
                                transformers::apply_smp(r, patch, &st.schemas()?)?;
                            }
                            rm.drop_empties();
                        }
                        Ok(())
                    }
                }
            }
            PatchBody::Json(jp) => {
                let Some(t) = &p.target else {
                    return Err(Error::invalid(format!("must specify a target for JSON patch {source}")));
                };
                for i in transformers::select(rm, t)? {
                    if let Some(r) = rm.list.get_mut(i) {
                        transformers::apply_json(r, &jp, true, &source)?;
                    }
                }
                Ok(())
            }
        }
    }

    fn json6902(&self, rm: &mut ResMap, p: &PatchArgs) -> Result<()> {
        let Some(t) = &p.target else { return Err(Error::invalid("must specify a target for patch")) };
        if t.id.name.is_empty() {
            return Err(Error::invalid("must specify the target name"));
        }
        let text = match (p.path.is_empty(), p.patch.is_empty()) {
            (true, true) => return Err(Error::invalid("empty file path and empty jsonOp")),
            (false, false) => return Err(Error::invalid("must specify a file path or jsonOp, not both")),
            (false, true) => String::from_utf8_lossy(self.loader.load(&p.path)?).into_owned(),
            (true, false) => p.patch.clone(),
        };
        let v = kpatch::yaml::parse_json6902(&text).map_err(|e| Error::invalid(format!("decoding {text}: {e}")))?;
        let jp = kpatch::json_patch::JsonPatch::from_value(&v)
            .map_err(|e| Error::invalid(format!("decoding {text}: {e}")))?;
        if jp.ops.is_empty() {
            return Err(Error::invalid(format!("patch appears to be empty; file={}, JsonOp={}", p.path, p.patch)));
        }
        for i in transformers::select(rm, t)? {
            if let Some(r) = rm.list.get_mut(i) {
                transformers::apply_json(r, &jp, false, &p.path)?;
            }
        }
        Ok(())
    }

    /// kustomize's `ValueAddTransformer`: write `value` (default: the name of the directory of the kustomization
    /// that lists the plugin) into `fieldPath` of the targets' resources, or insert it as a path segment at
    /// `filePathPosition` of the value there; `metadata/namespace` sets the namespace as the namespace filter does.
    /// `v` is the configuration as [`plugin_config`] decodes it; a `targetFilePath` document is decoded the same way.
    fn value_add(&self, rm: &mut ResMap, v: &Value) -> Result<()> {
        let field = |m: &Value, name: &str| m.get(name).cloned();
        let mut value =
            field(v, "value").map(|x| crate::resource::scalar_text(&x)).unwrap_or_default().trim().to_owned();
        if value.is_empty() {
            let root = self.loader.root();
            if root.is_empty() {
                return Err(Error::unsupported(
                    "ValueAddTransformer without `value` in the top kustomization: kiln does not see that \
                     directory's name; set `value`",
                ));
            }
            value = root.rsplit('/').next().unwrap_or(root).to_owned();
        }
        let mut targets: Vec<Value> = match field(v, "targets") {
            Some(Value::Seq(t)) => t,
            None | Some(Value::Null) => Vec::new(),
            Some(other) => return Err(Error::invalid(format!("`targets` must be a list, not {}", other.type_name()))),
        };
        let file = field(v, "targetFilePath").map(|x| crate::resource::scalar_text(&x)).unwrap_or_default();
        if !file.is_empty() {
            let text = String::from_utf8_lossy(self.loader.load(&file)?).into_owned();
            let mut doc = kiln_yaml::from_str(&text).map_err(|e| Error::invalid(format!("{file}: {e}")))?;
            if let Some(shape) = crate::kustomization::plugin_shape("ValueAddTransformer") {
                crate::kustomization::go_keys_lenient(&mut doc, &shape);
            }
            match field(&doc, "targets") {
                Some(Value::Seq(t)) => targets.extend(t),
                None | Some(Value::Null) => {}
                Some(_) => return Err(Error::invalid(format!("{file}: `targets` must be a list"))),
            }
        }
        if targets.is_empty() {
            return Err(Error::invalid("must specify at least one target"));
        }
        let mut parsed = Vec::with_capacity(targets.len());
        for t in &targets {
            let sel = match field(t, "selector") {
                None | Some(Value::Null) => None,
                Some(s) => Some(selector(&s, "selector", &[])?),
            };
            let path = field(t, "fieldPath").map(|x| crate::resource::scalar_text(&x)).unwrap_or_default();
            if path.is_empty() {
                return Err(Error::invalid("fieldPath cannot be empty"));
            }
            let pos = match field(t, "filePathPosition") {
                None | Some(Value::Null) => 0,
                Some(Value::Int(i)) => i,
                Some(other) => {
                    return Err(Error::invalid(format!(
                        "filePathPosition must be an integer, not {}",
                        other.type_name()
                    )));
                }
            };
            if pos < 0 {
                return Err(Error::invalid(format!("value of FilePathPosition ({pos}) cannot be negative")));
            }
            parsed.push((sel, path, pos));
        }
        for (sel, path, pos) in parsed {
            let idx: Vec<usize> = match &sel {
                None => (0..rm.list.len()).collect(),
                Some(s) => transformers::select(rm, s)?,
            };
            if path == "metadata/namespace" {
                // The namespace filter alone: unlike the namespace transformer it keeps no previous identity.
                let mut picked = ResMap::default();
                for &i in &idx {
                    if let Some(r) = rm.list.get(i) {
                        picked.list.push(r.clone());
                    }
                }
                transformers::namespace(&mut picked, &value, &[], false, SubjectMode::DefaultOnly)?;
                for (&i, mut r) in idx.iter().zip(picked.list) {
                    if let Some(slot) = rm.list.get_mut(i) {
                        r.meta.prev = std::mem::take(&mut slot.meta.prev);
                        *slot = r;
                    }
                }
                continue;
            }
            let fields = crate::types::split_path(&path, '/');
            for &i in &idx {
                let Some(r) = rm.list.get_mut(i) else { continue };
                let id = r.cur_id();
                let slot = lookup_create_scalar(&mut r.value, &fields)
                    .map_err(|e| e.context(format!("{id}: fieldPath {path}")))?;
                let new = if pos > 0 {
                    insert_path_part(&crate::resource::scalar_text(slot), usize::try_from(pos - 1).unwrap_or(0), &value)
                } else {
                    value.clone()
                };
                *slot = Value::String(new);
            }
        }
        Ok(())
    }

    fn run_transformer_plugin(&self, rm: &mut ResMap, cfg: &Resource, tc: &TransformerConfig) -> Result<()> {
        check_builtin(cfg)?;
        let v = &plugin_config(cfg);
        let specs = |field: &str| -> Result<Option<Vec<FieldSpec>>> {
            match v.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Seq(items)) => {
                    items.iter().map(|i| FieldSpec::decode(i, false)).collect::<Result<Vec<_>>>().map(Some)
                }
                Some(other) => Err(Error::invalid(format!("`{field}` must be a list, not {}", other.type_name()))),
            }
        };
        let pairs = |field: &str| -> Vec<(String, String)> {
            match v.get(field) {
                Some(Value::Map(m)) => m.iter().map(|(k, x)| (k.clone(), crate::resource::scalar_text(x))).collect(),
                _ => Vec::new(),
            }
        };
        let string = |field: &str| v.get(field).map(crate::resource::scalar_text).unwrap_or_default();
        match cfg.kind() {
            "LabelTransformer" => {
                transformers::metadata_pairs(rm, &pairs("labels"), &specs("fieldSpecs")?.unwrap_or_default())
            }
            "AnnotationsTransformer" => {
                transformers::metadata_pairs(rm, &pairs("annotations"), &specs("fieldSpecs")?.unwrap_or_default())
            }
            "NamespaceTransformer" => {
                let ns = cfg.namespace().to_owned();
                let mode = match string("setRoleBindingSubjects").as_str() {
                    "" | "defaultOnly" => SubjectMode::DefaultOnly,
                    "allServiceAccounts" => SubjectMode::AllServiceAccounts,
                    "none" => SubjectMode::None,
                    other => {
                        return Err(Error::invalid(format!(
                            "invalid value {other:?} for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                        )));
                    }
                };
                let unset_only = matches!(v.get("unsetOnly"), Some(Value::Bool(true)));
                transformers::namespace(rm, &ns, &specs("fieldSpecs")?.unwrap_or_default(), unset_only, mode)
            }
            "PrefixTransformer" | "SuffixTransformer" => {
                let suffix = cfg.kind() == "SuffixTransformer";
                let Some(fs) = specs("fieldSpecs")? else {
                    return Err(Error::invalid("fieldSpecs is not expected to be nil"));
                };
                let affix = string(if suffix { "suffix" } else { "prefix" });
                transformers::prefix_suffix(rm, &affix, &fs, suffix)
            }
            // kustomize's legacy name for the prefix transformer followed by the suffix transformer, both configured
            // from the same document.
            "PrefixSuffixTransformer" => {
                let Some(fs) = specs("fieldSpecs")? else {
                    return Err(Error::invalid("fieldSpecs is not expected to be nil"));
                };
                transformers::prefix_suffix(rm, &string("prefix"), &fs, false)?;
                transformers::prefix_suffix(rm, &string("suffix"), &fs, true)
            }
            "ImageTagTransformer" => {
                let img = match v.get("imageTag") {
                    Some(i) => image_args(i, "imageTag", false)?,
                    None => ImageArgs::default(),
                };
                transformers::images(rm, &img, &specs("fieldSpecs")?.unwrap_or_default())
            }
            "ReplicaCountTransformer" => {
                let name = v.pointer(&["replica", "name"]).map(crate::resource::scalar_text).unwrap_or_default();
                let count = match v.pointer(&["replica", "count"]) {
                    Some(Value::Int(i)) => *i,
                    None | Some(Value::Null) => 0,
                    Some(other) => {
                        return Err(Error::invalid(format!(
                            "replica count must be an integer, not {}",
                            other.type_name()
                        )));
                    }
                };
                transformers::replicas(rm, &name, count, &specs("fieldSpecs")?.unwrap_or_default())
            }
            "PatchTransformer" => {
                let mut stripped = v.clone();
                if let Value::Map(m) = &mut stripped {
                    for k in ["apiVersion", "kind", "metadata"] {
                        m.shift_remove(k);
                    }
                }
                let args = patch_args(&stripped, "PatchTransformer")?;
                self.patch(rm, &args)
            }
            "PatchStrategicMergeTransformer" => {
                let mut patches = Vec::new();
                if let Some(Value::Seq(paths)) = v.get("paths") {
                    for p in paths {
                        let p = crate::resource::scalar_text(p);
                        let text = self.loader.load(&p)?;
                        patches.extend(parse_resources(text, &p)?);
                    }
                }
                let inline = string("patches");
                if !inline.is_empty() {
                    patches.extend(parse_resources(inline.as_bytes(), &cfg.origin)?);
                }
                if patches.is_empty() {
                    return Err(Error::invalid("empty file path and empty patch content"));
                }
                for patch in &patches {
                    let i = transformers::smp_target(rm, patch)?;
                    self.smp_to(rm, &[i], patch)?;
                }
                Ok(())
            }
            "PatchJson6902Transformer" => {
                let target = v.get("target").map(|t| selector(t, "target", &[])).transpose()?;
                let args = PatchArgs { path: string("path"), patch: string("jsonOp"), target, options: Vec::new() };
                self.json6902(rm, &args)
            }
            "ReplacementTransformer" => {
                let entries = match v.get("replacements") {
                    Some(Value::Seq(items)) => items.clone(),
                    _ => Vec::new(),
                };
                let reps = replacement::load(&self.loader, &entries)?;
                replacement::apply(rm, &reps)
            }
            "HashTransformer" => transformers::add_hashes(rm),
            "ValueAddTransformer" => self.value_add(rm, v),
            // kustomize does not offer SortOrderTransformer as a plugin (only `sortOptions` at the top level).
            other => {
                let _ = tc;
                Err(Error::unsupported(format!("unable to load builtin transformer {other}")))
            }
        }
    }
}

/// A built-in plugin's configuration as kustomize decodes it into the plugin's struct: field names matched ignoring
/// case, unknown fields ignored.
fn plugin_config(cfg: &Resource) -> Value {
    let mut v = cfg.value.clone();
    if let Some(shape) = crate::kustomization::plugin_shape(cfg.kind()) {
        crate::kustomization::go_keys_lenient(&mut v, &shape);
    }
    v
}

fn check_builtin(cfg: &Resource) -> Result<()> {
    if cfg.api_version() != "builtin" {
        return Err(Error::unsupported(format!(
            "external plugins disabled; unable to load external plugin '{}' (kiln runs only kustomize's built-in plugins, apiVersion: builtin)",
            cfg.kind()
        )));
    }
    Ok(())
}

/// Build the kustomization in directory `dir` of `tree` and return the resources in output order.
pub fn build(tree: &FileTree, dir: &str, opts: &BuildOptions) -> Result<Vec<Resource>> {
    let loader = Loader::new(tree, dir, opts.load_restrictor)?;
    let schema = RefCell::new(SchemaState::new());
    let mut kt = Target::load(loader, opts, &schema)?;
    kt.set_schema(true)?;
    // Any buildMetadata option turns origin tracking on (the annotations are dropped at the end unless asked for).
    kt.origin = (!kt.k.build_metadata.is_empty()).then(Origin::default);
    let mut ra = kt.accumulate(Accumulator::default())?;
    transformers::add_hashes(&mut ra.rm)?;
    transformers::fix_name_references(&mut ra.rm, &ra.tc.name_reference).map_err(|e| kt.err("name references", e))?;
    if !ra.vars.is_empty() {
        crate::vars::resolve(&mut ra.rm, &ra.vars, &ra.tc.var_reference).map_err(|e| kt.err("vars", e))?;
    }
    ra.rm.list.retain(|r| {
        let local = r.value.pointer(&["metadata", "annotations", "config.kubernetes.io/local-config"]);
        match local {
            None => true,
            Some(v) => crate::resource::scalar_text(v) == "false",
        }
    });
    transformers::sort(&mut ra.rm, kt.k.sort_options.as_ref()).map_err(|e| kt.err("sortOptions", e))?;
    let wants = |o: &str| kt.k.build_metadata.iter().any(|b| b == o);
    if wants(origin::OPT_MANAGED_BY) {
        let (k, v) = origin::MANAGED_BY;
        let spec = FieldSpec { path: "metadata/labels".into(), create: true, ..FieldSpec::default() };
        transformers::metadata_pairs(&mut ra.rm, &[(k.to_owned(), v.to_owned())], &[spec])
            .map_err(|e| kt.err("buildMetadata", e))?;
    }
    let (keep_origin, keep_transformations) = (wants(origin::OPT_ORIGIN), wants(origin::OPT_TRANSFORMER));
    for r in &mut ra.rm.list {
        r.finish(keep_origin, keep_transformations)?;
    }
    Ok(ra.rm.list)
}

/// kyaml `LookupCreate(ScalarNode, fields...)` over mapping fields: missing mappings and the final field are
/// created; a non-mapping on the way, or a non-scalar at the end, is an error.
fn lookup_create_scalar<'v>(v: &'v mut Value, fields: &[String]) -> Result<&'v mut Value> {
    let Some((last, parents)) = fields.split_last() else {
        return Err(Error::invalid("empty field path"));
    };
    let mut cur = v;
    for f in parents {
        if f.starts_with('[') {
            return Err(Error::unsupported(format!("list selector {f} in a ValueAddTransformer fieldPath")));
        }
        let Value::Map(m) = cur else { return Err(Error::invalid(format!("{f}: the parent is not a mapping"))) };
        let next = m.entry(f.clone()).or_insert_with(|| Value::Map(kiln_yaml::Map::new()));
        if next.is_null() {
            *next = Value::Map(kiln_yaml::Map::new());
        }
        cur = next;
    }
    let Value::Map(m) = cur else { return Err(Error::invalid(format!("{last}: the parent is not a mapping"))) };
    let slot = m.entry(last.clone()).or_insert(Value::Null);
    if matches!(slot, Value::Map(_) | Value::Seq(_)) {
        return Err(Error::invalid(format!("{last}: wrong node kind: expected ScalarNode")));
    }
    Ok(slot)
}

/// kyaml's `filesys.InsertPathPart`: `part` inserted as path segment `pos` of `path` (0 first; past the end appends;
/// an absolute path keeps its root first).
fn insert_path_part(path: &str, pos: usize, part: &str) -> String {
    if part.is_empty() {
        return path.to_owned();
    }
    let parts = go_path_split(path);
    let mut pos = pos.min(parts.len());
    if parts.first().is_some_and(String::is_empty) && pos < parts.len() {
        pos += 1;
    }
    let mut out: Vec<String> = parts.get(..pos).unwrap_or_default().to_vec();
    out.push(part.to_owned());
    out.extend(parts.get(pos..).unwrap_or_default().iter().cloned());
    match out.split_first() {
        Some((first, rest)) if first.is_empty() => format!("/{}", crate::origin::go_join("", &rest.join("/"))),
        _ => crate::origin::go_join("", &out.join("/")),
    }
}

/// kyaml's `filesys.PathSplit`: the `/`-separated parts, leading slashes making one empty root part.
fn go_path_split(p: &str) -> Vec<String> {
    if p.is_empty() {
        return Vec::new();
    }
    let rest = p.trim_start_matches('/');
    let mut out: Vec<String> = Vec::new();
    if rest.len() < p.len() {
        out.push(String::new());
        if rest.is_empty() {
            return out;
        }
    }
    out.extend(rest.split('/').map(str::to_owned));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_split_like_kyaml() {
        let s = |p: &str| go_path_split(p);
        assert!(s("").is_empty());
        assert_eq!(s("a/b/c"), ["a", "b", "c"]);
        assert_eq!(s("/"), [""]);
        assert_eq!(s("/a/b"), ["", "a", "b"]);
        assert_eq!(s("//a"), ["", "a"]);
        assert_eq!(s("a//b"), ["a", "", "b"]);
        assert_eq!(s("a/"), ["a", ""]);
    }

    #[test]
    fn insert_path_part_like_kyaml() {
        assert_eq!(insert_path_part("projects/buckets/b1", 1, "cat"), "projects/cat/buckets/b1");
        assert_eq!(insert_path_part("projects/buckets/b1", 0, "cat"), "cat/projects/buckets/b1");
        assert_eq!(insert_path_part("a/b", 9, "z"), "a/b/z");
        assert_eq!(insert_path_part("/a/b", 0, "z"), "/z/a/b");
        assert_eq!(insert_path_part("a/b", 1, ""), "a/b");
        assert_eq!(insert_path_part("", 0, "z"), "z");
    }
}
