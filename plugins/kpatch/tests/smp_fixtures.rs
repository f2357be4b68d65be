//! Table-driven conformance against the reference: every fixture in `tests/fixtures/smp/` was recorded by
//! `tools/smp-cases/gen.py` from `kubectl kustomize` (kustomize v5.7.1) or, for the directives kustomize does not
//! implement, from `kubectl patch --local --type strategic` (the API server's strategic merge). The fixture's
//! `config` is given to kpatch unchanged; the result must equal the reference's output (objects matched by
//! identity, mappings compared without regard to key order, lists compared in order).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use kiln_yaml::Value;
use kpatch::{Config, apply};
use std::path::PathBuf;

fn id(v: &Value) -> String {
    let s = |p: &[&str]| v.pointer(p).and_then(Value::as_str).unwrap_or("").to_owned();
    format!("{}/{}/{}/{}", s(&["apiVersion"]), s(&["kind"]), s(&["metadata", "namespace"]), s(&["metadata", "name"]))
}

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smp");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn run_case(path: &PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let resources = case.get("resources").and_then(Value::as_seq).cloned().unwrap_or_default();
    let config = case.get("config").cloned().unwrap_or(Value::Null);
    let result = Config::from_value(&config).map_err(kpatch::Error::from_config).and_then(|c| apply(&c, resources));
    let kiln_expects_error = case.pointer(&["kiln", "expect"]).and_then(Value::as_str) == Some("error");
    match (case.get("expected"), result) {
        (_, Err(_)) if kiln_expects_error => Ok(()),
        (_, Ok(_)) if kiln_expects_error => Err("expected an error (documented difference from the reference)".into()),
        (None, Err(_)) => Ok(()),
        (None, Ok(out)) => Err(format!(
            "the reference failed ({}) but kpatch succeeded: {:?}",
            case.get("error").and_then(Value::as_str).unwrap_or(""),
            out.iter().map(|r| serde_json::to_string(&r.value).unwrap_or_default()).collect::<Vec<_>>()
        )),
        (Some(_), Err(e)) => Err(format!("kpatch failed: {e}")),
        (Some(Value::Seq(expected)), Ok(out)) => {
            let mut got: Vec<&Value> = out.iter().map(|r| &r.value).collect();
            let mut want: Vec<&Value> = expected.iter().collect();
            got.sort_by_key(|v| id(v));
            want.sort_by_key(|v| id(v));
            if got.len() != want.len() {
                return Err(format!("{} objects, expected {}", got.len(), want.len()));
            }
            for (g, w) in got.iter().zip(&want) {
                if g != w {
                    return Err(format!(
                        "object {} differs\n  got:  {}\n  want: {}",
                        id(w),
                        serde_json::to_string(g).unwrap_or_default(),
                        serde_json::to_string(w).unwrap_or_default()
                    ));
                }
            }
            Ok(())
        }
        (Some(_), Ok(_)) => Err("fixture's expected is not a list".into()),
    }
}

#[test]
fn strategic_merge_fixtures() {
    let files = fixtures();
    assert!(files.len() >= 100, "expected at least 100 fixtures, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = run_case(f) {
            failures.push(format!("{}: {e}", f.file_name().and_then(|n| n.to_str()).unwrap_or("?")));
        }
    }
    eprintln!("{} of {} fixtures pass", files.len() - failures.len(), files.len());
    assert!(failures.is_empty(), "{} fixtures failed:\n{}", failures.len(), failures.join("\n"));
}
