//! The example label plugins (Rust, JavaScript, Python), built from source and run through `kiln post-render`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, SAMPLE_STREAM, label_rust, repo_root, require, run_kiln, text, which};

/// Every object in `out` carries `key: value` in its labels, and the `# Source:` lines of the input survive.
fn assert_labelled(out: &str, key: &str, value: &str) {
    let docs = kiln_yaml::from_str_multi(out).expect("output parses");
    let objects: Vec<_> = docs.iter().filter(|d| !d.is_null()).collect();
    assert_eq!(objects.len(), 2, "{out}");
    for d in objects {
        let label = d.pointer(&["metadata", "labels", key]).and_then(|v| v.as_str());
        assert_eq!(label, Some(value), "{out}");
    }
    assert!(
        out.contains("# Source: app/templates/configmap.yaml") && out.contains("# Source: app/templates/service.yaml"),
        "{out}"
    );
}

fn post_render_with(plugin: &Path, config: &str) -> String {
    let cache = support::shared_cache();
    let arg = format!("{}={config}", plugin.display());
    let out = run_kiln(&["post-render", "--plugin", &arg], SAMPLE_STREAM, cache);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "kiln failed: {stderr}");
    stdout
}

#[test]
fn rust_label_plugin() {
    let out = post_render_with(label_rust(), "team=web");
    assert_labelled(&out, "team", "web");
    // The existing label on the Service survives next to the new one.
    assert!(out.contains("app: web"), "{out}");
}

fn build_js() -> Option<PathBuf> {
    let npm = require("npm (Node.js) for the JavaScript example", which("npm"))?;
    let dir = repo_root().join("examples/plugins/label-js");
    // `npm ci` installs exactly what the tracked lockfile lists and never rewrites it (`npm install` would, in the
    // source tree, whenever npm resolves the optional platform packages differently).
    let install =
        Command::new(&npm).arg("ci").arg("--no-audit").arg("--no-fund").current_dir(&dir).output().expect("npm ci");
    assert!(install.status.success(), "npm ci failed: {}", String::from_utf8_lossy(&install.stderr));
    let build = Command::new(&npm).args(["run", "build"]).current_dir(&dir).output().expect("npm run build");
    assert!(build.status.success(), "componentize-js failed: {}", String::from_utf8_lossy(&build.stderr));
    Some(dir.join("out/label.wasm"))
}

fn build_py() -> Option<PathBuf> {
    let cpy = require("componentize-py for the Python example", which("componentize-py"))?;
    let dir = repo_root().join("examples/plugins/label-py");
    let wit = repo_root().join("wit");
    std::fs::create_dir_all(dir.join("out")).expect("out dir");
    let build = Command::new(cpy)
        .arg("--wit-path")
        .arg(&wit)
        .args(["--world", "post-renderer", "componentize", "--stub-wasi", "app", "-o", "out/label.wasm"])
        .current_dir(&dir)
        .output()
        .expect("componentize-py");
    assert!(build.status.success(), "componentize-py failed: {}", String::from_utf8_lossy(&build.stderr));
    Some(dir.join("out/label.wasm"))
}

#[test]
fn javascript_label_plugin() {
    let Some(wasm) = build_js() else { return };
    let out = post_render_with(&wasm, "lang=js");
    assert_labelled(&out, "lang", "js");
}

#[test]
fn python_label_plugin() {
    let Some(wasm) = build_py() else { return };
    let out = post_render_with(&wasm, "lang=python");
    assert_labelled(&out, "lang", "python");
}

#[test]
fn plugins_chain_in_order() {
    let cache = support::shared_cache();
    let a = format!("{}=step=first", label_rust().display());
    let b = format!("{}=step=second", label_rust().display());
    let out = run_kiln(&["post-render", "--plugin", &a, "--plugin", &b], SAMPLE_STREAM, cache);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    // The second plugin ran last, so its value wins.
    assert_labelled(&stdout, "step", "second");
}

#[test]
fn plugin_errors_name_the_plugin() {
    let cache = support::shared_cache();
    let a = format!("{}=no-equals-sign", label_rust().display());
    let out = run_kiln(&["post-render", "--plugin", &a], SAMPLE_STREAM, cache);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("kiln_example_label.wasm") && stderr.contains("invalid configuration"), "{stderr}");
}
