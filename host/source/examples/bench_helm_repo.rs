//! Benchmark: resolve and fetch one chart from a local HTTPS Helm repository whose index holds 20,000 entries, with
//! kiln (cold cache each run, and warm) against `helm pull` on the same nginx server in the same run. Prints the
//! medians and the ratios.
//!
//! Needs nginx and htpasswd (Debian: nginx-light, apache2-utils) and the reference helm (`KILN_REF_HELM`, else
//! /work/ref/bin/helm). Run: `cargo run --release -p kiln-source --example bench_helm_repo [RUNS]`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kiln_source::{Fetcher, RefFlags, SourceRef};
use support::*;

const ENTRIES: usize = 20_000;
const VERSIONS_PER_CHART: usize = 10;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// An index shaped like `helm repo index` output: 2,000 charts x 10 versions, the real chart's entry in the middle.
fn synthetic_index(real_entry: &str) -> String {
    let mut out = String::from("apiVersion: v1\nentries:\n");
    let charts = ENTRIES / VERSIONS_PER_CHART;
    let entry = |out: &mut String, name: &str, i: usize, v: usize| {
        let _ = write!(
            out,
            "  - annotations:\n      category: Infrastructure\n      licenses: Apache-2.0\n    apiVersion: v2\n    \
             appVersion: {v}.{i}.0\n    created: \"2025-0{m}-1{d}T10:11:12.123456789Z\"\n    dependencies:\n    - name: common\n      \
             repository: oci://registry.example.com/charts\n      tags:\n      - bitnami-common\n      version: 2.x.x\n    \
             description: {name} is a synthetic chart used to make a large index; it deploys nothing in particular\n      \
             and wraps onto a second line like real descriptions do.\n    digest: {digest:064x}\n    home: https://example.com/{name}\n    \
             icon: https://example.com/{name}/icon.svg\n    keywords:\n    - {name}\n    - synthetic\n    - benchmark\n    \
             maintainers:\n    - name: Kiln Maintainers\n      url: https://example.com/team\n    name: {name}\n    sources:\n    \
             - https://github.com/example/{name}\n    type: application\n    urls:\n    - https://charts.example.com/{name}-{v}.{i}.0.tgz\n    \
             version: {v}.{i}.0\n",
            m = 1 + v % 9,
            d = i % 10,
            digest = (i * 31 + v) as u128 * 0x9e37_79b9_7f4a_7c15,
        );
    };
    let emit = |out: &mut String, range: std::ops::Range<usize>, prefix: &str| {
        for i in range {
            let name = format!("{prefix}-{i:05}");
            let _ = writeln!(out, "  {name}:");
            for v in (0..VERSIONS_PER_CHART).rev() {
                entry(out, &name, i, v);
            }
        }
    };
    emit(&mut out, 0..charts / 2, "alpha");
    out.push_str(real_entry);
    emit(&mut out, charts / 2..charts, "zulu");
    out.push_str("generated: \"2025-06-01T00:00:00Z\"\n");
    out
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    if require(&["nginx", "htpasswd"]).is_none() {
        return;
    }
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, root, home) = (tmp.path().join("srv"), tmp.path().join("root"), tmp.path().join("home"));
    for d in [&dir, &root.join("charts"), &home] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let pki = make_pki(&dir);
    let charts = root.join("charts");
    for v in ["1.2.3", "1.3.0", "2.0.0"] {
        let c = write_chart(tmp.path(), "target", v, &[]);
        package(&helm, &home, &c, &charts);
    }
    run_helm(&helm, &home, &["repo", "index", charts.to_str().expect("utf-8")]);
    let real = std::fs::read_to_string(charts.join("index.yaml")).expect("index");
    let start = real.find("  target:").expect("target entry");
    let end = real.find("generated:").expect("generated");
    let index = synthetic_index(&real[start..end]);
    std::fs::write(charts.join("index.yaml"), &index).expect("write index");
    let entries = index.matches("\n    version: ").count();
    println!("index: {entries} entries, {:.1} MiB", index.len() as f64 / (1 << 20) as f64);
    let base = url::Url::parse("https://repo.test/charts").expect("url");
    let t = Instant::now();
    let found = kiln_source::helm_repo::chart_entries(index.as_bytes(), "target", &base).expect("scan");
    println!("index scan for one chart: {:.1} ms ({} versions)", t.elapsed().as_secs_f64() * 1e3, found.len());
    let nginx = Nginx::start(&dir, &root, "0");
    let repo = nginx.url("charts");
    let version = "^1";

    // helm pull (always downloads and parses the whole index).
    let mut helm_times = Vec::new();
    for i in 0..runs {
        let out = tmp.path().join(format!("helm-{i}"));
        std::fs::create_dir_all(&out).expect("mkdir");
        let t = Instant::now();
        let status = Command::new(&helm)
            .args(["pull", "target", "--repo", &repo, "--version", version, "--ca-file"])
            .arg(&pki.ca)
            .args(["--username", USER, "--password", PASS, "-d"])
            .arg(&out)
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .status()
            .expect("helm");
        helm_times.push(t.elapsed());
        assert!(status.success(), "helm pull failed");
        assert!(out.join("target-1.3.0.tgz").is_file(), "helm chose another version");
    }

    let source =
        SourceRef::parse("target", &RefFlags { repo: Some(repo.clone()), version: Some(version.into()), devel: false })
            .expect("reference");
    let fetch_once = |cache: &Path| {
        let t = Instant::now();
        let f = Fetcher::new(options(cache, &pki.ca, true)).and_then(|f| f.fetch(&source)).expect("kiln fetch");
        let el = t.elapsed();
        assert_eq!(f.chart_version.as_deref(), Some("1.3.0"));
        el
    };
    // kiln, cold cache every run (downloads the index like helm does).
    let cold: Vec<Duration> = (0..runs).map(|i| fetch_once(&tmp.path().join(format!("cold-{i}")))).collect();
    // kiln, warm cache (index revalidated with If-None-Match: 304; chart already verified in the cache).
    let warm_cache = tmp.path().join("warm");
    fetch_once(&warm_cache);
    let warm: Vec<Duration> = (0..runs).map(|_| fetch_once(&warm_cache)).collect();

    let (h, c, w) = (median(helm_times), median(cold), median(warm));
    println!("helm pull            median {:>8.1} ms", h.as_secs_f64() * 1e3);
    println!(
        "kiln fetch (cold)    median {:>8.1} ms   {:.1}x faster",
        c.as_secs_f64() * 1e3,
        h.as_secs_f64() / c.as_secs_f64()
    );
    println!(
        "kiln fetch (warm)    median {:>8.1} ms   {:.1}x faster",
        w.as_secs_f64() * 1e3,
        h.as_secs_f64() / w.as_secs_f64()
    );
    println!("ratio (cold) {:.2}", h.as_secs_f64() / c.as_secs_f64());
}
