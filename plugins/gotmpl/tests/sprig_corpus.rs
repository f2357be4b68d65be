//! The shared function corpus (`../shared/corpus/funcs/cases.json`: template expressions with helm v4.1.4's exact
//! output, rendered as a chart's `NOTES.txt` with the corpus' `values.yaml`), restricted to what Go's builtins and
//! Sprig can answer on their own.
//!
//! Cases that need the Helm renderer (`.Chart`, `.Release`, `.Capabilities`, `.Template`, `.Files`, `include`,
//! `tpl`, `toYaml`, `fromYaml`, `required`, `lookup`, …) are skipped, and so are cases using functions this build
//! does not register. The test is skipped when the corpus is absent, except in CI.

mod sprig_common;

use serde_json::Value as Json;
use sprig_common::{Rendered, render, require_corpus};

/// Names whose presence means the case needs the Helm renderer.
const HELM_ONLY: &[&str] = &[
    ".Chart",
    ".Release",
    ".Capabilities",
    ".Template",
    ".Files",
    "include ",
    "tpl ",
    "toYaml",
    "fromYaml",
    "toToml",
    "fromToml",
    "required ",
    "lookup ",
    "fromJsonArray",
    "template \"",
    "getHostByName",
];

#[test]
fn corpus_cases_within_sprig_match_helm() {
    let dir = format!("{}/../../../shared/corpus/funcs", env!("CARGO_MANIFEST_DIR"));
    let (Ok(cases), Ok(values)) =
        (std::fs::read_to_string(format!("{dir}/cases.json")), std::fs::read_to_string(format!("{dir}/values.yaml")))
    else {
        assert!(!require_corpus(), "corpus missing at {dir}");
        eprintln!("corpus missing at {dir}: skipped");
        return;
    };
    let cases: Json = serde_json::from_str(&cases).expect("cases.json is JSON");
    let values = kiln_yaml::from_str_with(&values, &kiln_yaml::LoadOptions::helm()).expect("values.yaml loads");
    let (mut passed, mut skipped, mut failures) = (0, 0, Vec::new());
    for case in cases.as_array().expect("array of cases") {
        let id = case["id"].as_str().unwrap_or_default();
        let template = case["template"].as_str().unwrap_or_default();
        if HELM_ONLY.iter().any(|h| template.contains(h)) {
            skipped += 1;
            continue;
        }
        // Fresh values for every case: templates may mutate them.
        let data = gotmpl::Value::map([("Values", gotmpl::Value::from_yaml(&values, gotmpl::NumberMode::Float64))]);
        let got = render(template, &data);
        match (got, case.get("expected").and_then(Json::as_str)) {
            (Rendered::ParseError(e), _) if e.contains("not defined") => skipped += 1,
            (Rendered::Output(out), Some(want)) if out == want => passed += 1,
            (Rendered::ExecError(_), None) => passed += 1,
            (got, want) => {
                let got = match got {
                    Rendered::Output(o) => format!("{o:?}"),
                    Rendered::ParseError(e) | Rendered::ExecError(e) => format!("error {e}"),
                };
                failures.push(format!("{id}: {template}\n   want {want:?}\n    got {got}"));
            }
        }
    }
    println!("corpus: {passed} passed, {} failed, {skipped} skipped (Helm-only or unregistered)", failures.len());
    assert!(failures.is_empty(), "{} failing corpus cases:\n{}", failures.len(), failures.join("\n"));
}
