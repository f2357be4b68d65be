//! `toYaml` / `toYamlPretty` of values that are not mappings. Expected text from Helm v4.1.4: a chart whose
//! `templates/NOTES.txt` holds `[{{ toYaml X }}]` lines, printed by `helm install r . --dry-run=client`
//! (`toYaml "foo"` → `[foo]`, `toYaml "a\nb"` → `[|-\n  a\n  b]`, ...). Helm trims one trailing "\n".

use kiln_yaml::{Map, Value};

fn to_yaml(v: &Value) -> String {
    let s = kiln_yaml::to_helm_yaml(v);
    s.strip_suffix('\n').map(str::to_owned).unwrap_or(s)
}

fn s(x: &str) -> Value {
    Value::String(x.to_owned())
}

#[test]
fn root_scalars_and_collections() {
    let nested = Value::Seq(vec![
        s("a"),
        Value::Seq(vec![s("b"), s("c")]),
        Value::Map([("k".to_owned(), s("v"))].into_iter().collect()),
    ]);
    let cases: Vec<(Value, &str)> = vec![
        (s("foo"), "foo"),
        (s("a\nb"), "|-\n  a\n  b"),
        (s("a\nb\n"), "|\n  a\n  b"),
        (s(""), "\"\""),
        (s(" x"), "' x'"),
        (s("yes"), "\"yes\""),
        (Value::Float(1.5), "1.5"),
        (Value::Float(100_000_000.0), "100000000"),
        (Value::Bool(true), "true"),
        (Value::Null, "null"),
        (Value::Seq(vec![]), "[]"),
        (Value::Map(Map::new()), "{}"),
        (nested.clone(), "- a\n- - b\n  - c\n- k: v"),
        (Value::Map([("k".to_owned(), Value::Seq(vec![]))].into_iter().collect()), "k: []"),
        (Value::Seq(vec![Value::Map(Map::new())]), "- {}"),
    ];
    for (v, want) in cases {
        assert_eq!(to_yaml(&v), want, "{v:?}");
    }
    // `toYamlPretty (list "a" (list "b" "c") (dict "k" "v"))` prints the same at the root.
    let pretty = kiln_yaml::to_helm_yaml_pretty(&nested);
    assert_eq!(pretty, "- a\n- - b\n  - c\n- k: v\n");
}
