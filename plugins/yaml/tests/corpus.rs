//! Round trips over the shared corpus (`../shared/corpus`, skipped when absent unless `CI=true`).
//!
//! * Every document of every `kubectl kustomize` expected output (`kustomize/cases/*/expected.yaml`, produced by
//!   `kubectl kustomize tree/<dir>` with kubectl v1.35.2) must come back byte for byte from `to_string` after
//!   loading it with the kustomize options: kustomize prints each resource through `sigs.k8s.io/yaml`, whose
//!   output is a fixed point of load + print.
//! * Every values file of the Helm corpus must load.

use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if root.is_dir() {
        Some(root)
    } else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "corpus missing at {}", root.display());
        eprintln!("corpus not found at {}, skipping", root.display());
        None
    }
}

/// Split a multi-document output on its `---` separator lines.
fn documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line == "---\n" {
            docs.push(String::new());
        } else if let Some(last) = docs.last_mut() {
            last.push_str(line);
        }
    }
    docs.into_iter().filter(|d| !d.is_empty()).collect()
}

#[test]
fn kustomize_expected_outputs_round_trip() {
    let Some(root) = corpus() else { return };
    let cases = root.join("kustomize/cases");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&cases).expect("cases dir").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let expected = entry.path().join("expected.yaml");
        let Ok(text) = std::fs::read_to_string(&expected) else {
            continue;
        };
        for (i, doc) in documents(&text).into_iter().enumerate() {
            for opts in [kiln_yaml::LoadOptions::kustomize(), kiln_yaml::LoadOptions::helm()] {
                let value = match kiln_yaml::from_str_with(&doc, &opts) {
                    Ok(v) => v,
                    Err(e) => {
                        failures.push(format!("{}#{i}: load error {e}", expected.display()));
                        continue;
                    }
                };
                let out = kiln_yaml::to_string(&value);
                if out != doc {
                    let line = out.lines().zip(doc.lines()).position(|(a, b)| a != b).unwrap_or(0);
                    failures.push(format!(
                        "{}#{i}: differs at line {}: got {:?} want {:?}",
                        expected.display(),
                        line + 1,
                        out.lines().nth(line),
                        doc.lines().nth(line)
                    ));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} documents differ:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 0);
}

#[test]
fn helm_values_files_load() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    collect(&root.join("helm"), &mut files);
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml"))) {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        if let Err(e) = kiln_yaml::from_str(&text) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
