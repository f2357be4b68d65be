//! Table-driven fixtures, one small overlay per transformer and error case, with expected output produced by
//! `kubectl kustomize` (kubectl v1.35.2, kustomize v5.7.1) via `scripts/make-fixtures.py`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

#[test]
fn fixtures_match_kubectl_kustomize() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (passed, failures) = common::run_cases(&cases, |case| std::fs::read_to_string(case.join("expected.yaml")).ok());
    eprintln!("{passed} fixtures passed");
    assert!(passed > 20, "too few fixtures ran: {passed}");
    assert!(failures.is_empty(), "{} passed, {} failed:\n{}", passed, failures.len(), failures.join("\n"));
}
