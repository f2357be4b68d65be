//! `kiln post-render`, `kiln plugin inspect` and `kiln --version` through the real binary.

use sha2::{Digest, Sha256};

use crate::support::{self, SAMPLE_STREAM, label_rust, run_kiln, text};

#[test]
fn without_plugins_the_stream_is_unchanged() {
    let cache = support::shared_cache();
    for input in [SAMPLE_STREAM, "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: B\n"] {
        let out = run_kiln(&["post-render"], input, cache);
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
    let cache = support::shared_cache();
    let a = format!("{}=x=y", label_rust().display());
    let input = "---\n# Source: c/templates/a.yaml\n# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"quoted\"\n";
    let out = run_kiln(&["post-render", "--plugin", &a], input, cache);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("---\n# Source: c/templates/a.yaml\n"), "{stdout}");
    assert!(stdout.contains("x: \"y\"") || stdout.contains("x: y"), "{stdout}");
}

#[test]
fn invalid_input_names_file_and_line() {
    let cache = support::shared_cache();
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("in.yaml");
    std::fs::write(&file, "kind: A\n---\n- just\n- a list\n").expect("write");
    let out = run_kiln(&["post-render", "-f", file.to_str().expect("utf8")], "", cache);
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
    let cache = support::shared_cache();
    let path = label_rust();
    let out = run_kiln(&["plugin", "inspect", "--json", path.to_str().expect("utf8")], "", cache);
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
    let out = run_kiln(&["plugin", "inspect", path.to_str().expect("utf8")], "", cache);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("world:           kiln:plugin/post-renderer"), "{stdout}");
}

#[test]
fn inspect_refuses_missing_and_invalid_plugins() {
    let cache = support::shared_cache();
    let out = run_kiln(&["plugin", "inspect", "no-such-plugin"], "", cache);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("no-such-plugin"), "{stderr}");
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"garbage").expect("write");
    let out = run_kiln(&["plugin", "inspect", bad.to_str().expect("utf8")], "", cache);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("bad.wasm") && stderr.contains("not WebAssembly"), "{stderr}");
}

/// The README's main job: the example stream patched with the example Flux-style patch file.
#[test]
fn readme_example_patches_the_deployment_only() {
    let root = support::repo_root();
    let stream = root.join("examples/post-render/stream.yaml");
    let patches = root.join("examples/post-render/patches.yaml");
    let out = run_kiln(
        &["post-render", "-f", stream.to_str().expect("utf8"), "--patch", patches.to_str().expect("utf8")],
        "",
        support::shared_cache(),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let docs = kiln_yaml::from_str_multi(&stdout).expect("yaml");
    let deploy =
        docs.iter().find(|d| d.get("kind").and_then(|k| k.as_str()) == Some("Deployment")).expect("deployment");
    assert_eq!(deploy.pointer(&["spec", "replicas"]), Some(&kiln_yaml::Value::Int(3)));
    let container =
        deploy.pointer(&["spec", "template", "spec", "containers"]).and_then(|c| c.as_seq()).expect("containers");
    assert_eq!(container[0].get("image").and_then(|i| i.as_str()), Some("ghcr.io/example/shop:1.4.3"));
    assert_eq!(container[0].pointer(&["resources", "limits", "memory"]).and_then(|m| m.as_str()), Some("256Mi"));
    // The ConfigMap is untouched: its original text, comment line included, is in the output verbatim.
    let input = std::fs::read_to_string(&stream).expect("stream");
    let cm_text = input.split("---\n").find(|d| d.contains("kind: ConfigMap")).expect("configmap text");
    assert!(stdout.contains(cm_text), "{stdout}");
}

#[test]
fn a_patch_that_matches_nothing_fails_unless_allowed() {
    let dir = tempfile::tempdir().expect("tmp");
    let patch = dir.path().join("p.yaml");
    std::fs::write(
        &patch,
        "patches:\n  - target:\n      kind: Deployment\n      name: nope\n    patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 1\n",
    )
    .expect("write");
    let p = patch.to_str().expect("utf8");
    let out = run_kiln(&["post-render", "--patch", p], SAMPLE_STREAM, support::shared_cache());
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "a patch matching nothing must fail");
    assert!(stderr.contains("nope"), "{stderr}");
    let out = run_kiln(&["post-render", "--patch", p, "--allow-no-match"], SAMPLE_STREAM, support::shared_cache());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, SAMPLE_STREAM);
}

#[test]
fn builtins_are_listed_and_inspectable() {
    let out = run_kiln(&["plugin", "list"], "", support::shared_cache());
    let (stdout, _) = text(&out);
    assert!(stdout.lines().any(|l| l.starts_with("patch ")), "{stdout}");
    let out = run_kiln(&["plugin", "inspect", "patch", "--json"], "", support::shared_cache());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let info: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(info["source"], "builtin");
    assert_eq!(info["world"], "post-renderer");
}
