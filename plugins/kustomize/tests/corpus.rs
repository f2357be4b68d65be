//! The shared kustomize corpus (`../shared/corpus/kustomize`, real overlays with `kubectl kustomize` output), built
//! natively. Skipped when the corpus is absent, unless `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

#[test]
fn corpus_matches_kubectl_kustomize() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/kustomize/cases");
    if !cases.is_dir() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "corpus missing at {}", cases.display());
        eprintln!("skipping: no corpus at {}", cases.display());
        return;
    }
    let (passed, failures) = common::run_cases(&cases, |case| {
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("case.json")).ok()?).ok()?;
        if spec["exit_code"].as_i64() != Some(0) {
            return None;
        }
        std::fs::read_to_string(case.join("expected.yaml")).ok()
    });
    assert!(passed > 0);
    assert!(failures.is_empty(), "{} passed, {} failed:\n{}", passed, failures.len(), failures.join("\n"));
}
