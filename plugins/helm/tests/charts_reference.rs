//! kiln's own charts (`tests/charts/`) rendered by `render` + `print_stream`, compared with `helm template` v4.1.4
//! (`tests/charts/expected/`, produced by `sh tests/charts/gen-expected.sh /work/ref/bin/helm`). They cover
//! subcharts from directories and archives, aliases, conditions, tags, import-values, globals, library charts,
//! hooks, CRDs, `.Files`, `tpl`, schema errors and Helm's error messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{first_diff, invocation, run};

fn check(dir: &Path, name: &str, chart: &str, args: &str) -> Result<(), String> {
    let mut namespace = "default".to_owned();
    let mut rest = Vec::new();
    let mut words = args.split_whitespace();
    while let Some(w) = words.next() {
        if w == "-n" || w == "--namespace" {
            namespace = words.next().unwrap_or("default").to_owned();
        } else {
            rest.push(w.to_owned());
        }
    }
    let inv = invocation("rel", &dir.join(chart), &namespace, &[], &rest, dir)?;
    let got = run(&inv);
    let out_file = dir.join("expected").join(format!("{name}.out"));
    if let Ok(expected) = std::fs::read_to_string(&out_file) {
        return match got {
            Ok(out) if out == expected => Ok(()),
            Ok(out) => Err(first_diff(&expected, &out, 12)),
            Err(e) => Err(format!("unexpected error: {e}")),
        };
    }
    let expected = std::fs::read_to_string(dir.join("expected").join(format!("{name}.err")))
        .map_err(|e| format!("no expectation for {name}: {e}"))?;
    let message = match got {
        Ok(_) => return Err("expected an error, got output".into()),
        Err(e) => format!("Error: {e}\n"),
    };
    if message == expected {
        return Ok(());
    }
    // Helm lists schema violations in Go map order, which varies between runs: compare them as a set.
    if name.starts_with("schema-") {
        let mut a: Vec<&str> = message.lines().collect();
        let mut b: Vec<&str> = expected.lines().collect();
        a.sort_unstable();
        b.sort_unstable();
        if a == b {
            return Ok(());
        }
    }
    Err(format!("message differs:\n--- expected\n{expected}--- got\n{message}"))
}

#[test]
fn reference_charts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).expect("cases.txt");
    let mut failures = Vec::new();
    let mut total = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut parts = line.splitn(3, '|');
        let (Some(name), Some(chart)) = (parts.next(), parts.next()) else { continue };
        let args = parts.next().unwrap_or("");
        total += 1;
        match check(&dir, name, chart, args) {
            Ok(()) => eprintln!("PASS {name}"),
            Err(e) => {
                eprintln!("FAIL {name}: {e}");
                failures.push(name.to_owned());
            }
        }
    }
    eprintln!("{} passed, {} failed", total - failures.len(), failures.len());
    assert!(total >= 20, "too few cases");
    assert!(failures.is_empty(), "failing cases: {failures:?}");
}
