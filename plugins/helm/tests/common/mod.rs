//! Shared helpers of the conformance tests: reading `helm template` style arguments and the corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kiln_helm_values::ValueSources;
use kiln_plugin_helm::{ReleaseInfo, RenderOptions, RenderRequest, print_stream, read_chart_path, render};

/// The shared corpus directory (`../shared/corpus` from the repository root), if present. Panics when absent and
/// `CI=true`, so CI cannot silently skip conformance.
pub fn corpus_dir() -> Option<PathBuf> {
    // `KILN_CORPUS` overrides the location (for builds from another checkout).
    let dir = match std::env::var_os("KILN_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", dir.display());
    }
    eprintln!("corpus not found at {}; skipping", dir.display());
    None
}

/// A parsed `helm template` invocation.
pub struct Invocation {
    pub request: RenderRequest,
}

/// Build a render request like `helm template RELEASE CHART --namespace NS [-f V]... ARGS`, resolving relative
/// value-file paths against `base`.
pub fn invocation(
    release: &str,
    chart: &Path,
    namespace: &str,
    values: &[PathBuf],
    args: &[String],
    base: &Path,
) -> Result<Invocation, String> {
    let mut sources = ValueSources::default();
    for v in values {
        sources.files.push(v.to_string_lossy().into_owned());
    }
    let mut options = RenderOptions::default();
    let mut kube_version = None;
    let mut api_versions = Vec::new();
    let mut is_upgrade = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--include-crds" => options.include_crds = true,
            "--skip-tests" => options.skip_tests = true,
            "--no-hooks" => options.no_hooks = true,
            "--skip-schema-validation" => options.skip_schema_validation = true,
            "--is-upgrade" => is_upgrade = true,
            "--kube-version" => kube_version = Some(value()?),
            "--api-versions" | "-a" => api_versions.extend(value()?.split(',').map(str::to_owned)),
            "-f" | "--values" => sources.files.push(value()?),
            "--set" => sources.set.push(value()?),
            "--set-string" => sources.set_string.push(value()?),
            "--set-json" => sources.set_json.push(value()?),
            "--set-file" => sources.set_file.push(value()?),
            "--set-literal" => sources.set_literal.push(value()?),
            other => return Err(format!("unsupported argument {other}")),
        }
    }
    let mut read = |p: &str| {
        let path = if Path::new(p).is_absolute() { PathBuf::from(p) } else { base.join(p) };
        std::fs::read(&path).map_err(|e| format!("open {p}: {e}"))
    };
    let values = kiln_helm_values::merge_values(&sources, &mut read).map_err(|e| e.to_string())?;
    let files = read_chart_path(chart).map_err(|e| e.to_string())?;
    Ok(Invocation {
        request: RenderRequest {
            files,
            values,
            release: ReleaseInfo { name: release.into(), namespace: namespace.into(), revision: 1, is_upgrade },
            kube_version,
            api_versions,
            options,
        },
    })
}

/// Run a request and return stdout as `helm template` prints it, or the error message.
pub fn run(inv: &Invocation) -> Result<String, String> {
    render(&inv.request).map(|docs| print_stream(&docs)).map_err(|e| e.message)
}

/// Compare with random tokens masked, as `shared/tools/helm-conformance` does for non-deterministic cases.
pub fn masked_equal(a: &str, b: &str) -> bool {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    if la.len() != lb.len() {
        return false;
    }
    la.iter().zip(&lb).all(|(x, y)| x == y || mask(x) == mask(y))
}

fn mask(line: &str) -> Vec<String> {
    // Split on runs of 5+ token characters ([A-Za-z0-9+/=]{5,}).
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut run = String::new();
    for c in line.chars() {
        if c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=' {
            run.push(c);
        } else {
            if run.len() >= 5 {
                parts.push(std::mem::take(&mut cur));
            } else {
                cur.push_str(&run);
            }
            run.clear();
            cur.push(c);
        }
    }
    if run.len() >= 5 {
        parts.push(std::mem::take(&mut cur));
    } else {
        cur.push_str(&run);
    }
    parts.push(cur);
    parts
}

/// A short unified-ish diff: the first differing lines.
pub fn first_diff(expected: &str, actual: &str, context: usize) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let i = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    let mut out = format!("first difference at line {} (expected {} lines, got {})\n", i + 1, e.len(), a.len());
    for j in i.saturating_sub(2)..(i + context).min(e.len().max(a.len())) {
        let x = e.get(j).copied().unwrap_or("<none>");
        let y = a.get(j).copied().unwrap_or("<none>");
        if x == y {
            out.push_str(&format!("   {x}\n"));
        } else {
            out.push_str(&format!(" - {x}\n + {y}\n"));
        }
    }
    out
}
