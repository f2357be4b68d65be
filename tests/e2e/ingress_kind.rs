//! `examples/ingress-nginx-kind`: the upstream ingress-nginx 4.11.3 chart made fit for a local Kind cluster purely
//! with post-render patches. Checks what a user would look for in the rendered controller, that nothing else
//! changed, and that the result is what Flux (helm template + kustomize v5.7.1 with the same patch block) gives.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{self, require, run_kiln, text};

fn chart() -> Option<PathBuf> {
    let d = support::repo_root().join("../shared/corpus/helm/charts/ingress-nginx-4.11.3");
    require("the ingress-nginx 4.11.3 chart in ../shared/corpus/helm/charts", d.is_dir().then_some(d))
}

fn patches() -> PathBuf {
    support::repo_root().join("examples/ingress-nginx-kind/patches.yaml")
}

/// Parse a YAML stream into JSON objects (empty and comment-only documents dropped).
fn objects(stream: &str) -> Vec<Value> {
    kiln_yaml::from_str_multi(stream)
        .expect("valid YAML stream")
        .iter()
        .map(|d| serde_json::to_value(d).expect("JSON-compatible"))
        .filter(|v| !v.is_null())
        .collect()
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in the output"))
}

/// Fields whose value is null mean "absent" to the API server; kustomize drops some of them, Helm prints them.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn render(chart: &std::path::Path, extra: &[&str]) -> String {
    let chart = chart.display().to_string();
    let mut args = vec!["template", "ingress-nginx", chart.as_str(), "-n", "ingress-nginx"];
    args.extend_from_slice(extra);
    let out = run_kiln(&args, "", support::shared_cache());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "kiln template failed: {stderr}");
    stdout
}

#[test]
fn ingress_nginx_patched_for_kind() {
    let Some(chart) = chart() else { return };
    let patch_file = patches().display().to_string();
    let plain = objects(&render(&chart, &[]));
    let patched = objects(&render(&chart, &["--patch", &patch_file]));
    assert_eq!(plain.len(), patched.len(), "patching must not add or drop objects");

    let d = find(&patched, "Deployment", "ingress-nginx-controller");
    let pod = &d["spec"]["template"]["spec"];
    let c =
        pod["containers"].as_array().and_then(|cs| cs.iter().find(|c| c["name"] == "controller")).expect("controller");
    let host_port = |name: &str| {
        c["ports"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == name)).map(|p| p["hostPort"].clone())
    };
    assert_eq!(host_port("http"), Some(json!(80)));
    assert_eq!(host_port("https"), Some(json!(443)));
    assert_eq!(host_port("webhook"), Some(Value::Null), "the webhook port stays off the host");
    assert_eq!(pod["nodeSelector"], json!({"ingress-ready": "true", "kubernetes.io/os": "linux"}));
    assert_eq!(
        pod["tolerations"],
        json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}])
    );
    assert_eq!(c["resources"], json!({"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}));
    let args: Vec<&str> = c["args"].as_array().expect("args").iter().filter_map(Value::as_str).collect();
    assert_eq!(args.first(), Some(&"/nginx-ingress-controller"), "existing args are kept in order");
    assert!(args.ends_with(&["--publish-status-address=localhost", "--watch-ingress-without-class=true"]), "{args:?}");
    assert_eq!(find(&patched, "Service", "ingress-nginx-controller")["spec"]["type"], "NodePort");
    assert_eq!(find(&patched, "Service", "ingress-nginx-controller-admission")["spec"]["type"], "ClusterIP");

    // Everything the patches do not target is untouched.
    let touched = |o: &Value| {
        o["metadata"]["name"] == "ingress-nginx-controller" && (o["kind"] == "Deployment" || o["kind"] == "Service")
    };
    for (a, b) in plain.iter().zip(&patched).filter(|(a, _)| !touched(a)) {
        assert_eq!(a, b, "an object no patch targets changed");
    }
}

/// What Flux would apply: the reference `helm template`, then `kubectl kustomize` (kustomize v5.7.1) with the
/// same block as `patches:`. Compared as objects: kustomize re-sorts keys and re-prints every object.
#[test]
fn ingress_nginx_kind_patches_match_kustomize() {
    let Some(chart) = chart() else { return };
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    let Some(kubectl) = require("reference kubectl (KILN_REF_KUBECTL)", std::env::var_os("KILN_REF_KUBECTL")) else {
        return;
    };
    let rendered = std::process::Command::new(helm)
        .args(["template", "ingress-nginx"])
        .arg(&chart)
        .args(["-n", "ingress-nginx"])
        .output()
        .expect("run helm");
    assert!(rendered.status.success(), "helm template failed");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("chart.yaml"), &rendered.stdout).expect("write");
    let block = kiln_yaml::from_str(&std::fs::read_to_string(patches()).expect("read patches")).expect("yaml");
    let mut kustomization = serde_json::to_value(&block).expect("json");
    kustomization["resources"] = json!(["chart.yaml"]);
    std::fs::write(dir.path().join("kustomization.yaml"), kustomization.to_string()).expect("write");
    let reference = std::process::Command::new(kubectl).arg("kustomize").arg(dir.path()).output().expect("kubectl");
    assert!(reference.status.success(), "kubectl kustomize failed: {}", String::from_utf8_lossy(&reference.stderr));

    let key = |o: &Value| format!("{}/{}", o["kind"], o["metadata"]["name"]);
    let mut want: Vec<Value> = objects(&String::from_utf8_lossy(&reference.stdout)).iter().map(without_nulls).collect();
    let mut got: Vec<Value> =
        objects(&render(&chart, &["--patch", &patches().display().to_string()])).iter().map(without_nulls).collect();
    want.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "kiln and kustomize disagree on {}", key(w));
    }
}
