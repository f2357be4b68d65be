//! Runs one `kiln apply` (or diff) of a manifest file: the binary the crash test kills, and a handy manual tool.
//!
//! ```text
//! apply_file --file F [--kubeconfig P] [--context C] [--namespace N] [--inventory NAME]
//!            [--inventory-namespace NS] [--prune=false] [--allow-empty] [--dry-run] [--diff]
//!            [--force-conflicts] [--force-recreate] [--wait SECONDS] [--concurrency N]
//! ```
//! `F` holds YAML documents or a JSON array. Exit status: 0 success, 1 object failures, 2 fatal error
//! (`--diff`: 0 no changes, 1 changes, 2 errors).

use std::process::ExitCode;
use std::time::Duration;

use kiln_apply::{ApplyOptions, Cluster, ConnectOptions};

fn load(path: &str) -> Result<Vec<serde_json::Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"));
    }
    let docs = kiln_yaml::from_str_multi(&text).map_err(|e| format!("{path}: {e}"))?;
    docs.into_iter()
        .filter(|d| !matches!(d, kiln_yaml::Value::Null))
        .map(|d| serde_json::to_value(&d).map_err(|e| format!("{path}: {e}")))
        .collect()
}

fn main() -> ExitCode {
    let mut conn = ConnectOptions::default();
    let mut opts = ApplyOptions::default();
    let mut file = None;
    let mut diff = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).unwrap_or_default();
        match key.as_str() {
            "--file" | "-f" => file = Some(value()),
            "--kubeconfig" => conn.kubeconfig = Some(value().into()),
            "--context" => conn.context = Some(value()),
            "--namespace" | "-n" => conn.namespace = Some(value()),
            "--inventory" => opts.inventory = Some(value()),
            "--inventory-namespace" => opts.inventory_namespace = Some(value()),
            "--prune" => opts.prune = inline.as_deref() != Some("false"),
            "--allow-empty" => opts.allow_empty = true,
            "--dry-run" => opts.dry_run = true,
            "--diff" => diff = true,
            "--force-conflicts" => opts.force_conflicts = true,
            "--force-recreate" => opts.force_recreate = true,
            "--verify-unchanged" => opts.verify_unchanged = true,
            "--wait" => opts.wait = value().parse().ok().map(Duration::from_secs),
            "--concurrency" => opts.concurrency = value().parse().unwrap_or(16),
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(file) = file else {
        eprintln!("--file is required");
        return ExitCode::from(2);
    };
    let objects = match load(&file) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let cluster = match Cluster::connect(&conn).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let result = if diff {
            kiln_apply::diff(&cluster, &objects, &opts).await
        } else {
            kiln_apply::apply(&cluster, &objects, &opts).await
        };
        match result {
            Ok(report) => {
                if diff {
                    print!("{}", report.render_diff());
                }
                print!("{}", report.render());
                if diff {
                    ExitCode::from(report.diff_exit_code())
                } else if report.failed() {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        }
    })
}
