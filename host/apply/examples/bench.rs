//! Benchmark: kiln vs `kubectl apply --server-side --prune --applyset` on 500 objects of mixed kinds.
//!
//! ```text
//! KILN_REF_KUBECTL=/path/to/kubectl bench --kubeconfig PATH [--objects 500] [--rounds 3] [--settle-ms 2000]
//! ```
//! Three phases per tool, each in its own namespace: first apply, unchanged re-apply, re-apply with 10% of
//! the objects changed. Prints wall times and the kiln/kubectl ratio of every round, then the median ratio per
//! phase (targets: first <= 1/3, unchanged <= 1/5). kiln runs in-process (the library `kiln apply` calls, on
//! the same one-thread runtime); kubectl runs as a process, as a user runs it.

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

/// Bench settings from the command line.
struct Settings {
    kubeconfig: PathBuf,
    kubectl: PathBuf,
    objects: usize,
    rounds: usize,
    settle: Duration,
}

fn main() -> ExitCode {
    let mut kubeconfig = None;
    let mut n = 500usize;
    let mut rounds = 3usize;
    let mut settle = Duration::from_secs(2);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = || args.next().and_then(|s| s.parse::<usize>().ok());
        match a.as_str() {
            "--kubeconfig" => kubeconfig = args.next().map(PathBuf::from),
            "--objects" => n = num().unwrap_or(500),
            "--rounds" => rounds = num().unwrap_or(3).max(1),
            "--settle-ms" => settle = Duration::from_millis(num().unwrap_or(2000) as u64),
            "--concurrency" => CONCURRENCY.store(num().unwrap_or(16), std::sync::atomic::Ordering::Relaxed),
            _ => {
                eprintln!(
                    "usage: bench --kubeconfig PATH [--objects N] [--rounds N] [--settle-ms MS] [--concurrency N]"
                );
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
    let settings = Settings { kubeconfig, kubectl, objects: n, rounds, settle };
    match rt.block_on(run(&settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::from(1)
        }
    }
}

const PHASES: [(&str, Option<usize>); 3] =
    [("first apply", None), ("unchanged re-apply", None), ("10% changed", Some(10))];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    match (v.get(m), v.len() % 2) {
        (Some(x), 1) => *x,
        (Some(x), _) => (x + v.get(m.wrapping_sub(1)).copied().unwrap_or(*x)) / 2.0,
        (None, _) => f64::NAN,
    }
}

/// Rounds of the three phases. Each round applies into fresh namespaces (one per tool); within a phase the two
/// tools take turns going first (kubectl first in odd rounds), and each measured run starts after a pause, so
/// that neither inherits the API server's leftover work (garbage collection, watch fan-out) from the other.
async fn run(s: &Settings) -> Result<(), String> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let cluster = Cluster::connect(&ConnectOptions { kubeconfig: Some(s.kubeconfig.clone()), ..Default::default() })
        .await
        .map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("kiln-bench-{stamp}"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    println!(
        "{} objects (ConfigMap, Secret, Service, ServiceAccount, Deployment), {} rounds, kubectl {}",
        s.objects,
        s.rounds,
        s.kubectl.display()
    );
    println!("{:<6} {:<20} {:>12} {:>12} {:>8}  kiln result", "round", "phase", "kiln", "kubectl", "ratio");
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); PHASES.len()];
    let mut namespaces = Vec::new();
    let result = async {
        for round in 1..=s.rounds {
            let (ns_kiln, ns_kubectl) =
                (format!("bench-kiln-{stamp}-{round}"), format!("bench-kubectl-{stamp}-{round}"));
            for ns in [&ns_kiln, &ns_kubectl] {
                let nsobj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
                kiln_apply::apply(&cluster, &[nsobj], &ApplyOptions::default()).await.map_err(|e| e.to_string())?;
                namespaces.push(ns.clone());
            }
            for (i, (phase, changed)) in PHASES.iter().enumerate() {
                let file = dir.join(format!("{round}-{}.json", phase.replace([' ', '%'], "_")));
                let list =
                    json!({"apiVersion": "v1", "kind": "List", "items": objects(&ns_kubectl, s.objects, *changed)});
                std::fs::write(&file, serde_json::to_vec(&list).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
                let set = objects(&ns_kiln, s.objects, *changed);
                let (mut k, mut ours) = (Duration::ZERO, (Duration::ZERO, String::new()));
                for turn in 0..2 {
                    tokio::time::sleep(s.settle).await;
                    if (turn == 0) == (round % 2 == 1) {
                        k = kubectl_apply(&s.kubectl, &s.kubeconfig, &ns_kubectl, &file)?;
                    } else {
                        ours = kiln_apply(&cluster, &ns_kiln, &set).await?;
                    }
                }
                let ratio = ours.0.as_secs_f64() / k.as_secs_f64();
                if let Some(r) = ratios.get_mut(i) {
                    r.push(ratio);
                }
                println!(
                    "{round:<6} {phase:<20} {:>10.0}ms {:>10.0}ms {ratio:>8.3}  {}",
                    ours.0.as_secs_f64() * 1e3,
                    k.as_secs_f64() * 1e3,
                    ours.1
                );
            }
        }
        Ok::<(), String>(())
    }
    .await;
    if result.is_ok() {
        println!(
            "median kiln/kubectl ratio over {} rounds (targets: first apply <= 0.333, unchanged <= 0.2):",
            s.rounds
        );
        for ((phase, _), r) in PHASES.iter().zip(ratios) {
            println!("  {phase:<20} {:.3}", median(r));
        }
    }
    // Clean up (namespace deletion needs the namespace controller; objects go with it).
    for ns in &namespaces {
        let _ = Command::new(&s.kubectl)
            .arg("--kubeconfig")
            .arg(&s.kubeconfig)
            .args(["delete", "namespace", ns, "--wait=false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}
