//! kiln's built-in Helm chart renderer: the bytes of `helm template` (Helm v4.1.4), in pure Rust.
//!
//! [`render`] takes a chart's files, the user's values and the release context, and returns the documents
//! `helm template` prints, in print order. [`print_stream`] turns them into Helm's exact output. The pipeline
//! mirrors Helm's:
//!
//! 1. load the chart (`.helmignore`, `Chart.yaml`, `values.yaml`, subcharts from `charts/`, nested `.tgz`
//!    archives), check it is installable and that declared dependencies are present;
//! 2. process dependencies (aliases, `tags`, `condition`, `import-values`);
//! 3. coalesce values (user over defaults, `global` propagation) and validate each chart's `values.schema.json`;
//! 4. check `kubeVersion`, render every template with Go template semantics, Sprig and Helm's functions;
//! 5. split the output into documents, separate hooks, sort by kind, and add CRDs from `crds/` when asked.
//!
//! The plugin's WebAssembly entry point is in [`wasm`]; its configuration is documented in the crate's README.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod archive;
pub mod capabilities;
pub mod chart;
pub mod coalesce;
pub mod deps;
pub mod engine;
mod errors;
pub mod funcs;
mod glob;
mod gofmt;
pub mod ignore;
pub mod metadata;
pub mod objects;
pub mod schema;
pub mod schema_fast;
pub mod semver;
pub mod sorter;
mod toml;
pub mod wasm;
mod yaml;

use std::path::Path;

pub use capabilities::Capabilities;
pub use chart::{Chart, ChartFile};
pub use engine::ReleaseInfo;
pub use kiln_yaml::{Map, Value};

/// Rendering options: the `helm template` flags that change what is rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// `--include-crds`: print the files of every chart's `crds/` directory first.
    pub include_crds: bool,
    /// `--skip-tests`: leave out test hooks.
    pub skip_tests: bool,
    /// `--no-hooks`: leave out all hooks.
    pub no_hooks: bool,
    /// `--skip-schema-validation`: do not validate values against `values.schema.json`.
    pub skip_schema_validation: bool,
    /// `--debug`: errors found once the release exists lack Helm's "Use --debug flag to render out invalid YAML"
    /// hint (the caller prints the rendered templates instead, see [`render_templates`]).
    pub debug: bool,
}

/// Everything a render needs.
#[derive(Debug, Clone, Default)]
pub struct RenderRequest {
    /// The chart: its files with paths relative to the chart root (as read from a chart directory), or a single
    /// file whose name ends in `.tgz` holding a packaged chart.
    pub files: Vec<ChartFile>,
    /// The user's values (already merged from values files and `--set` flags), with Go types: floats for numbers
    /// from files or JSON, integers from `--set`.
    pub values: Map,
    /// `.Release`.
    pub release: ReleaseInfo,
    /// `--kube-version` (Helm's default, v1.35.0, when `None` or empty).
    pub kube_version: Option<String>,
    /// `--api-versions`: added to Helm's default API versions.
    pub api_versions: Vec<String>,
    /// Flags.
    pub options: RenderOptions,
}

/// Which part of the output a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// A file from a `crds/` directory (with `include_crds`).
    Crd,
    /// A rendered manifest.
    Manifest,
    /// A hook.
    Hook,
}

/// One document of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDocument {
    /// What `# Source:` names: the template path (`chart/templates/x.yaml`) or the CRD file.
    pub origin: String,
    /// The document's text, printed after the `# Source:` line. For the last document before the hooks, trailing
    /// whitespace is already removed (Helm trims the manifest section as a whole).
    pub content: String,
    /// Its section.
    pub section: Section,
}

/// What went wrong, in the class the plugin contract distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The chart, the values or the request are invalid (load errors, schema violations, missing dependencies).
    InvalidInput,
    /// The templates failed (`fail`, `required`, execution or parse errors, output that is not YAML).
    Failed,
}

/// A render error. [`RenderError::message`] is what `helm template` prints after `Error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RenderError {
    /// The class of the error.
    pub kind: ErrorKind,
    /// Helm's message.
    pub message: String,
    /// Warnings collected before the error (Helm logs them).
    pub warnings: Vec<String>,
}

impl RenderError {
    fn invalid(message: impl Into<String>) -> Self {
        RenderError { kind: ErrorKind::InvalidInput, message: message.into(), warnings: Vec::new() }
    }
    fn failed(message: impl Into<String>) -> Self {
        RenderError { kind: ErrorKind::Failed, message: message.into(), warnings: Vec::new() }
    }
    /// Helm's message (same as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Helm adds this hint to errors that happen once the release exists (rendering, sorting, `kubeVersion`), unless
/// `--debug` was given.
const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

/// The hint for this request's errors.
fn debug_hint(req: &RenderRequest) -> &'static str {
    if req.options.debug { "" } else { DEBUG_HINT }
}

/// Load the chart of a request: a chart directory's files, or one `.tgz`.
pub fn load_chart(files: &[ChartFile]) -> Result<Chart, RenderError> {
    let mut budget = chart::Budget::default();
    let is_archive = files.len() == 1
        && files
            .first()
            .is_some_and(|f| (f.name.ends_with(".tgz") || f.name.ends_with(".tar.gz")) && !f.name.contains('/'));
    let res = if is_archive {
        let data = files.first().map(|f| f.data.clone()).unwrap_or_default();
        chart::load_archive(&data, &mut budget, 0)
    } else {
        chart::load_dir_files(files.to_vec(), &mut budget)
    };
    let chart = res.map_err(|e| RenderError::invalid(e.0))?;
    // Helm picks a loader by the top chart's apiVersion: v1 and v2 (or none) render; a v3 chart loads but `helm
    // template` refuses it; any other version is refused outright. Subcharts are not checked.
    match chart.metadata.api_version.as_str() {
        "v1" | "v2" => Ok(chart),
        "v3" => Err(RenderError::invalid("invalid chart apiVersion")),
        _ => Err(RenderError::invalid("unsupported chart version")),
    }
}

/// Render a chart as `helm template` does. Never panics on any input.
pub fn render(req: &RenderRequest) -> Result<Vec<RenderedDocument>, RenderError> {
    render_with_warnings(req).map(|(docs, _)| docs)
}

/// [`render`], also returning the warnings Helm would log (values that could not be coalesced, non-boolean
/// conditions, ...).
pub fn render_with_warnings(req: &RenderRequest) -> Result<(Vec<RenderedDocument>, Vec<String>), RenderError> {
    let mut warnings = Vec::new();
    let res = render_inner(req, &mut warnings);
    match res {
        Ok(docs) => Ok((docs, warnings)),
        Err(mut e) => {
            e.warnings = warnings;
            Err(e)
        }
    }
}

/// Everything up to template execution: the processed chart and the rendered files (template name, output) of
/// every non-partial template, `NOTES.txt` included, in render order.
fn render_files_inner(
    req: &RenderRequest,
    warnings: &mut Vec<String>,
) -> Result<(Chart, Vec<(String, String)>), RenderError> {
    let caps = Capabilities::new(req.kube_version.as_deref(), &req.api_versions).map_err(RenderError::invalid)?;
    let mut chart = load_chart(&req.files)?;

    match chart.metadata.chart_type.as_str() {
        "" | "application" => {}
        other => return Err(RenderError::invalid(format!("{other} charts are not installable"))),
    }
    // Helm warns about the chart being rendered, not about deprecated subcharts.
    if chart.metadata.deprecated {
        warnings.push("this chart is deprecated".to_owned());
    }
    check_dependencies(&chart)?;

    deps::process_dependencies(&mut chart, &req.values, warnings)
        .map_err(|e| RenderError::invalid(format!("chart dependencies processing failed: {e}")))?;

    let values = coalesce::coalesce_values(&chart, &req.values, warnings).map_err(|e| RenderError::invalid(e.0))?;
    if !req.options.skip_schema_validation {
        let report = schema::validate(&chart, &values);
        if !report.is_empty() {
            return Err(RenderError::invalid(format!(
                "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
            )));
        }
    }

    if !chart.metadata.kube_version.is_empty()
        && !semver::is_compatible_range(&chart.metadata.kube_version, &caps.kube_version.normalized)
    {
        return Err(RenderError::failed(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {}{}",
            chart.metadata.kube_version,
            caps.kube_version.version,
            debug_hint(req)
        )));
    }

    let rendered = engine::render(&chart, &values, &req.release, &caps)
        .map_err(|e| RenderError::failed(format!("{e}{}", debug_hint(req))))?;
    kiln_plugin_sdk::alloc::discard(values);
    Ok((chart, rendered))
}

/// Render every template without sorting or printing: (template name, output) for each non-partial template,
/// `NOTES.txt` files included, in Helm's render order. Useful to show a chart's notes, and what `helm template
/// --debug` prints when the rendered files are not valid YAML (every non-blank one but the notes).
pub fn render_templates(req: &RenderRequest) -> Result<Vec<(String, String)>, RenderError> {
    render_files_inner(req, &mut Vec::new()).map(|(_, files)| files)
}

fn render_inner(req: &RenderRequest, warnings: &mut Vec<String>) -> Result<Vec<RenderedDocument>, RenderError> {
    let (chart, rendered) = render_files_inner(req, warnings)?;
    let files: Vec<(String, String)> = rendered.into_iter().filter(|(name, _)| !name.ends_with("NOTES.txt")).collect();
    let (hooks, manifests) =
        sorter::sort_manifests(&files).map_err(|e| RenderError::failed(format!("{}{}", e.0, debug_hint(req))))?;

    let mut docs = Vec::new();
    if req.options.include_crds {
        collect_crds(&chart, chart.name(), &mut docs);
    }
    for m in manifests {
        docs.push(RenderedDocument { origin: m.name, content: m.content, section: Section::Manifest });
    }
    if let Some(last) = docs.last_mut() {
        let trimmed = last.content.trim_end().len();
        last.content.truncate(trimmed);
    }
    if !req.options.no_hooks {
        for h in hooks {
            if req.options.skip_tests && h.is_test() {
                continue;
            }
            docs.push(RenderedDocument { origin: h.path, content: h.manifest, section: Section::Hook });
        }
    }
    kiln_plugin_sdk::alloc::discard(chart);
    Ok(docs)
}

/// `CheckDependencies`: every dependency declared in `Chart.yaml` must be present in `charts/`.
fn check_dependencies(chart: &Chart) -> Result<(), RenderError> {
    let missing: Vec<&str> = chart
        .metadata
        .deps()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(RenderError::invalid(format!(
        "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
        missing.join(", ")
    )))
}

/// `CRDObjects`: each chart's `crds/*.{yaml,yml,json}` in file order, then its subcharts'.
fn collect_crds(chart: &Chart, full_path: &str, out: &mut Vec<RenderedDocument>) {
    for f in &chart.files {
        let base = f.name.rsplit('/').next().unwrap_or(&f.name);
        let ext = base.rfind('.').and_then(|i| base.get(i..)).unwrap_or("");
        let ext_ok = [".yaml", ".yml", ".json"].iter().any(|e| ext.eq_ignore_ascii_case(e));
        if f.name.starts_with("crds/") && ext_ok {
            out.push(RenderedDocument {
                origin: archive::clean_path(&format!("{full_path}/{}", f.name)),
                content: kiln_yaml::utf8_lossy(&f.data).into_owned(),
                section: Section::Crd,
            });
        }
    }
    for d in &chart.dependencies {
        collect_crds(d, &format!("{full_path}/charts/{}", d.name()), out);
    }
}

/// Print documents exactly as `helm template` does: each as `---\n# Source: ORIGIN\nCONTENT\n`; a lone `\n` stands
/// for an empty manifest section (Helm prints `TrimSpace(manifests) + "\n"` before the hooks).
pub fn print_stream(docs: &[RenderedDocument]) -> String {
    let mut out = String::new();
    if !docs.iter().any(|d| d.section != Section::Hook) {
        out.push('\n');
    }
    for d in docs {
        out.push_str("---\n# Source: ");
        out.push_str(&d.origin);
        out.push('\n');
        out.push_str(&d.content);
        out.push('\n');
    }
    out
}

/// Read a chart from disk into the file list a [`RenderRequest`] takes: a directory (walked recursively, following
/// symbolic links as Helm does, paths relative to it) or a `.tgz` file (returned as its single file).
pub fn read_chart_path(path: &Path) -> std::io::Result<Vec<ChartFile>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "chart.tgz".into());
        let name = if name.ends_with(".tgz") || name.ends_with(".tar.gz") { name } else { format!("{name}.tgz") };
        return Ok(vec![ChartFile::new(name, std::fs::read(path)?)]);
    }
    let mut out = Vec::new();
    walk(path, "", &mut out, 0)?;
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<ChartFile>, depth: usize) -> std::io::Result<()> {
    if depth > 64 {
        return Err(std::io::Error::other("chart directory nests too deeply (symbolic link loop?)"));
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let p = e.path();
        let meta = std::fs::metadata(&p)?;
        if meta.is_dir() {
            walk(&p, &rel, out, depth + 1)?;
        } else if meta.is_file() {
            out.push(ChartFile::new(rel, std::fs::read(&p)?));
        } else {
            return Err(std::io::Error::other(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                p.display()
            )));
        }
    }
    Ok(())
}
