//! `kiln post-render`, `kiln plugin inspect` and `kiln --version` through the real binary.

use sha2::{Digest, Sha256};

use crate::support::{self, SAMPLE_STREAM, label_rust, run_kiln, text};

#[test]
fn without_plugins_the_stream_is_unchanged() {
    let cache = support::temp_cache();
    for input in [SAMPLE_STREAM, "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: B\n"] {
        let out = run_kiln(&["post-render"], input, cache.path());
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(stdout, input);
    }
}

#[test]
fn unchanged_objects_keep_their_exact_text() {
    // The label plugin changes every object; a second stream object that the chain does not touch is impossible
    // with it, so check the converse: quoting and comments of changed objects are re-serialised, while the
    // separator and Source comment are kept.
    let cache = support::temp_cache();
    let a = format!("{}=x=y", label_rust().display());
    let input = "---\n# Source: c/templates/a.yaml\n# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"quoted\"\n";
    let out = run_kiln(&["post-render", "--plugin", &a], input, cache.path());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("---\n# Source: c/templates/a.yaml\n"), "{stdout}");
    assert!(stdout.contains("x: \"y\"") || stdout.contains("x: y"), "{stdout}");
}

#[test]
fn invalid_input_names_file_and_line() {
    let cache = support::temp_cache();
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("in.yaml");
    std::fs::write(&file, "kind: A\n---\n- just\n- a list\n").expect("write");
    let out = run_kiln(&["post-render", "-f", file.to_str().expect("utf8")], "", cache.path());
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("in.yaml:3") && stderr.contains("not a Kubernetes object"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn version_names_the_contract() {
    let out = support::kiln().arg("--version").output().expect("run");
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(stdout.starts_with(&format!("kiln {}", env!("CARGO_PKG_VERSION"))), "{stdout}");
    let out = support::kiln().arg("-V").output().expect("run");
    assert!(out.status.success());
}

#[test]
fn inspect_a_component_file() {
    let cache = support::temp_cache();
    let path = label_rust();
    let out = run_kiln(&["plugin", "inspect", "--json", path.to_str().expect("utf8")], "", cache.path());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let info: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(info["world"], "post-renderer");
    assert_eq!(info["package_version"], "0.1.0");
    let bytes = std::fs::read(path).expect("read wasm");
    assert_eq!(info["sha256"], hex::encode(Sha256::digest(&bytes)));
    assert_eq!(info["size"], bytes.len());
    let exports: Vec<&str> = info["exports"].as_array().expect("exports").iter().filter_map(|v| v.as_str()).collect();
    assert!(exports.contains(&"kiln:plugin/post-render@0.1.0"), "{exports:?}");
    let imports: Vec<&str> = info["imports"].as_array().expect("imports").iter().filter_map(|v| v.as_str()).collect();
    assert!(imports.iter().all(|i| !i.starts_with("wasi:filesystem/preopens")), "{imports:?}");
    // The text form carries the same facts.
    let out = run_kiln(&["plugin", "inspect", path.to_str().expect("utf8")], "", cache.path());
    let (stdout, _) = text(&out);
    assert!(stdout.contains("world:           kiln:plugin/post-renderer"), "{stdout}");
}

#[test]
fn inspect_refuses_missing_and_invalid_plugins() {
    let cache = support::temp_cache();
    let out = run_kiln(&["plugin", "inspect", "no-such-plugin"], "", cache.path());
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("no-such-plugin"), "{stderr}");
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"garbage").expect("write");
    let out = run_kiln(&["plugin", "inspect", bad.to_str().expect("utf8")], "", cache.path());
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("bad.wasm") && stderr.contains("not WebAssembly"), "{stderr}");
}
