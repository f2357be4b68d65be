//! RFC 6902 conformance: every enabled case of the json-patch-tests suite (`tests.json`, `spec_tests.json`)
//! from `../shared/corpus/json-patch`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use kiln_yaml::Value;
use kpatch::json_patch::JsonPatch;
use kpatch::values::json_equal;

fn run_file(name: &str) -> (usize, usize) {
    let Some(dir) = common::corpus("json-patch") else { return (0, 0) };
    let text = std::fs::read_to_string(dir.join(name)).expect("read corpus");
    let cases: Value = serde_json::from_str(&text).expect("corpus JSON");
    let cases = cases.as_seq().expect("corpus is a list");
    let (mut run, mut failures) = (0, Vec::new());
    for (i, case) in cases.iter().enumerate() {
        if matches!(case.get("disabled"), Some(Value::Bool(true))) {
            continue;
        }
        let comment = case.get("comment").and_then(Value::as_str).unwrap_or("").to_owned();
        let (Some(doc), Some(patch)) = (case.get("doc"), case.get("patch")) else { continue };
        run += 1;
        let mut doc = doc.clone();
        let result = JsonPatch::from_value(patch)
            .map_err(|e| e.to_string())
            .and_then(|p| p.apply(&mut doc).map_err(|e| e.to_string()));
        match (case.get("expected"), case.get("error"), result) {
            (Some(exp), _, Ok(())) if json_equal(exp, &doc) => {}
            (Some(exp), _, Ok(())) => failures.push(format!("#{i} {comment}: expected {exp:?}, got {doc:?}")),
            (Some(_), _, Err(e)) => failures.push(format!("#{i} {comment}: unexpected error {e}")),
            (None, Some(_), Err(_)) => {}
            (None, Some(err), Ok(())) => failures.push(format!("#{i} {comment}: expected error {err:?}, got {doc:?}")),
            // Neither expected nor error: the case only requires the patch to apply.
            (None, None, r) => {
                if let Err(e) = r {
                    failures.push(format!("#{i} {comment}: unexpected error {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{name}: {} of {run} cases failed:\n{}", failures.len(), failures.join("\n"));
    (run, failures.len())
}

#[test]
fn tests_json() {
    let (run, _) = run_file("tests.json");
    eprintln!("tests.json: {run} enabled cases passed");
}

#[test]
fn spec_tests_json() {
    let (run, _) = run_file("spec_tests.json");
    eprintln!("spec_tests.json: {run} enabled cases passed");
}
