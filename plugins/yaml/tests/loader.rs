//! API-level loader behaviour. Expected values come from the reference tools as noted on each test.

use kiln_yaml::{ErrorKind, LoadOptions, Value};

fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

/// `printf '\xef\xbb\xbfa: yes\r\nb:\r\n  - 1\r\n' > v.yaml; helm template r chart -f v.yaml` with
/// `{{ toYaml .Values }}` prints `a: true\nb:\n- 1`.
#[test]
fn bom_and_crlf() {
    let v = kiln_yaml::from_str("\u{feff}a: yes\r\nb:\r\n  - 1\r\n").expect("loads");
    assert_eq!(v, map(&[("a", Value::Bool(true)), ("b", Value::Seq(vec![Value::Int(1)]))]));
    assert_eq!(kiln_yaml::to_helm_yaml(&v), "a: true\nb:\n- 1\n");
}

#[test]
fn empty_inputs() {
    assert_eq!(kiln_yaml::from_str("").expect("empty"), Value::Null);
    assert_eq!(kiln_yaml::from_str("# only a comment\n").expect("comment"), Value::Null);
    assert_eq!(kiln_yaml::from_str_multi("").expect("empty stream"), Vec::<Value>::new());
    assert_eq!(
        kiln_yaml::from_str_multi("---\n---\nb: 2\n").expect("stream"),
        vec![Value::Null, map(&[("b", Value::Int(2))])]
    );
}

/// go-yaml's `Unmarshal` (Helm's `fromYaml`) reads the first document only: `fromYaml "a: 1\n---\nb: 2"` is
/// `a: 1` (tests/fixtures/helm/multi_doc.helm).
#[test]
fn first_document_only() {
    assert_eq!(kiln_yaml::from_str("a: 1\n---\nb: 2\n").expect("loads"), map(&[("a", Value::Int(1))]));
    let docs = kiln_yaml::from_str_multi("a: 1\n---\nb: 2\n...\n---\n- x\n").expect("loads");
    assert_eq!(docs.len(), 3);
}

#[test]
fn error_positions() {
    let e = kiln_yaml::from_str("a: 1\nb: 2\n c: 3\n").expect_err("bad indentation");
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert_eq!(e.line(), 3);
    assert!(e.column() > 0);
    // go-yaml wording and numbering (helm: "yaml: line 3: mapping values are not allowed in this context").
    assert_eq!(e.to_string(), "yaml: line 3: mapping values are not allowed in this context");
}

/// `kubectl kustomize` typing (tests/fixtures/kustomize/typing.out).
#[test]
fn kustomize_options() {
    let opts = LoadOptions::kustomize();
    let v = kiln_yaml::from_str_with("a: yes\nb: 0755\nc: 2024-1-1\n", &opts).expect("loads");
    assert_eq!(v.get("a"), Some(&Value::String("yes".into())));
    assert_eq!(v.get("b"), Some(&Value::Int(493)));
    assert_eq!(v.get("c"), Some(&Value::String("2024-01-01T00:00:00Z".into())));
    let e = kiln_yaml::from_str_with("a: 1\na: 2\n", &opts).expect_err("duplicate");
    assert_eq!(e.kind(), ErrorKind::DuplicateKey);
    assert_eq!(e.to_string(), "yaml: unmarshal errors:\n  line 2: mapping key \"a\" already defined at line 1");
}

#[test]
fn lenient_keeps_non_finite() {
    assert!(kiln_yaml::from_str("a: .inf\n").is_err());
    let v = kiln_yaml::from_str_with("a: .inf\n", &LoadOptions::lenient()).expect("lenient");
    assert_eq!(v.get("a"), Some(&Value::Float(f64::INFINITY)));
    assert_eq!(kiln_yaml::to_helm_yaml(&v), "");
    assert_eq!(kiln_yaml::to_helm_yaml_pretty(&v), "a: .inf\n");
}

#[test]
fn max_depth_is_configurable() {
    let opts = LoadOptions { max_depth: 3, ..LoadOptions::helm() };
    assert!(kiln_yaml::from_str_with("a: {b: {c: 1}}\n", &opts).is_ok());
    let e = kiln_yaml::from_str_with("a: {b: {c: {d: 1}}}\n", &opts).expect_err("too deep");
    assert_eq!(e.to_string(), "yaml: exceeded max depth of 3");
}

/// Helm's `fromYaml` gives float64 numbers: `fromYaml "max: 9223372036854775807" | toYaml` prints
/// `max: 9223372036854776000` (tests/fixtures/helm/typing_ints.helm).
#[test]
fn ints_to_floats_like_json() {
    let mut v = kiln_yaml::from_str("max: 9223372036854775807\nl: [1, {a: 2}]\n").expect("loads");
    v.ints_to_floats();
    assert_eq!(v.get("max"), Some(&Value::Float(9_223_372_036_854_775_807_i64 as f64)));
    assert_eq!(kiln_yaml::to_helm_yaml(&v), "l:\n- 1\n- a: 2\nmax: 9223372036854776000\n");
}

/// A long flow sequence whose every line sits at column 0 under an indented key (libyaml reads it; YAML 1.2 does
/// not) loads in one repair, whatever its length, and means what libyaml reads.
#[test]
fn long_dedented_flow_sequence_loads() {
    let items: Vec<String> = (0..500).map(|i| format!("\"item-{i}\",")).collect();
    let src = format!("outer:\n  list: [\n{}\n\"last\"\n]\n  after: 1\n", items.join("\n"));
    let v = kiln_yaml::from_str(&src).expect("libyaml reads this");
    let list = v.get("outer").and_then(|o| o.get("list")).expect("list");
    match list {
        kiln_yaml::Value::Seq(s) => {
            assert_eq!(s.len(), 501);
            assert_eq!(s[0], kiln_yaml::Value::String("item-0".into()));
        }
        other => panic!("not a sequence: {other:?}"),
    }
    assert_eq!(v.get("outer").and_then(|o| o.get("after")), Some(&kiln_yaml::Value::Int(1)));
    // A dedent outside any flow collection is still an error.
    assert!(kiln_yaml::from_str("a:\n    b: [1, 2]\n  c: 3\n").is_err());
}
