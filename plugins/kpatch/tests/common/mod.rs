//! Helpers shared by kpatch's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root (`plugins/kpatch/../..`), with symlinks resolved.
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = manifest.canonicalize().unwrap_or(manifest);
    manifest.join("../..").canonicalize().unwrap_or_else(|_| manifest.join("../.."))
}

/// `../shared/corpus/<rel>` relative to the repository root, or `None` (test skipped) when absent. With `CI=true`
/// a missing corpus is a failure.
pub fn corpus(rel: &str) -> Option<PathBuf> {
    let p = repo_root().join("../shared/corpus").join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus {} is missing (CI=true)", p.display());
    }
    eprintln!("skipping: corpus {} not found", p.display());
    None
}

/// Parse JSON text into a `kiln_yaml::Value`.
pub fn json(s: &str) -> kiln_yaml::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad JSON in test: {e}\n{s}"))
}
