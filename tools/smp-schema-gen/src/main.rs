//! `smp-schema-gen`: write kpatch's merge-metadata table from Kubernetes OpenAPI documents.
//!
//! ```text
//! smp-schema-gen [-o OUT] INPUT...          # files or directories of OpenAPI v3 (or v2) JSON documents
//! smp-schema-gen [-o OUT] --kubectl KUBECTL # read /openapi/v3 from the cluster KUBECTL talks to
//! ```
//!
//! The committed table is `plugins/kpatch/src/schema/builtin.txt`, generated with
//! `cargo run -p smp-schema-gen -- -o plugins/kpatch/src/schema/builtin.txt ../shared/corpus/openapi/k8s-1.27
//! tools/smp-schema-gen/supplement/builtin-extra.json` (see `supplement/README.md`).
//! Directories are read recursively (`*.json`, in path order); each document is labelled with its path relative
//! to the directory's parent, so the table does not depend on where the corpus lives.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn usage() -> &'static str {
    "usage: smp-schema-gen [-o OUT] (INPUT... | --kubectl KUBECTL)"
}

fn kubectl_raw(kubectl: &str, path: &str) -> Result<String, String> {
    let out =
        Command::new(kubectl).args(["get", "--raw", path]).output().map_err(|e| format!("running {kubectl}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{kubectl} get --raw {path}: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{path}: {e}"))
}

fn from_cluster(kubectl: &str) -> Result<Vec<(String, String)>, String> {
    let index = kubectl_raw(kubectl, "/openapi/v3")?;
    let index: serde_json::Value = serde_json::from_str(&index).map_err(|e| format!("/openapi/v3: {e}"))?;
    let paths = index.get("paths").and_then(|p| p.as_object()).ok_or("/openapi/v3: no paths")?;
    let mut docs = Vec::new();
    for (name, entry) in paths {
        let Some(url) = entry.get("serverRelativeURL").and_then(|u| u.as_str()) else { continue };
        docs.push((format!("cluster:{name}"), kubectl_raw(kubectl, url)?));
    }
    Ok(docs)
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut out: Option<String> = None;
    let mut kubectl: Option<String> = None;
    let mut inputs: Vec<String> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-o" | "--output" => out = Some(args.next().ok_or(usage())?),
            "--kubectl" => kubectl = Some(args.next().ok_or(usage())?),
            "-h" | "--help" => {
                println!("{}", usage());
                return Ok(());
            }
            _ => inputs.push(a),
        }
    }
    let mut docs: Vec<(String, String)> = Vec::new();
    if let Some(k) = &kubectl {
        docs.extend(from_cluster(k)?);
    }
    let paths: Vec<PathBuf> = inputs.iter().map(PathBuf::from).collect();
    docs.extend(kpatch::schema::openapi::read_inputs(&paths)?);
    if docs.is_empty() {
        return Err(usage().to_owned());
    }
    let table = kpatch::schema::openapi::generate_from_json(&docs)?;
    let text = table.to_text();
    match out {
        Some(o) => std::fs::write(&o, text).map_err(|e| format!("{o}: {e}"))?,
        None => print!("{text}"),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("smp-schema-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
