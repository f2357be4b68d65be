//! Loading and emitting speed on documents shaped like the big inputs kiln meets: a chart repository
//! `index.yaml` (tens of MB) and a large values file.
//!
//! Run with `cargo bench -p kiln-yaml`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// A synthetic repository index: `entries` charts with `versions` versions each.
fn index_yaml(entries: usize, versions: usize) -> String {
    let mut s = String::from("apiVersion: v1\nentries:\n");
    for e in 0..entries {
        s.push_str(&format!("  chart-{e}:\n"));
        for v in 0..versions {
            s.push_str(&format!(
                "  - annotations:\n      category: Infrastructure\n      licenses: Apache-2.0\n    apiVersion: v2\n    \
                 appVersion: {v}.{e}.0\n    created: \"2024-0{m}-1{d}T10:2{d}:33.123456789Z\"\n    dependencies:\n    \
                 - name: common\n      repository: oci://registry-1.docker.io/bitnamicharts\n      tags:\n      \
                 - bitnami-common\n      version: 2.x.x\n    description: Chart number {e} version {v} deploys a \
                 thing that does something useful on Kubernetes clusters of every size.\n    digest: \
                 {e:08x}{v:08x}e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n    home: \
                 https://example.com/charts/{e}\n    icon: https://example.com/icons/{e}.svg\n    keywords:\n    - \
                 chart{e}\n    - infra\n    maintainers:\n    - name: Team {e}\n      url: \
                 https://github.com/example\n    name: chart-{e}\n    sources:\n    - https://github.com/example/{e}\n    \
                 urls:\n    - https://charts.example.com/chart-{e}-{v}.{e}.{v}.tgz\n    version: {v}.{e}.{v}\n",
                m = 1 + v % 9,
                d = v % 10,
            ));
        }
    }
    s.push_str("generated: \"2024-06-01T00:00:00Z\"\n");
    s
}

/// A values file: nested maps, lists, block scalars, numbers and booleans.
fn values_yaml(sections: usize) -> String {
    let mut s = String::new();
    for i in 0..sections {
        s.push_str(&format!(
            "component{i}:\n  enabled: yes\n  replicaCount: {i}\n  image:\n    repository: registry.example.com/c{i}\n    \
             tag: \"1.{i}.0\"\n    pullPolicy: IfNotPresent\n  resources:\n    limits: {{cpu: 500m, memory: 512Mi}}\n    \
             requests:\n      cpu: 0.25\n      memory: 256Mi\n  env:\n  - name: A\n    value: \"x\"\n  - name: B\n    \
             valueFrom:\n      secretKeyRef: {{name: s{i}, key: k}}\n  config: |\n    line one {i}\n    line two\n  \
             annotations:\n    example.com/long: a rather long annotation value that will need folding when printed \
             by the emitter at eighty columns\n"
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let index = index_yaml(400, 25);
    let values = values_yaml(2000);
    let index_value = kiln_yaml::from_str(&index).expect("index loads");
    let values_value = kiln_yaml::from_str(&values).expect("values load");

    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(index.len() as u64));
    g.bench_function("index.yaml", |b| b.iter(|| kiln_yaml::from_str(black_box(&index))));
    g.throughput(Throughput::Bytes(values.len() as u64));
    g.bench_function("values.yaml", |b| b.iter(|| kiln_yaml::from_str(black_box(&values))));
    g.finish();

    let mut g = c.benchmark_group("emit");
    g.sample_size(10);
    g.bench_function("index.yaml toYaml", |b| b.iter(|| kiln_yaml::to_helm_yaml(black_box(&index_value))));
    g.bench_function("values.yaml toYaml", |b| b.iter(|| kiln_yaml::to_helm_yaml(black_box(&values_value))));
    g.bench_function("values.yaml toYamlPretty", |b| {
        b.iter(|| kiln_yaml::to_helm_yaml_pretty(black_box(&values_value)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
