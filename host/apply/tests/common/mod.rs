//! Test support: a real API server (started once per test binary from `tests/cluster`, or the one named by
//! `KILN_TEST_KUBECONFIG`), clients, object builders and the reference kubectl.
//!
//! Without a cluster (no Go toolchain, start failure) the tests skip, unless `CI=true`, where they fail.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kiln_apply::{ApplyOptions, Cluster, ConnectOptions};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

/// The repository root: the nearest ancestor holding `tests/cluster` (this file is also compiled into the
/// end-to-end tests of the `kiln` package, another manifest directory).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|d| d.join("tests/cluster").is_dir()).map_or_else(|| here.join("../.."), Path::to_path_buf)
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

static KUBECONFIG: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The kubeconfig of the test cluster, starting one if needed; `None` means skip.
pub fn kubeconfig() -> Option<PathBuf> {
    KUBECONFIG
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("KILN_TEST_KUBECONFIG") {
                return Some(PathBuf::from(p));
            }
            let dir = std::env::temp_dir().join(format!("kiln-apply-cluster-{}", std::process::id()));
            let out = Command::new(repo_root().join("tests/cluster/start"))
                .arg(&dir)
                .arg("--exit-with")
                .arg(std::process::id().to_string())
                .output();
            match out {
                Ok(o) if o.status.success() => Some(dir.join("kubeconfig")),
                Ok(o) => {
                    let msg = format!("test cluster did not start: {}", String::from_utf8_lossy(&o.stderr));
                    if ci() {
                        panic!("{msg}");
                    }
                    eprintln!("skipping: {msg}");
                    None
                }
                Err(e) => {
                    if ci() {
                        panic!("test cluster: {e}");
                    }
                    eprintln!("skipping: test cluster: {e}");
                    None
                }
            }
        })
        .clone()
}

/// Returns the kubeconfig or returns from the test (skip).
#[macro_export]
macro_rules! need_cluster {
    () => {
        match common::kubeconfig() {
            Some(k) => k,
            None => return,
        }
    };
}

/// A namespace name unique to this test process (tests can re-run against a long-lived cluster).
pub fn uniq(base: &str) -> String {
    format!("{base}-{}", std::process::id())
}

/// Connects with `namespace` as the default namespace.
pub async fn connect(kubeconfig: &Path, namespace: &str) -> Cluster {
    Cluster::connect(&ConnectOptions {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: None,
        namespace: Some(namespace.to_string()),
    })
    .await
    .unwrap()
}

/// Creates a namespace (idempotent).
pub async fn namespace(c: &Cluster, name: &str) {
    let api: Api<DynamicObject> = Api::all_with(c.client().clone(), &ar("", "v1", "Namespace", "namespaces"));
    let obj: DynamicObject =
        serde_json::from_value(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})).unwrap();
    let _ = api.create(&PostParams::default(), &obj).await;
}

/// An ApiResource.
pub fn ar(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() { version.into() } else { format!("{group}/{version}") },
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// A namespaced dynamic API.
pub fn api(c: &Cluster, ns: &str, group: &str, version: &str, kind: &str, plural: &str) -> Api<DynamicObject> {
    Api::namespaced_with(c.client().clone(), ns, &ar(group, version, kind, plural))
}

/// A cluster-scoped dynamic API.
pub fn api_all(c: &Cluster, group: &str, version: &str, kind: &str, plural: &str) -> Api<DynamicObject> {
    Api::all_with(c.client().clone(), &ar(group, version, kind, plural))
}

/// ConfigMaps API.
pub fn cms(c: &Cluster, ns: &str) -> Api<DynamicObject> {
    api(c, ns, "", "v1", "ConfigMap", "configmaps")
}

/// GET as JSON, `None` when absent.
pub async fn get(api: &Api<DynamicObject>, name: &str) -> Option<Value> {
    api.get_opt(name).await.unwrap().map(|o| serde_json::to_value(o).unwrap())
}

/// Server-side apply as another field manager (forced).
pub async fn apply_as(api: &Api<DynamicObject>, manager: &str, body: Value) -> Value {
    let name = body["metadata"]["name"].as_str().unwrap().to_string();
    let o = api.patch(&name, &PatchParams::apply(manager).force(), &Patch::Apply(&body)).await.unwrap();
    serde_json::to_value(o).unwrap()
}

/// Merge-patch as an Update field manager.
pub async fn merge_as(api: &Api<DynamicObject>, manager: &str, name: &str, patch: Value) -> Value {
    let pp = PatchParams { field_manager: Some(manager.into()), ..PatchParams::default() };
    serde_json::to_value(api.patch(name, &pp, &Patch::Merge(&patch)).await.unwrap()).unwrap()
}

/// Deletes (ignoring absence).
pub async fn delete(api: &Api<DynamicObject>, name: &str) {
    let _ = api.delete(name, &DeleteParams::default()).await;
}

/// A ConfigMap manifest.
pub fn cm(ns: &str, name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data})
}

/// A string at a JSON pointer.
pub fn ptr<'a>(v: &'a Value, p: &str) -> Option<&'a str> {
    v.pointer(p).and_then(Value::as_str)
}

/// Options with an inventory in `ns`.
pub fn inv(name: &str, ns: &str) -> ApplyOptions {
    ApplyOptions { inventory: Some(name.into()), inventory_namespace: Some(ns.into()), ..ApplyOptions::default() }
}

/// The reference kubectl (KILN_REF_KUBECTL or /work/ref/bin/kubectl), if present.
pub fn kubectl_path() -> Option<PathBuf> {
    let p = std::env::var_os("KILN_REF_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/ref/bin/kubectl"));
    if p.exists() {
        Some(p)
    } else {
        if ci() {
            panic!("reference kubectl not found at {}", p.display());
        }
        None
    }
}

/// Runs the reference kubectl; panics on failure.
pub fn kubectl(kubeconfig: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> String {
    use std::io::Write;
    let mut cmd = Command::new(kubectl_path().expect("kubectl"));
    cmd.arg("--kubeconfig").arg(kubeconfig).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "kubectl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The path of an example binary beside the test binary. `cargo test` builds examples when no target is
/// selected; otherwise (`--test crash`) it is built here with the same profile and target dir.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    if !path.exists() {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-p", "kiln-apply", "--example", name]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        cmd.env("CARGO_TARGET_DIR", dir.parent().unwrap());
        let status = cmd.status().unwrap();
        assert!(status.success(), "building example {name} failed");
    }
    path
}
