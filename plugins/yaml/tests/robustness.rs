//! Malformed, hostile and extreme input: every entry point must return (value or error), never panic, overflow
//! the stack or blow up memory.

mod common;
use common::Rng;
use kiln_yaml::{ErrorKind, LoadOptions, Value};

/// Run every public entry point on `src`.
fn exercise(src: &str) {
    for opts in [LoadOptions::helm(), LoadOptions::kustomize(), LoadOptions::lenient()] {
        if let Ok(docs) = kiln_yaml::from_str_multi_with(src, &opts) {
            for d in &docs {
                let _ = kiln_yaml::try_to_helm_yaml(d);
                let _ = kiln_yaml::to_helm_yaml_pretty(d);
            }
        }
        if let Ok(v) = kiln_yaml::from_str_with(src, &opts) {
            let out = kiln_yaml::to_helm_yaml(&v);
            // What the emitter prints must load again (unless the value could not be printed at all). go-yaml
            // prints a string key `<<` plain, which then reads back as a merge key: that one may fail. go-yaml
            // also writes LS/PS raw as line breaks, which the YAML 1.2 parser reads as content (known difference).
            if !out.is_empty() && !out.contains(['\u{2028}', '\u{2029}']) {
                let back = kiln_yaml::from_str_with(&out, &LoadOptions::lenient());
                let merge_key = back.as_ref().is_err_and(|e| e.kind() == ErrorKind::Merge);
                assert!(back.is_ok() || merge_key, "re-load failed for {out:?} (from {src:?}): {back:?}");
            }
        }
    }
}

const PIECES: &[&str] = &[
    "a",
    "b",
    "0",
    "1",
    ":",
    ": ",
    "- ",
    "-",
    "?",
    "? ",
    ",",
    "[",
    "]",
    "{",
    "}",
    "#",
    "&a",
    "*a",
    "&b ",
    "*b",
    "!",
    "!!str ",
    "!!int ",
    "!!binary ",
    "!foo ",
    "|",
    "|-",
    ">",
    ">+",
    "'",
    "\"",
    "\\",
    "\\x",
    "\\u12",
    "%YAML 1.1",
    "%TAG ! !x",
    "---",
    "...",
    "\n",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "\t",
    "\r\n",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "é",
    "😀",
    "<<",
    "<<: ",
    "~",
    "null",
    "yes",
    ".inf",
    "0x",
    "1e3",
    "2024-01-01",
    "@",
    "`",
    "\0",
    "\u{7f}",
];

#[test]
fn random_token_soup_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let len = rng.below(24);
        let src: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        exercise(&src);
    }
}

#[test]
fn mutated_documents_never_panic() {
    let seeds = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: b, c: [1, 2]}\ndata:\n  k: |\n    line\n  j: \"q\\n\"\n",
        "base: &b\n  k1: v1\nm:\n  <<: [*b, {k2: v2}]\n  k3: 'it''s'\nlist:\n- - a\n  - b\n- ? complex\n  : key\n",
        "%YAML 1.1\n---\n!!map {? a : b, c: !!seq [d]}\n...\n--- >-\n  folded\n  text\n",
    ];
    let mut rng = Rng(42);
    for _ in 0..5_000 {
        let seed = seeds[rng.below(seeds.len())];
        let mut chars: Vec<char> = seed.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    for (k, c) in piece.chars().enumerate() {
                        chars.insert((at + k).min(chars.len()), c);
                    }
                }
                _ => chars.truncate(at),
            }
        }
        let src: String = chars.into_iter().collect();
        exercise(&src);
    }
}

#[test]
fn deep_flow_nesting_is_an_error_not_an_overflow() {
    for open in ["[", "{a: ", "[{a: "] {
        let src = open.repeat(100_000);
        let err = kiln_yaml::from_str(&src).expect_err("must fail");
        assert_eq!(err.kind(), ErrorKind::Syntax, "{err}");
    }
}

#[test]
fn deep_block_nesting_is_capped() {
    // 10 001 nested block sequences on one line (`- - - … x`): one more than the 10 000 levels go-yaml accepts.
    let src = format!("{}x", "- ".repeat(10_001));
    let err = kiln_yaml::from_str(&src).expect_err("20 000 levels must be refused");
    assert_eq!(err.kind(), ErrorKind::Limit, "{err}");
    assert_eq!(err.to_string(), "yaml: exceeded max depth of 10000");
}

/// Drop a (possibly very deep) value on a thread with a big stack: `Value`'s drop glue is recursive.
fn drop_with_big_stack(v: Value) {
    std::thread::Builder::new().stack_size(64 << 20).spawn(move || drop(v)).expect("spawn").join().expect("drop");
}

/// Run `f` on a thread with a 1 MiB stack (what a wasm plugin can count on) and hand back its result.
fn with_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(1 << 20).spawn(f).expect("spawn").join().expect("no stack overflow")
}

fn deep_value(depth: usize) -> Value {
    let mut v = Value::String("leaf".into());
    for i in 0..depth {
        v = if i % 2 == 0 { Value::Seq(vec![v]) } else { Value::Map([("k".to_owned(), v)].into_iter().collect()) };
    }
    v
}

#[test]
fn deep_values_emit_within_a_small_stack() {
    // Values built by code can be deeper than the loader allows; the emitters walk them without recursion.
    let v = std::sync::Arc::new(deep_value(5_000));
    let shared = v.clone();
    let (plain, pretty) =
        with_small_stack(move || (kiln_yaml::to_helm_yaml(&shared), kiln_yaml::to_helm_yaml_pretty(&shared)));
    assert!(plain.ends_with("leaf\n"));
    assert!(pretty.ends_with("leaf\n"));
    if let Ok(v) = std::sync::Arc::try_unwrap(v) {
        drop_with_big_stack(v);
    }
}

#[test]
fn loader_at_max_depth_works_within_a_small_stack() {
    let (flow, block) = with_small_stack(|| {
        let src = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        let flow = kiln_yaml::from_str(&src).expect("200 flow levels load");
        let block_src = format!("{}x", "- ".repeat(9_999));
        let block = kiln_yaml::from_str(&block_src).expect("9 999 block levels load");
        (flow, block)
    });
    assert!(kiln_yaml::to_helm_yaml(&flow).contains('x'));
    drop_with_big_stack(flow);
    drop_with_big_stack(block);
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut src = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"]) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        src.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let started = std::time::Instant::now();
    let err = kiln_yaml::from_str(&src).expect_err("must refuse");
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert_eq!(err.to_string(), "yaml: document contains excessive aliasing");
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn moderate_aliasing_is_accepted() {
    // Ten references to a 50-node anchor: ordinary reuse, far below go-yaml's ratio limits.
    let mut src = String::from("base: &b\n");
    for i in 0..50 {
        src.push_str(&format!("  k{i}: v\n"));
    }
    for i in 0..10 {
        src.push_str(&format!("r{i}: *b\n"));
    }
    let v = kiln_yaml::from_str(&src).expect("loads");
    assert_eq!(v.get("r9").and_then(Value::as_map).map(|m| m.len()), Some(50));
}
