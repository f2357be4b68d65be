//! The chart model and loading it from a list of files (`loader.LoadFiles` and `loader.LoadDir`).
//!
//! Files are classified by path: `Chart.yaml` (metadata), `values.yaml` (defaults, every YAML document merged),
//! `values.schema.json`, `Chart.lock`/`requirements.*`, `templates/*` (templates), `charts/<name>/...` and
//! `charts/<name>.tgz` (subcharts, except names starting with `_` or `.`), everything else (including `crds/`) is a
//! plain file visible through `.Files`. A chart directory is read in the order of a directory walk, with
//! `.helmignore` applied; an archive is read in archive order without it.

use std::cmp::Ordering;
use std::sync::Arc;

use kiln_yaml::{Map, Value};

use crate::archive::{self, ArchiveError};
use crate::ignore::Rules;
use crate::metadata::Metadata;

/// One file of a chart: its path relative to the chart root and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    /// Path relative to the chart root, `/`-separated.
    pub name: String,
    /// Contents.
    pub data: FileData,
}

impl ChartFile {
    /// A file from a path and bytes.
    pub fn new(name: impl Into<String>, data: impl Into<FileData>) -> ChartFile {
        ChartFile { name: name.into(), data: data.into() }
    }
}

/// The bytes of a chart file, shared: charts copied for aliases, `.Files` and subcharts all point at one buffer.
/// It keeps the `Vec` it was made from, so a file handed over by the host is used where it arrived (an `Arc<[u8]>`
/// would copy every file of the chart once more, and touch that much fresh memory, before loading started).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileData(Arc<Vec<u8>>);

impl std::ops::Deref for FileData {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for FileData {
    fn from(v: Vec<u8>) -> FileData {
        FileData(Arc::new(v))
    }
}

impl From<&[u8]> for FileData {
    fn from(v: &[u8]) -> FileData {
        FileData(Arc::new(v.to_vec()))
    }
}

/// A loaded chart and its subcharts.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// `Chart.yaml`.
    pub metadata: Metadata,
    /// Templates (`templates/...`).
    pub templates: Vec<ChartFile>,
    /// Default values (`values.yaml`), numbers as floats.
    pub values: Map,
    /// `values.schema.json`, if present.
    pub schema: Option<FileData>,
    /// Every other file.
    pub files: Vec<ChartFile>,
    /// Subcharts.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name (`Chart.yaml` name, or the alias once dependencies are processed).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether this is a library chart.
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }
}

/// Why a chart could not be loaded. The text is what Helm prints after `Error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub String);

impl From<ArchiveError> for LoadError {
    fn from(e: ArchiveError) -> Self {
        LoadError(e.0)
    }
}

/// Limits that protect the renderer from hostile charts (nested archives in particular).
#[derive(Debug, Clone)]
pub struct Budget {
    /// Bytes that nested archives may still decompress to.
    pub archive_bytes: u64,
    /// Deepest nesting of subcharts.
    pub max_depth: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { archive_bytes: 256 * 1024 * 1024, max_depth: 24 }
    }
}

/// Largest file a chart directory may contain (Helm's limit).
pub const MAX_FILE_SIZE: usize = 5 * 1024 * 1024;

/// Order paths as a directory walk visits them: component by component, each level sorted by name.
pub fn walk_order(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// Load a chart directory's files (paths relative to the chart root): apply `.helmignore` and the default rules,
/// strip byte order marks, enforce the file size limit, sort in walk order and load.
pub fn load_dir_files(files: Vec<ChartFile>, budget: &mut Budget) -> Result<Chart, LoadError> {
    let mut rules = match files.iter().find(|f| f.name == ".helmignore") {
        Some(f) => Rules::parse(&kiln_yaml::utf8_lossy(&f.data)).map_err(|e| LoadError(e.to_string()))?,
        None => Rules::default(),
    };
    rules.add_defaults();
    let mut kept = Vec::with_capacity(files.len());
    let mut dirs = crate::ignore::DirMemo::default();
    for f in files {
        if rules.ignore_file_with(&f.name, &mut dirs) {
            continue;
        }
        if f.data.len() > MAX_FILE_SIZE {
            let base = f.name.rsplit('/').next().unwrap_or(&f.name);
            return Err(LoadError(format!(
                "chart file {} is larger than the maximum file size {MAX_FILE_SIZE}",
                kiln_helm_values::go_quote(base)
            )));
        }
        let data = if f.data.starts_with(&[0xEF, 0xBB, 0xBF]) {
            FileData::from(f.data.get(3..).unwrap_or_default())
        } else {
            f.data
        };
        kept.push(ChartFile { name: f.name, data });
    }
    kept.sort_by(|a, b| walk_order(&a.name, &b.name));
    load_files(kept, budget, 0)
}

/// Load a chart archive (`.tgz`).
pub fn load_archive(data: &[u8], budget: &mut Budget, depth: usize) -> Result<Chart, LoadError> {
    let files = archive::extract(data)?;
    let size: u64 = files.iter().map(|f| f.data.len() as u64).sum();
    if size > budget.archive_bytes {
        return Err(LoadError("chart archives decompress to more than the allowed total size".into()));
    }
    budget.archive_bytes -= size;
    load_files(files, budget, depth)
}

fn parse_yaml(data: &[u8]) -> Result<Value, String> {
    crate::yaml::parse(&kiln_yaml::utf8_lossy(data)).map_err(|e| format!("error converting YAML to JSON: {e}"))
}

/// `loader.LoadFiles`: build a chart from files whose names are relative to the chart root, in load order.
pub fn load_files(files: Vec<ChartFile>, budget: &mut Budget, depth: usize) -> Result<Chart, LoadError> {
    if depth > budget.max_depth {
        return Err(LoadError(format!("subcharts are nested more than {} levels deep", budget.max_depth)));
    }
    let mut c = Chart::default();
    let mut has_metadata = false;
    for f in &files {
        if f.name == "Chart.yaml" {
            has_metadata = true;
            let doc = parse_yaml(&f.data).map_err(|e| LoadError(format!("cannot load Chart.yaml: {e}")))?;
            c.metadata.decode_into(&doc).map_err(|e| LoadError(format!("cannot load Chart.yaml: {e}")))?;
            if c.metadata.api_version.is_empty() {
                c.metadata.api_version = "v1".into();
            }
        }
    }
    let mut subcharts: Vec<(String, Vec<ChartFile>)> = Vec::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => {
                parse_yaml(&f.data).map_err(|e| LoadError(format!("cannot load Chart.lock: {e}")))?;
            }
            "values.yaml" => {
                c.values = kiln_helm_values::load_values(&f.data)
                    .map_err(|e| LoadError(format!("cannot load values.yaml: {e}")))?;
            }
            "values.schema.json" => c.schema = Some(f.data.clone()),
            "requirements.yaml" => {
                has_metadata = true;
                let doc = parse_yaml(&f.data).map_err(|e| LoadError(format!("cannot load requirements.yaml: {e}")))?;
                c.metadata.decode_into(&doc).map_err(|e| LoadError(format!("cannot load requirements.yaml: {e}")))?;
                if c.metadata.api_version == "v1" {
                    c.files.push(f);
                }
            }
            "requirements.lock" => {
                parse_yaml(&f.data).map_err(|e| LoadError(format!("cannot load requirements.lock: {e}")))?;
                has_metadata = true;
                if c.metadata.api_version == "v1" {
                    c.files.push(f);
                }
            }
            name if name.starts_with("templates/") => c.templates.push(f),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    c.files.push(f);
                    continue;
                }
                let rest = name.get("charts/".len()..).unwrap_or("");
                let cname = rest.split('/').next().unwrap_or("").to_owned();
                let inner = ChartFile { name: rest.to_owned(), data: f.data };
                match subcharts.iter_mut().find(|(n, _)| *n == cname) {
                    Some((_, list)) => list.push(inner),
                    None => subcharts.push((cname, vec![inner])),
                }
            }
            _ => c.files.push(f),
        }
    }
    if !has_metadata {
        return Err(LoadError("Chart.yaml file is missing".into()));
    }
    c.metadata.validate().map_err(|e| LoadError(e.0))?;

    // Helm iterates a Go map here (random order); sort for a deterministic result.
    subcharts.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let loaded = if n.ends_with(".tgz") {
            match files.first() {
                Some(file) if file.name == n => load_archive(&file.data, budget, depth + 1),
                Some(file) => Err(LoadError(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    c.name(),
                    file.name
                ))),
                None => Err(LoadError("no files in chart archive".into())),
            }
        } else {
            let inner: Vec<ChartFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(ChartFile { name: rest.to_owned(), data: f.data })
                })
                .collect();
            load_files(inner, budget, depth + 1)
        };
        let sub = loaded.map_err(|e| LoadError(format!("error unpacking subchart {n} in {}: {}", c.name(), e.0)))?;
        c.dependencies.push(sub);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_order_is_per_component() {
        let mut v = vec!["a.txt", "a/b", "b", "a-b"];
        v.sort_by(|a, b| walk_order(a, b));
        assert_eq!(v, vec!["a/b", "a-b", "a.txt", "b"]);
    }
}
