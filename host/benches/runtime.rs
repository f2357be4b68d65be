//! Plugin runtime benchmarks, printed as a table with ratios (run: `cargo bench -p kiln --bench runtime`).
//!
//! * instantiate + call of a trivial post-renderer (a fresh store per call, as kiln does), warm compiled cache;
//! * the label plugin over a 10,000-object stream vs the same transform written natively in Rust, same run;
//! * loading a plugin from the compiled-component cache vs compiling it with Cranelift.
//!
//! Not a test: nothing here asserts a time.

#[path = "../../tests/e2e/support.rs"]
#[allow(dead_code)]
mod support;

use std::time::{Duration, Instant};

use kiln::plugin::cache::ComponentCache;
use kiln::plugin::{Document, Runtime, Sandbox};
use serde_json::{Map, Value};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<F: FnMut()>(iters: usize, mut f: F) -> Duration {
    for _ in 0..iters.div_ceil(10) {
        f();
    }
    median(
        (0..iters)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn stream(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            let obj = serde_json::json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": format!("app-{i}"), "namespace": "prod", "labels": {"app": format!("app-{i}")}},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": format!("app-{i}")}},
                         "template": {"metadata": {"labels": {"app": format!("app-{i}")}},
                                      "spec": {"containers": [{"name": "app", "image": "ghcr.io/x/app:1.0", "ports": [{"containerPort": 8080}]}]}}}
            });
            Document { content: serde_json::to_vec(&obj).unwrap_or_default(), origin: format!("chart/templates/app-{i}.yaml") }
        })
        .collect()
}

/// The label transform, natively: what the Rust example plugin does inside the sandbox.
fn native_label(docs: &[Document], key: &str, value: &str) -> Vec<Document> {
    docs.iter()
        .map(|d| {
            let mut v: Value = serde_json::from_slice(&d.content).unwrap_or(Value::Null);
            if let Some(root) = v.as_object_mut() {
                let md = root.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
                if let Some(md) = md.as_object_mut() {
                    let labels = md.entry("labels").or_insert_with(|| Value::Object(Map::new()));
                    if let Some(l) = labels.as_object_mut() {
                        l.insert(key.to_owned(), Value::String(value.to_owned()));
                    }
                }
            }
            Document { content: serde_json::to_vec(&v).unwrap_or_default(), origin: d.origin.clone() }
        })
        .collect()
}

fn main() {
    let cache_dir = tempfile::tempdir().expect("tmp");
    let rt = Runtime::with_cache(Some(ComponentCache::new(cache_dir.path()))).expect("runtime");

    // Compile vs cached load.
    let label_path = support::label_rust();
    let t = Instant::now();
    let label = rt.load_file(label_path, Sandbox::default()).expect("load label");
    let cold_load = t.elapsed();
    let warm_load = time(20, || {
        rt.load_file(label_path, Sandbox::default()).expect("load label");
    });

    // Instantiate + call a trivial post-renderer (pass-through of one small object).
    let trivial = rt.load_file(support::hostile(), Sandbox::default()).expect("load fixture");
    let one = stream(1);
    let call = time(2000, || {
        trivial.post_render(&one, "").expect("call");
    });

    // Throughput: label plugin vs native on 10,000 objects.
    let docs = stream(10_000);
    let bytes: usize = docs.iter().map(|d| d.content.len()).sum();
    let wasm = time(7, || {
        let out = label.post_render(&docs, "team=web").expect("label");
        assert_eq!(out.len(), docs.len());
    });
    let native = time(7, || {
        let out = native_label(&docs, "team", "web");
        assert_eq!(out.len(), docs.len());
    });

    println!("kiln plugin runtime benchmarks (median)");
    println!("{:<58} {:>12}", "measurement", "time");
    println!("{:<58} {:>12.1?}", "load label plugin, cold (Cranelift compile + cache write)", cold_load);
    println!("{:<58} {:>12.1?}", "load label plugin, warm (from compiled cache)", warm_load);
    println!("{:<58} {:>12.1?}", "instantiate + call trivial post-renderer (1 object)", call);
    println!("{:<58} {:>12.1?}", "label 10,000 objects in the sandbox (Rust plugin)", wasm);
    println!("{:<58} {:>12.1?}", "label 10,000 objects natively (same transform)", native);
    let mib = bytes as f64 / (1 << 20) as f64;
    println!(
        "ratio sandbox/native: {:.2}x  ({:.1} MiB/s in the sandbox, {:.1} MiB/s native)",
        wasm.as_secs_f64() / native.as_secs_f64(),
        mib / wasm.as_secs_f64(),
        mib / native.as_secs_f64()
    );
    println!("ratio compile/cached load: {:.0}x", cold_load.as_secs_f64() / warm_load.as_secs_f64());
}
