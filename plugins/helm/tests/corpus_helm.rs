//! Conformance with `helm template` (v4.1.4) on the shared corpus of real charts (`shared/corpus/helm/cases`):
//! each case's expected stdout (`expected.yaml`) was produced by the reference binary; the rendered documents,
//! printed with the host's contract ([`kiln_plugin_helm::print_stream`]), must match byte for byte (random tokens
//! masked for cases marked non-deterministic). Cases where Helm failed only require an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::{corpus_dir, first_diff, invocation, masked_equal, run};

#[derive(Debug)]
struct Case {
    name: String,
    dir: PathBuf,
    spec: serde_json::Value,
}

fn cases() -> Vec<Case> {
    let Some(corpus) = corpus_dir() else { return Vec::new() };
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(corpus.join("helm/cases")) else { return out };
    for e in entries.flatten() {
        let dir = e.path();
        let Ok(text) = std::fs::read_to_string(dir.join("case.json")) else { continue };
        let spec: serde_json::Value = serde_json::from_str(&text).expect("case.json");
        out.push(Case { name: e.file_name().to_string_lossy().into_owned(), dir, spec });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn check(case: &Case) -> Result<(), String> {
    let s = &case.spec;
    let str_of = |k: &str| s.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let list_of = |k: &str| -> Vec<String> {
        s.get(k)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let chart = case.dir.join(str_of("chart"));
    let values: Vec<PathBuf> = list_of("values").into_iter().map(|v| case.dir.join(v)).collect();
    let inv = invocation(&str_of("release"), &chart, &str_of("namespace"), &values, &list_of("args"), &case.dir)?;
    let exit = s.get("exit_code").and_then(|v| v.as_i64()).unwrap_or(0);
    let deterministic = s.get("deterministic").and_then(|v| v.as_bool()).unwrap_or(true);
    let got = run(&inv);
    if exit != 0 {
        return match got {
            Err(_) => Ok(()),
            Ok(_) => Err("expected an error, got output".into()),
        };
    }
    let expected = std::fs::read_to_string(case.dir.join("expected.yaml")).map_err(|e| e.to_string())?;
    match got {
        Err(e) => Err(format!("error: {e}")),
        Ok(out) if out == expected || (!deterministic && masked_equal(&out, &expected)) => Ok(()),
        Ok(out) => Err(first_diff(&expected, &out, 12)),
    }
}

#[test]
fn helm_corpus() {
    let cases = cases();
    if cases.is_empty() {
        return;
    }
    let mut failures = Vec::new();
    for case in &cases {
        let started = std::time::Instant::now();
        match check(case) {
            Ok(()) => eprintln!("PASS {} ({} ms)", case.name, started.elapsed().as_millis()),
            Err(e) => {
                eprintln!("FAIL {}: {e}", case.name);
                failures.push(case.name.clone());
            }
        }
    }
    eprintln!("{} passed, {} failed", cases.len() - failures.len(), failures.len());
    assert!(failures.is_empty(), "failing cases: {failures:?}");
}
