//! Apply 50 strategic merge patches and 50 JSON patches to a stream of 2,000 objects
//! (500 each of Deployments, Services, ConfigMaps and ServiceAccounts).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kiln_yaml::Value;
use std::hint::black_box;

fn objects() -> Vec<Value> {
    let mut out = Vec::with_capacity(2000);
    for i in 0..500 {
        let deploy = format!(
            r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"app-{i}","namespace":"ns",
            "labels":{{"app":"app-{i}","tier":"t{t}"}}}},"spec":{{"replicas":2,"selector":{{"matchLabels":{{"app":"app-{i}"}}}},
            "template":{{"metadata":{{"labels":{{"app":"app-{i}"}}}},"spec":{{"containers":[
              {{"name":"main","image":"registry.example.com/app:{i}","args":["--port=8080","--v=2"],
                "env":[{{"name":"A","value":"1"}},{{"name":"B","value":"2"}},{{"name":"C","value":"3"}}],
                "ports":[{{"containerPort":8080,"name":"http"}},{{"containerPort":9090,"protocol":"TCP","name":"metrics"}}],
                "volumeMounts":[{{"name":"cfg","mountPath":"/etc/cfg"}}],
                "resources":{{"limits":{{"cpu":"1","memory":"1Gi"}},"requests":{{"cpu":"100m"}}}}}},
              {{"name":"sidecar","image":"proxy:1","ports":[{{"containerPort":15000}}]}}],
            "volumes":[{{"name":"cfg","configMap":{{"name":"cfg-{i}"}}}}],
            "tolerations":[{{"key":"k","operator":"Exists"}}]}}}}}}}}"#,
            t = i % 3
        );
        out.push(serde_json::from_str(&deploy).unwrap());
        out.push(
            serde_json::from_str(&format!(
                r#"{{"apiVersion":"v1","kind":"Service","metadata":{{"name":"app-{i}","namespace":"ns"}},
                "spec":{{"selector":{{"app":"app-{i}"}},"ports":[{{"name":"http","port":80,"targetPort":8080}}]}}}}"#
            ))
            .unwrap(),
        );
        out.push(
            serde_json::from_str(&format!(
                r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"cfg-{i}","namespace":"ns"}},
                "data":{{"a":"1","b":"2"}}}}"#
            ))
            .unwrap(),
        );
        out.push(
            serde_json::from_str(&format!(
                r#"{{"apiVersion":"v1","kind":"ServiceAccount","metadata":{{"name":"app-{i}","namespace":"ns"}}}}"#
            ))
            .unwrap(),
        );
    }
    out
}

fn config() -> kpatch::Config {
    let mut patches = Vec::new();
    for i in 0..50 {
        let n = i * 10;
        let smp = format!(
            r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"app-{n}","namespace":"ns"}},
            "spec":{{"template":{{"spec":{{"containers":[{{"name":"main","image":"registry.example.com/app:new",
            "env":[{{"name":"B","value":"20"}},{{"name":"D","value":"4"}}],
            "ports":[{{"containerPort":8080,"name":"web"}}]}},{{"name":"extra","image":"extra:1"}}]}}}}}}}}"#
        );
        patches.push(serde_json::json!({ "patch": smp }));
        let json = r#"[{"op":"replace","path":"/spec/ports/0/port","value":8080},
                       {"op":"add","path":"/metadata/annotations","value":{"patched":"yes"}}]"#;
        patches.push(
            serde_json::json!({ "patch": json, "target": { "kind": "Service", "name": format!("app-{}", n + 5) } }),
        );
    }
    let cfg: Value = serde_json::from_value(serde_json::json!({ "patches": patches })).unwrap();
    kpatch::Config::from_value(&cfg).unwrap()
}

fn bench(c: &mut Criterion) {
    let objs = objects();
    let cfg = config();
    let out = kpatch::apply(&cfg, objs.clone()).unwrap();
    assert_eq!(out.len(), 2000);
    assert_eq!(out.iter().filter(|r| r.changed).count(), 100);
    c.bench_function("50 strategic + 50 JSON patches on 2000 objects", |b| {
        b.iter_batched(|| objs.clone(), |o| kpatch::apply(black_box(&cfg), o).unwrap(), BatchSize::LargeInput)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
