//! Shared helpers: read a directory tree into the plugin's file list and build it.

use std::path::Path;

use kiln_plugin_kustomize::{BuildOptions, build_to_string};

/// Every file below `root`, with `/`-separated relative paths.
pub fn read_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry")).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("prefix").to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// Build `dir` (relative to `root`) and return the output or the error message.
pub fn build_dir(root: &Path, dir: &str) -> Result<String, String> {
    let dir = if dir == "." { "" } else { dir };
    build_to_string(read_tree(root), dir, &BuildOptions::default()).map_err(|e| e.message)
}

/// Run every case under `cases` (each with `case.json` holding `dir`, a `tree/`, and `expected.yaml` or an error
/// expectation). Returns (passed, failures).
pub fn run_cases(cases: &Path, expected_ok: impl Fn(&Path) -> Option<String>) -> (usize, Vec<String>) {
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(cases).expect("cases").map(|e| e.expect("entry").path()).collect();
    dirs.sort();
    for case in dirs {
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("case.json")).expect("case.json")).expect("json");
        let dir = spec["dir"].as_str().unwrap_or(".");
        let got = build_dir(&case.join("tree"), dir);
        let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
        // A case where kustomize loses data silently and kiln refuses on purpose: `refuse.txt` holds a part of
        // kiln's message (the reference's output is kept beside it for the record).
        if let Ok(refuse) = std::fs::read_to_string(case.join("refuse.txt")) {
            match got {
                Err(e) if e.contains(refuse.trim()) => passed += 1,
                Err(e) => failures.push(format!("{name}: refused with another message: {e}")),
                Ok(_) => failures.push(format!("{name}: expected kiln to refuse ({}), got output", refuse.trim())),
            }
            continue;
        }
        match (expected_ok(&case), got) {
            (Some(exp), Ok(out)) if exp == out => passed += 1,
            (None, Err(_)) => passed += 1,
            (Some(exp), Ok(out)) => failures.push(format!("{name}: output differs\n{}", first_diff(&exp, &out))),
            (Some(_), Err(e)) => failures.push(format!("{name}: unexpected error: {e}")),
            (None, Ok(_)) => failures.push(format!("{name}: expected an error, got output")),
        }
    }
    (passed, failures)
}

fn first_diff(a: &str, b: &str) -> String {
    let (al, bl): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    for i in 0..al.len().max(bl.len()) {
        if al.get(i) != bl.get(i) {
            let from = i.saturating_sub(3);
            let ctx = |l: &[&str]| l.get(from..(i + 4).min(l.len())).unwrap_or_default().join("\n");
            return format!("  line {}:\n  expected:\n{}\n  actual:\n{}", i + 1, ctx(&al), ctx(&bl));
        }
    }
    String::new()
}
