//! `helmCharts`: kustomize's HelmChartInflationGenerator, rendered by kiln's own Helm renderer (no helm binary).
//!
//! As with `kubectl kustomize`, charts are rendered only when helm is enabled (`--enable-helm`). Charts must be
//! present under the chart home (`charts/` by default, `charts/NAME-VERSION/NAME` when `repo` and `version` are
//! set, as kustomize lays out pulled charts); pulling from a repository is the host's job and is not done here.

use kiln_yaml::{Map, Value};

use crate::build::BuildOptions;
use crate::error::{Error, Result};
use crate::fs::Loader;
use crate::resource::Resource;

/// Convert a legacy `helmChartInflationGenerator` entry into a `helmCharts` entry and its chart home.
pub fn from_inflation_generator(old: &Value) -> Result<(Value, Option<String>)> {
    let Value::Map(m) = old else { return Err(Error::invalid("helmChartInflationGenerator entries must be mappings")) };
    let mut chart = Map::new();
    let mut home = None;
    for (k, v) in m {
        let new_key = match k.as_str() {
            "chartName" => "name",
            "chartVersion" => "version",
            "chartRepoUrl" => "repo",
            "values" => "valuesFile",
            "valuesLocal" => "valuesInline",
            "valuesMerge" => "valuesMerge",
            "releaseName" => "releaseName",
            "chartHome" => {
                home = v.as_str().map(str::to_owned);
                continue;
            }
            _ => continue,
        };
        chart.insert(new_key.to_owned(), v.clone());
    }
    Ok((Value::Map(chart), home))
}

/// Deep-merge `over` into `base` (mappings merge, anything else replaces).
#[cfg_attr(not(feature = "helm"), allow(dead_code))]
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Map(b), Value::Map(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if matches!(slot, Value::Map(_)) && matches!(v, Value::Map(_)) => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Render one `helmCharts` entry.
#[cfg(feature = "helm")]
pub fn inflate(
    loader: &Loader<'_>,
    globals: Option<&(String, String)>,
    chart: &Value,
    opts: &BuildOptions,
) -> Result<Vec<Resource>> {
    use crate::build::parse_resources;
    use kiln_plugin_helm::{ChartFile, ReleaseInfo, RenderOptions, RenderRequest};
    if !opts.enable_helm {
        return Err(Error::invalid("must specify --enable-helm"));
    }
    let s = |k: &str| chart.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let b = |k: &str| matches!(chart.get(k), Some(Value::Bool(true)));
    let name = s("name");
    if name.is_empty() {
        return Err(Error::invalid("chart name cannot be empty"));
    }
    let home = globals.map(|g| g.0.clone()).filter(|h| !h.is_empty()).unwrap_or_else(|| "charts".to_owned());
    let mut chart_home = home.clone();
    if !s("version").is_empty() && !s("repo").is_empty() {
        chart_home = format!("{home}/{name}-{}", s("version"));
    }
    let chart_dir = loader.resolve(&format!("{chart_home}/{name}"))?;
    let tree = loader.tree();
    if !tree.is_dir(&chart_dir) {
        return Err(Error::unsupported(format!(
            "no chart found at '{chart_dir}'; kiln does not pull charts: vendor the chart there (helm pull --untar --untardir {chart_home})"
        )));
    }
    let files: Vec<ChartFile> = tree.files_under(&chart_dir).map(|(p, c)| ChartFile::new(p, c.to_vec())).collect();
    let load_yaml = |path: &str| -> Result<Value> {
        let text = loader.load(path)?;
        kiln_yaml::from_str(&String::from_utf8_lossy(text)).map_err(|e| Error::invalid(format!("{path}: {e}")))
    };
    let values_file = s("valuesFile");
    let file_values = if values_file.is_empty() {
        let p = format!("{chart_dir}/values.yaml");
        match tree.read(&p) {
            Some(t) => {
                kiln_yaml::from_str(&String::from_utf8_lossy(t)).map_err(|e| Error::invalid(format!("{p}: {e}")))?
            }
            None => Value::Map(Map::new()),
        }
    } else {
        load_yaml(&values_file)?
    };
    let inline = chart.get("valuesInline").cloned().unwrap_or(Value::Null);
    let mut values = match (inline.as_map().is_some_and(|m| !m.is_empty()), s("valuesMerge").as_str()) {
        (false, _) => file_values,
        (true, "" | "override") => {
            let mut v = file_values;
            merge(&mut v, &inline);
            v
        }
        (true, "merge") => {
            let mut v = inline.clone();
            merge(&mut v, &file_values);
            v
        }
        (true, "replace") => inline.clone(),
        (true, other) => {
            return Err(Error::invalid(format!("valuesMerge must be one of [override replace merge], not {other:?}")));
        }
    };
    if let Some(Value::Seq(extra)) = chart.get("additionalValuesFiles") {
        for f in extra {
            let f = crate::resource::scalar_text(f);
            let v = load_yaml(&f).map_err(|e| e.context("could not load additionalValuesFile"))?;
            merge(&mut values, &v);
        }
    }
    values.ints_to_floats();
    let values = match values {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    let mut api_versions: Vec<String> = match chart.get("apiVersions") {
        Some(Value::Seq(v)) => v.iter().map(crate::resource::scalar_text).collect(),
        _ => Vec::new(),
    };
    if !opts.helm_api_versions.is_empty() {
        api_versions = opts.helm_api_versions.clone();
    }
    let kube_version =
        if opts.helm_kube_version.is_empty() { s("kubeVersion") } else { opts.helm_kube_version.clone() };
    let release_name = if s("releaseName").is_empty() { "release-name".to_owned() } else { s("releaseName") };
    let namespace = if s("namespace").is_empty() { "default".to_owned() } else { s("namespace") };
    let req = RenderRequest {
        files,
        values,
        release: ReleaseInfo { name: release_name, namespace, revision: 1, is_upgrade: false },
        kube_version: Some(kube_version).filter(|k| !k.is_empty()),
        api_versions,
        options: RenderOptions {
            include_crds: b("includeCRDs"),
            skip_tests: b("skipTests"),
            no_hooks: b("skipHooks"),
            skip_schema_validation: false,
            debug: false,
        },
    };
    let docs =
        kiln_plugin_helm::render(&req).map_err(|e| Error::failed(format!("rendering chart {name}: {}", e.message)))?;
    let mut out = Vec::new();
    for d in docs {
        out.extend(parse_resources(d.content.as_bytes(), &d.origin)?);
    }
    Ok(out)
}

/// Without the `helm` feature, `helmCharts` cannot be rendered.
#[cfg(not(feature = "helm"))]
pub fn inflate(_: &Loader<'_>, _: Option<&(String, String)>, _: &Value, opts: &BuildOptions) -> Result<Vec<Resource>> {
    if !opts.enable_helm {
        return Err(Error::invalid("must specify --enable-helm"));
    }
    Err(Error::unsupported("this build of the kustomize plugin has no Helm renderer"))
}
