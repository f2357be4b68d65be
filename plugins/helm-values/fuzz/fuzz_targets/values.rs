//! The values loader on arbitrary input: a values file (YAML 1.1 as Helm reads it, multi-document, anchors), each
//! `--set` flavour on the same text, merging, and the JSON transport to the renderer. Every step must return `Ok`
//! or `Err`, never panic or hang; a loaded map must survive the transport unchanged.
//!
//! Run with `cargo +nightly fuzz run values` from `plugins/helm-values` (seed corpus: `fuzz/corpus/values`).
#![no_main]

use kiln_helm_values::{ValueSources, from_transport_json, merge_values, to_transport_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    // Bytes before the first NUL are a values file; the text after it is a `--set*` expression.
    let (file, expr) = match input.iter().position(|&b| b == 0) {
        Some(i) => (&input[..i], String::from_utf8_lossy(&input[i + 1..]).into_owned()),
        None => (input, String::new()),
    };
    // The expression's first byte picks the flag it is given to.
    let mut sources = ValueSources { files: vec!["values.yaml".into()], ..ValueSources::default() };
    let flag = match expr.bytes().next().unwrap_or(0) % 5 {
        0 => &mut sources.set,
        1 => &mut sources.set_string,
        2 => &mut sources.set_json,
        3 => &mut sources.set_literal,
        _ => &mut sources.set_file,
    };
    flag.push(expr.get(1..).unwrap_or("").to_owned());
    let mut read = |path: &str| if path == "values.yaml" { Ok(file.to_vec()) } else { Err(format!("no {path}")) };
    if let Ok(merged) = merge_values(&sources, &mut read) {
        if let Ok(json) = to_transport_json(&merged) {
            let back = from_transport_json(&json).expect("transport JSON reads back");
            assert_eq!(to_transport_json(&back).ok().as_deref(), Some(json.as_str()), "transport is stable");
        }
    }
});
