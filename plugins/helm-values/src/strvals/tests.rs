use super::*;

#[test]
fn escapes_and_lists() {
    let m = parse(r"a\.b=x\,y,c={1,two}").unwrap();
    assert_eq!(m.get("a.b"), Some(&Value::String("x,y".into())));
    assert_eq!(m.get("c"), Some(&Value::Seq(vec![Value::Int(1), Value::String("two".into())])));
}

#[test]
fn json_values_consume_exactly_one_document() {
    let mut m = Map::new();
    parse_json(r#"a={"x":[1,2]},b="s",c="#, &mut m).unwrap();
    assert_eq!(m.get("b"), Some(&Value::String("s".into())));
    assert_eq!(m.get("c"), Some(&Value::Null));
    let a = m.get("a").and_then(|a| a.get("x")).and_then(|x| x.as_seq()).unwrap();
    assert_eq!(a, &vec![Value::Float(1.0), Value::Float(2.0)]);
}

#[test]
fn typed_values() {
    assert_eq!(typed_val("0", false), Value::Int(0));
    assert_eq!(typed_val("-0", false), Value::Int(0));
    assert_eq!(typed_val("+12", false), Value::Int(12));
    assert_eq!(typed_val("012", false), Value::String("012".into()));
    assert_eq!(typed_val("faLSE", false), Value::Bool(false));
    assert_eq!(typed_val("falſe", false), Value::Bool(false));
    assert_eq!(typed_val("Null", false), Value::Null);
    assert_eq!(typed_val("1_000", false), Value::String("1_000".into()));
    assert_eq!(typed_val("true", true), Value::String("true".into()));
}

#[test]
fn limits() {
    let e = parse("a[65537]=1").unwrap_err();
    assert_eq!(e.0, "index of 65537 is greater than maximum supported index of 65536");
    // 31 dots exceed the limit, 30 do not (checked with helm v4.1.4).
    let deep = (0..32).map(|i| format!("k{i}")).collect::<Vec<_>>().join(".") + "=1";
    let e = parse(&deep).unwrap_err();
    assert!(e.0.contains("maximum supported nested level of 30"), "{e}");
    assert!(parse(&"a.".repeat(100)).is_err());
}

#[test]
fn never_panics_on_odd_input() {
    for s in [
        "", "=", ",", "[", "]", "a[]", "a[0]", "a[0]x", "a[0][", "\\", "a=\\", "a={", "a={x", "a.b.c", ".=", "[0]=1",
        "a[0].=1",
    ] {
        let _ = parse(s);
        let mut m = Map::new();
        let _ = parse_json(s, &mut m);
        let _ = parse_literal_into(s, &mut m);
    }
}
