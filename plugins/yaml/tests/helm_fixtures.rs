//! Loader and `toYaml` emitter against Helm v4.1.4.
//!
//! Each `tests/fixtures/helm/<name>.yaml` was rendered by Helm as
//! `{{ .Files.Get "files/<name>.yaml" | fromYaml | toYaml }}` and the bytes are stored in `<name>.helm`
//! (`<name>.pretty` holds the same with `toYamlPretty`)
//! (regenerate with `python3 tests/fixtures/gen.py`, which records the exact command). This test replays Helm's
//! `fromYaml` (`sigs.k8s.io/yaml.Unmarshal` into `map[string]interface{}`: YAML → JSON → Go values, so every
//! number becomes a float64) and `toYaml` (`sigs.k8s.io/yaml.Marshal` with the final line break trimmed) on top of
//! kiln-yaml, and compares bytes.

use kiln_yaml::{Map, Value};
use std::path::Path;

/// Helm's `fromYaml`.
fn from_yaml(text: &str) -> Value {
    let mut m = Map::new();
    match kiln_yaml::from_str(text) {
        Ok(Value::Map(map)) => {
            // `json.Unmarshal` into `interface{}`: numbers become float64.
            let mut v = Value::Map(map);
            v.ints_to_floats();
            return v;
        }
        Ok(Value::Null) => {}
        Ok(other) => {
            let what = match other {
                Value::Seq(_) => "array",
                Value::String(_) => "string",
                Value::Bool(_) => "bool",
                _ => "number",
            };
            m.insert(
                "Error".into(),
                Value::String(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
                )),
            );
        }
        Err(e) => {
            m.insert("Error".into(), Value::String(format!("error converting YAML to JSON: {e}")));
        }
    }
    Value::Map(m)
}

/// Helm's `toYaml`.
fn to_yaml(v: &Value) -> String {
    let s = kiln_yaml::to_helm_yaml(v);
    s.strip_suffix('\n').map(str::to_owned).unwrap_or(s)
}

#[test]
fn helm_from_yaml_to_yaml_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for name in &names {
        let input = std::fs::read_to_string(dir.join(name)).expect("input");
        let expected_path = dir.join(name.replace(".yaml", ".helm"));
        let expected = std::fs::read_to_string(&expected_path).expect("expected output (run tests/fixtures/gen.py)");
        let value = from_yaml(&input);
        let got = to_yaml(&value);
        if got != expected {
            failures.push(format!("--- {name}\n=== got:\n{got}\n=== want:\n{expected}\n"));
        }
        let expected_pretty =
            std::fs::read_to_string(dir.join(name.replace(".yaml", ".pretty"))).expect("expected pretty output");
        let pretty = kiln_yaml::to_helm_yaml_pretty(&value);
        let pretty = pretty.strip_suffix('\n').unwrap_or(&pretty);
        if pretty != expected_pretty {
            failures.push(format!("--- {name} (toYamlPretty)\n=== got:\n{pretty}\n=== want:\n{expected_pretty}\n"));
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures differ:\n{}", failures.len(), names.len(), failures.join("\n"));
}
