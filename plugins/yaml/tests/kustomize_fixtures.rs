//! Loader (kustomize options) and `to_string` against `kubectl kustomize` (kubectl v1.35.2, kustomize v5.7.1).
//!
//! Each `tests/fixtures/kustomize/<name>.yaml` is a resource; `<name>.out` is the stdout of `kubectl kustomize DIR`
//! where DIR holds it and a `kustomization.yaml` listing only it, or `ERROR: ` and the stderr when kubectl failed
//! (regenerate with `python3 tests/fixtures/gen.py`). kustomize reads resources with go-yaml v3 (kyaml), converts
//! each to JSON and prints it with `sigs.k8s.io/yaml.JSONToYAML`.

use std::path::Path;

#[test]
fn kustomize_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kustomize");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let opts = kiln_yaml::LoadOptions::kustomize();
    let mut failures = Vec::new();
    for name in &names {
        let input = std::fs::read_to_string(dir.join(name)).expect("input");
        let expected = std::fs::read_to_string(dir.join(name.replace(".yaml", ".out"))).expect("expected output");
        let result = kiln_yaml::from_str_multi_with(&input, &opts).and_then(|docs| {
            docs.iter().filter(|d| !d.is_null()).map(kiln_yaml::try_to_string).collect::<Result<Vec<_>, _>>()
        });
        match (result, expected.strip_prefix("ERROR: ")) {
            (Ok(docs), None) => {
                let got = docs.join("---\n");
                if got != expected {
                    failures.push(format!("--- {name}\n=== got:\n{got}\n=== want:\n{expected}"));
                }
            }
            (Err(_), Some(_)) => {}
            (Ok(docs), Some(err)) => failures.push(format!("--- {name}: loaded {docs:?}, kubectl failed: {err}")),
            (Err(e), None) => failures.push(format!("--- {name}: error {e}, kubectl printed:\n{expected}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures differ:\n{}", failures.len(), names.len(), failures.join("\n"));
}
