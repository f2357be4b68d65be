//! Sprig functions against the reference: `tests/data/sprig_cases.json` holds template cases and what helm v4.1.4
//! printed for them.
//!
//! The fixture was produced by rendering every case as the text between two markers in a chart's `NOTES.txt`, with
//! `tests/data/sprig_values.json` as the chart's values file (`helm install rel CHART -n ns1 --dry-run=client`,
//! `TZ=UTC`). Every case is rendered on its own (some cases mutate `.Values`), and a failing case's stderr is recorded
//! as `error`. The cases and the script live in `src/sprig/tools/`:
//!
//! ```text
//! python3 src/sprig/tools/cases.py > /tmp/cases.json
//! python3 src/sprig/tools/run_helm.py /tmp/cases.json tests/data/sprig_values.json tests/data/sprig_cases.json
//! ```
//!
//! A case with `expected` must render exactly that text. A case with `error` must fail; when Helm printed Go's own
//! execution error (`template: …`), the message must be identical (Helm reformats some errors itself, which is the
//! Helm renderer's business, so those only need to fail).

mod sprig_common;

use serde_json::Value as Json;
use sprig_common::{Rendered, json_to_value, render};

/// Cases where the value model cannot express Go's answer, with the reason. They are still rendered (they must not
/// fail) but their output is not compared.
const KNOWN_DEVIATIONS: &[(&str, &str)] = &[(
    "chunk-11",
    "`chunk` returns `[][]interface {}`; the value model has no element type for nested slices, so `typeOf` says \
     `[]interface {}` (printing and JSON are unaffected)",
)];

fn load(name: &str) -> Json {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn sprig_cases_match_helm() {
    let values = load("sprig_values.json");
    let cases = load("sprig_cases.json");
    let cases = cases.as_array().expect("array of cases");
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or_default();
        let template = case["template"].as_str().unwrap_or_default();
        let text = format!("@@@CASE {id}@@@{template}@@@END@@@\n");
        // Fresh values for every case: some cases mutate `.Values` (maps are shared, as in Go).
        let data = gotmpl::Value::map([("Values", json_to_value(&values))]);
        let got = render(&text, &data);
        if KNOWN_DEVIATIONS.iter().any(|(k, _)| *k == id) {
            if let Rendered::ParseError(e) = got {
                failures.push(format!("{id}: {template}\n  parse {e}"));
            }
            continue;
        }
        if let Some(expected) = case.get("expected").and_then(Json::as_str) {
            match got {
                Rendered::Output(out) => {
                    let inner = out
                        .strip_prefix(&format!("@@@CASE {id}@@@"))
                        .and_then(|s| s.strip_suffix("@@@END@@@\n"))
                        .unwrap_or(&out);
                    if inner != expected {
                        failures.push(format!("{id}: {template}\n   want {expected:?}\n    got {inner:?}"));
                    }
                }
                Rendered::ParseError(e) | Rendered::ExecError(e) => {
                    failures.push(format!("{id}: {template}\n   want {expected:?}\n  error {e}"));
                }
            }
        } else {
            let helm = case["error"].as_str().unwrap_or_default();
            let helm = helm.strip_prefix("Error: INSTALLATION FAILED: ").unwrap_or(helm);
            match got {
                Rendered::Output(out) => {
                    failures.push(format!("{id}: {template}\n  want error {helm}\n    got {out:?}"))
                }
                Rendered::ParseError(e) if !helm.contains("parse error") => {
                    failures.push(format!("{id}: {template}\n  want error {helm}\n  parse {e}"));
                }
                Rendered::ParseError(_) => {}
                Rendered::ExecError(e) => {
                    if helm.starts_with("template: ") && e != helm {
                        failures.push(format!("{id}: {template}\n  want error {helm}\n     got {e}"));
                    }
                }
            }
        }
    }
    println!("{} of {} reference cases pass", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

/// Hostile inputs must fail cleanly (or succeed), never crash: cyclic maps, deep nesting, huge outputs.
#[test]
fn hostile_inputs_fail_cleanly() {
    let data = gotmpl::Value::map([("Values", gotmpl::Value::map([("n", gotmpl::Value::Float64(1.0))]))]);
    let must_fail = [
        r#"{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ mustToJson $d }}"#,
        r#"{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ deepCopy $d }}"#,
        r#"{{ $d := dict "a" 1 }}{{ $_ := set $d "self" $d }}{{ $e := dict "self" (dict "x" 1) }}{{ $_ := set $e.self "self" $e.self }}{{ merge $e $d }}"#,
        r#"{{ repeat 1000000000 "abcdefgh" }}"#,
        r#"{{ until 1000000000 }}"#,
        r#"{{ wrapWith 1 (repeat 100000 "-") (repeat 10000 "x ") }}"#,
        r#"{{ $d := dict }}{{ range until 60 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ mustToJson $d | len }}"#,
    ];
    for template in must_fail {
        match render(template, &data) {
            Rendered::ExecError(_) => {}
            Rendered::Output(out) => panic!("{template}: expected an error, got {} bytes", out.len()),
            Rendered::ParseError(e) => panic!("{template}: parse error {e}"),
        }
    }
    let deep = format!("{{{{ mustFromJson \"{}{}\" | len }}}}", "[".repeat(50_000), "]".repeat(50_000));
    assert!(matches!(render(&deep, &data), Rendered::ExecError(_)), "deeply nested JSON must be rejected");
    let ok = format!("{{{{ mustFromJson \"{}1{}\" | len }}}}", "[".repeat(100), "]".repeat(100));
    assert!(matches!(render(&ok, &data), Rendered::Output(ref o) if o == "1"), "moderate nesting decodes");
}
