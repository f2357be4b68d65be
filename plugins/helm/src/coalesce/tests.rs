use super::*;
use crate::chart::Chart;
use crate::metadata::Metadata;

fn map(pairs: &[(&str, Value)]) -> Map {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn chart(name: &str, values: Map, deps: Vec<Chart>) -> Chart {
    Chart {
        metadata: Metadata { name: name.into(), ..Default::default() },
        values,
        dependencies: deps,
        ..Default::default()
    }
}

#[test]
fn user_null_deletes_default_and_lists_replace() {
    let c = chart(
        "p",
        map(&[("a", Value::Int(1)), ("l", Value::Seq(vec![Value::Int(1), Value::Int(2)])), ("keep", "x".into())]),
        vec![],
    );
    let user = map(&[("a", Value::Null), ("l", Value::Seq(vec![Value::Int(9)]))]);
    let out = coalesce_values(&c, &user, &mut Vec::new()).unwrap();
    assert!(!out.contains_key("a"));
    assert_eq!(out.get("l"), Some(&Value::Seq(vec![Value::Int(9)])));
    assert_eq!(out.get("keep"), Some(&Value::String("x".into())));
}

#[test]
fn merge_keeps_nulls() {
    let c = chart("p", map(&[("a", Value::Int(1))]), vec![]);
    let out = merge_values(&c, &map(&[("a", Value::Null)]), &mut Vec::new()).unwrap();
    assert_eq!(out.get("a"), Some(&Value::Null));
}

#[test]
fn table_scalar_mismatch_keeps_user_value() {
    let c = chart("p", map(&[("t", Value::Map(map(&[("x", Value::Int(1))])))]), vec![]);
    let mut w = Vec::new();
    let out = coalesce_values(&c, &map(&[("t", "scalar".into())]), &mut w).unwrap();
    assert_eq!(out.get("t"), Some(&Value::String("scalar".into())));
}

#[test]
fn parent_globals_win_and_sub_only_keys_stay() {
    // helm v4.1.4: a subchart sees {"a":"fromparent","onlysub":1} for parent global a=fromparent and subchart
    // defaults global {a: fromsub, onlysub: 1}.
    let sub = chart(
        "sub",
        map(&[("global", Value::Map(map(&[("a", "fromsub".into()), ("onlysub", Value::Int(1))])))]),
        vec![],
    );
    let parent = chart("p", map(&[("global", Value::Map(map(&[("a", "fromparent".into())])))]), vec![sub]);
    let out = coalesce_values(&parent, &Map::new(), &mut Vec::new()).unwrap();
    let g = out.get("sub").and_then(|s| s.get("global")).and_then(Value::as_map).unwrap();
    assert_eq!(g.get("a"), Some(&Value::String("fromparent".into())));
    assert_eq!(g.get("onlysub"), Some(&Value::Int(1)));
}

#[test]
fn subchart_value_of_wrong_type_is_an_error() {
    let parent = chart("p", Map::new(), vec![chart("sub", Map::new(), vec![])]);
    let e = coalesce_values(&parent, &map(&[("sub", "x".into())]), &mut Vec::new()).unwrap_err();
    assert_eq!(e.0, "type mismatch on sub: %!t(string=x)");
}
