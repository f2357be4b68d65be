//! Values assembled by `merge_values` compared with what helm v4.1.4 gives a chart.
//!
//! `tests/fixtures.txt` was produced by `sh tests/gen-fixtures.sh /work/ref/bin/helm`: for every line of
//! `tests/cases.txt` it ran `helm template probe tests/probe <args>`, where the probe chart prints `.Values` as a
//! JSON tree that records each value's Go type, or the first line of helm's error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kiln_helm_values::{Map, Value, ValueSources, merge_values};

/// Split a line into words like a POSIX shell: single quotes, double quotes and backslash escapes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        q => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn sources(args: &[String]) -> ValueSources {
    let mut s = ValueSources::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().cloned().unwrap_or_default();
        match flag.as_str() {
            "-f" | "--values" => s.files.push(value),
            "--set" => s.set.push(value),
            "--set-string" => s.set_string.push(value),
            "--set-json" => s.set_json.push(value),
            "--set-file" => s.set_file.push(value),
            "--set-literal" => s.set_literal.push(value),
            other => panic!("unknown flag in cases.txt: {other}"),
        }
    }
    s
}

fn typed(v: &Value) -> serde_json::Value {
    let (t, v) = match v {
        Value::Null => ("<nil>", serde_json::Value::Null),
        Value::Bool(b) => ("bool", serde_json::Value::Bool(*b)),
        Value::Int(i) => ("int64", serde_json::json!(*i)),
        Value::Uint(u) => ("uint64", serde_json::json!(*u)),
        Value::Float(f) => ("float64", serde_json::json!(*f)),
        Value::String(s) => ("string", serde_json::Value::String(s.clone())),
        Value::Seq(s) => ("list", serde_json::Value::Array(s.iter().map(typed).collect())),
        Value::Map(m) => ("map", typed_map(m)),
    };
    serde_json::json!({"t": t, "v": v})
}

fn typed_map(m: &Map) -> serde_json::Value {
    serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), typed(v))).collect())
}

/// Structural equality where numbers compare as floats (Go's `toJson` prints `1` for `float64(1)`).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn matches_helm() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let fixtures = std::fs::read_to_string(dir.join("fixtures.txt")).expect("fixtures.txt");
    let mut lines = fixtures.lines();
    let mut count = 0;
    let mut failures = Vec::new();
    while let Some(case) = lines.next() {
        let args = case.strip_prefix("CASE ").expect("CASE line");
        let expected = lines.next().expect("expectation line");
        let src = sources(&shell_words(args));
        let mut read = |p: &str| std::fs::read(dir.join(p)).map_err(|e| e.to_string());
        let got = merge_values(&src, &mut read);
        count += 1;
        match (expected.split_once(' '), got) {
            (Some(("OK", json)), Ok(values)) => {
                let want: serde_json::Value = serde_json::from_str(json).expect("fixture JSON");
                let have = serde_json::json!({"t": "map", "v": typed_map(&values)});
                if !same(&want, &have) {
                    failures.push(format!("{args}\n  want {want}\n  have {have}"));
                }
            }
            (Some(("ERR", msg)), Err(e)) => {
                let have = format!("Error: {e}");
                if have != msg {
                    failures.push(format!("{args}\n  want {msg}\n  have {have}"));
                }
            }
            (_, Ok(values)) => failures.push(format!("{args}\n  want {expected}\n  have {:?}", values)),
            (_, Err(e)) => failures.push(format!("{args}\n  want {expected}\n  have error {e}")),
        }
    }
    assert!(count > 30, "too few cases read");
    assert!(failures.is_empty(), "{} of {count} cases differ:\n{}", failures.len(), failures.join("\n"));
}
