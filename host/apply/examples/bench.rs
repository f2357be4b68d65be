//! Benchmark: kiln vs `kubectl apply --server-side --prune --applyset` on 500 objects of mixed kinds.
//!
//! ```text
//! KILN_REF_KUBECTL=/path/to/kubectl bench --kubeconfig PATH [--objects 500]
//! ```
//! Three phases per tool, each in its own namespace: first apply, unchanged re-apply, re-apply with 10% of
//! the objects changed. Prints wall times and the kiln/kubectl ratios (targets: first <= 1/3, unchanged <= 1/5).

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use kiln_apply::{ApplyOptions, Cluster, ConnectOptions};
use serde_json::{Value, json};

/// Requests in flight for kiln (`--concurrency`, default 16 like `kiln apply`).
static CONCURRENCY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(16);

fn objects(ns: &str, n: usize, changed_every: Option<usize>) -> Vec<Value> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("obj-{i:04}");
        let rev = if changed_every.is_some_and(|k| i % k == 0) { "2" } else { "1" };
        out.push(match i % 6 {
            0 | 1 => json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns, "labels": {"app": "bench"}},
                "data": {"rev": rev, "config.yaml": format!("key: value-{i}\nother: {rev}\n")}}),
            2 => json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns},
                "stringData": {"password": format!("pw-{i}-{rev}")}}),
            3 => json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns, "annotations": {"rev": rev}},
                "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}),
            4 => json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns, "annotations": {"rev": rev}}}),
            _ => json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}, "annotations": {"rev": rev}},
                        "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 8080}],
                            "env": [{"name": "REV", "value": rev}]}]}}}}),
        });
    }
    out
}

fn kubectl_apply(kubectl: &PathBuf, kubeconfig: &PathBuf, ns: &str, file: &PathBuf) -> Result<Duration, String> {
    let t = Instant::now();
    let out = Command::new(kubectl)
        .env("KUBECTL_APPLYSET", "true")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["apply", "--server-side", "--prune", "--applyset=configmaps/bench", "-n", ns, "-f"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(t.elapsed())
}

async fn kiln_apply(cluster: &Cluster, ns: &str, set: &[Value]) -> Result<(Duration, String), String> {
    let t = Instant::now();
    let opts = ApplyOptions {
        inventory: Some("bench".into()),
        inventory_namespace: Some(ns.into()),
        concurrency: CONCURRENCY.load(std::sync::atomic::Ordering::Relaxed),
        ..ApplyOptions::default()
    };
    let r = kiln_apply::apply(cluster, set, &opts).await.map_err(|e| e.to_string())?;
    if r.failed() {
        return Err(r.render());
    }
    let [cr, co, un, ..] = r.counts();
    Ok((t.elapsed(), format!("{cr} created, {co} configured, {un} unchanged")))
}

fn main() -> ExitCode {
    let mut kubeconfig = None;
    let mut n = 500usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--kubeconfig" => kubeconfig = args.next().map(PathBuf::from),
            "--objects" => n = args.next().and_then(|s| s.parse().ok()).unwrap_or(500),
            "--concurrency" => CONCURRENCY
                .store(args.next().and_then(|s| s.parse().ok()).unwrap_or(16), std::sync::atomic::Ordering::Relaxed),
            _ => {
                eprintln!("usage: bench --kubeconfig PATH [--objects N] [--concurrency N]");
                return ExitCode::from(2);
            }
        }
    }
    let Some(kubeconfig) = kubeconfig.or_else(|| std::env::var_os("KILN_TEST_KUBECONFIG").map(PathBuf::from)) else {
        eprintln!("--kubeconfig (or KILN_TEST_KUBECONFIG) is required");
        return ExitCode::from(2);
    };
    let kubectl =
        std::env::var_os("KILN_REF_KUBECTL").map(PathBuf::from).unwrap_or_else(|| "/work/ref/bin/kubectl".into());
    // One thread, as `kiln apply` runs (see `runtime()` in the CLI).
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(kubeconfig, kubectl, n)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(kubeconfig: PathBuf, kubectl: PathBuf, n: usize) -> Result<(), String> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (ns_kiln, ns_kubectl) = (format!("bench-kiln-{stamp}"), format!("bench-kubectl-{stamp}"));
    let cluster = Cluster::connect(&ConnectOptions { kubeconfig: Some(kubeconfig.clone()), ..Default::default() })
        .await
        .map_err(|e| e.to_string())?;
    for ns in [&ns_kiln, &ns_kubectl] {
        let nsobj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        kiln_apply::apply(&cluster, &[nsobj], &ApplyOptions::default()).await.map_err(|e| e.to_string())?;
    }
    let dir = std::env::temp_dir().join(format!("kiln-bench-{stamp}"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let phases: [(&str, Option<usize>); 3] =
        [("first apply", None), ("unchanged re-apply", None), ("10% changed", Some(10))];
    println!("{n} objects (ConfigMap, Secret, Service, ServiceAccount, Deployment), kubectl {}", kubectl.display());
    println!("{:<20} {:>12} {:>12} {:>8}  kiln result", "phase", "kiln", "kubectl", "ratio");
    for (phase, changed) in phases {
        let file = dir.join(format!("{}.json", phase.replace([' ', '%'], "_")));
        let list = json!({"apiVersion": "v1", "kind": "List", "items": objects(&ns_kubectl, n, changed)});
        std::fs::write(&file, serde_json::to_vec(&list).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let k = kubectl_apply(&kubectl, &kubeconfig, &ns_kubectl, &file)?;
        let (ours, summary) = kiln_apply(&cluster, &ns_kiln, &objects(&ns_kiln, n, changed)).await?;
        println!(
            "{:<20} {:>10.0}ms {:>10.0}ms {:>8.3}  {summary}",
            phase,
            ours.as_secs_f64() * 1e3,
            k.as_secs_f64() * 1e3,
            ours.as_secs_f64() / k.as_secs_f64()
        );
    }
    // Clean up (namespace deletion needs the namespace controller; objects go with it).
    for ns in [&ns_kiln, &ns_kubectl] {
        let _ = Command::new(&kubectl)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["delete", "namespace", ns, "--wait=false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
