//! Helm HTTPS repository against a real nginx on loopback (TLS from a test CA, basic auth), with charts packaged and
//! indexed by the reference `helm`, and version choices compared with `helm pull` on the same server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use kiln_source::{Error, Fetcher, RefFlags, SourceRef};
use support::*;

fn repo_ref(url: &str, chart: &str, version: Option<&str>) -> SourceRef {
    let flags = RefFlags { repo: Some(url.to_owned()), version: version.map(str::to_owned), devel: false };
    SourceRef::parse(chart, &flags).unwrap()
}

fn fetch(opts: &kiln_source::FetchOptions, r: &SourceRef) -> Result<kiln_source::Fetched, Error> {
    Fetcher::new(opts.clone())?.fetch(r)
}

fn no_secret_in(dir: &Path) {
    for entry in walk(dir) {
        let data = std::fs::read(&entry).unwrap_or_default();
        assert!(!data.windows(PASS.len()).any(|w| w == PASS.as_bytes()), "password found in {}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
        }
    }
    out
}

#[test]
fn helm_repository_over_https() {
    let Some(_) = require(&["nginx", "htpasswd"]) else { return };
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (dir, root, home) = (tmp.path().join("srv"), tmp.path().join("root"), tmp.path().join("home"));
    for d in [&dir, &root, &home] {
        std::fs::create_dir_all(d).unwrap();
    }
    let pki = make_pki(&dir);
    let charts = root.join("charts");
    for v in ["1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0", "0.9.0"] {
        let c = write_chart(tmp.path(), "demo", v, &[]);
        package(&helm, &home, &c, &charts);
    }
    let big = write_chart(tmp.path(), "big", "1.0.0", &[("files/noise.bin", &noise(600 << 10, 7))]);
    package(&helm, &home, &big, &charts);
    run_helm(&helm, &home, &["repo", "index", charts.to_str().unwrap()]);
    let mut nginx = Nginx::start(&dir, &root, "128k");
    // A repository whose index points at another host (localhost instead of 127.0.0.1) for the same files.
    let abs = charts.join("abs");
    std::fs::create_dir_all(&abs).unwrap();
    std::fs::copy(charts.join("demo-1.0.0.tgz"), abs.join("demo-1.0.0.tgz")).unwrap();
    run_helm(
        &helm,
        &home,
        &["repo", "index", abs.to_str().unwrap(), "--url", &format!("https://localhost:{}/charts/abs", nginx.port)],
    );
    // A repository whose index carries a wrong digest.
    let bad = charts.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::copy(charts.join("demo-1.0.0.tgz"), bad.join("demo-1.0.0.tgz")).unwrap();
    run_helm(&helm, &home, &["repo", "index", bad.to_str().unwrap()]);
    let real = sha256_file(&bad.join("demo-1.0.0.tgz"));
    let real_hex = real.trim_start_matches("sha256:");
    let idx = std::fs::read_to_string(bad.join("index.yaml")).unwrap();
    assert!(idx.contains(real_hex));
    std::fs::write(bad.join("index.yaml"), idx.replace(real_hex, &"0".repeat(64))).unwrap();

    let repo = nginx.url("charts");
    let cache = tmp.path().join("cache");
    let opts = options(&cache, &pki.ca, true);

    // 1. Version ranges resolve as `helm pull` resolves them on the same server.
    let pulled = tmp.path().join("pulled");
    for (i, c) in ["^1", "~1.0", ">=1.0.0 <2", "1.x", "*", "2.0.0", ">=1.2.0-0", "<1 || >=2", "1.1", "<=1.1, >0.9"]
        .into_iter()
        .enumerate()
    {
        let kiln = fetch(&opts, &repo_ref(&repo, "demo", Some(c))).unwrap_or_else(|e| panic!("{c}: {e}"));
        let out_dir = pulled.join(i.to_string());
        std::fs::create_dir_all(&out_dir).unwrap();
        run_helm(
            &helm,
            &home,
            &[
                "pull",
                "demo",
                "--repo",
                &repo,
                "--version",
                c,
                "--ca-file",
                pki.ca.to_str().unwrap(),
                "--username",
                USER,
                "--password",
                PASS,
                "-d",
                out_dir.to_str().unwrap(),
            ],
        );
        let name = std::fs::read_dir(&out_dir).unwrap().next().unwrap().unwrap().file_name().into_string().unwrap();
        let helm_version = name.trim_start_matches("demo-").trim_end_matches(".tgz").to_owned();
        assert_eq!(kiln.chart_version.as_deref(), Some(helm_version.as_str()), "constraint {c:?}");
        assert_eq!(kiln.digest, sha256_file(&out_dir.join(&name)), "same bytes as helm pull for {c:?}");
    }

    // 2. Revision and digest as reported, files relative to the chart root.
    let f = fetch(&opts, &repo_ref(&repo, "demo", None)).unwrap();
    let served = sha256_file(&charts.join("demo-2.0.0.tgz"));
    assert_eq!(f.revision, format!("2.0.0@{served}"));
    assert_eq!(f.digest, served);
    let paths: Vec<_> = f.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["Chart.yaml", "templates/cm.yaml", "values.yaml"]);

    // 2b. A corrupt cache entry is discarded and fetched again.
    let blob = cache.join("sources/blobs/sha256").join(served.trim_start_matches("sha256:"));
    std::fs::write(&blob, b"not the chart").unwrap();
    let again = fetch(&opts, &repo_ref(&repo, "demo", None)).unwrap();
    assert_eq!(again.digest, served);
    assert_eq!(sha256_file(&blob), served, "the entry was restored");

    // 3. The index is revalidated with ETag / If-Modified-Since: the server answers 304.
    let count = || nginx.log_count("\"GET /charts/index.yaml HTTP/1.1\" 304");
    let settle = |n: &dyn Fn() -> usize| {
        let mut last = n();
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(50));
            let now = n();
            if now == last {
                break;
            }
            last = now;
        }
        last
    };
    let before = settle(&count);
    assert!(before >= 9, "repeated fetches revalidated the index ({before} 304s)");
    fetch(&opts, &repo_ref(&repo, "demo", Some("1.0.0"))).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(settle(&count), before + 1);

    // 4. Offline: answered from the cache; a fresh cache cannot answer.
    let offline = kiln_source::FetchOptions { offline: true, ..opts.clone() };
    let o = fetch(&offline, &repo_ref(&repo, "demo", Some("^1"))).unwrap();
    assert_eq!(o.chart_version.as_deref(), Some("1.1.0"));
    let empty = kiln_source::FetchOptions { cache_root: Some(tmp.path().join("empty-cache")), ..offline.clone() };
    assert!(matches!(fetch(&empty, &repo_ref(&repo, "demo", None)), Err(Error::NotCached(_))));

    // 5. A digest in the index that does not match the archive is refused and nothing enters the cache.
    let cache5 = tmp.path().join("cache5");
    let err = fetch(&options(&cache5, &pki.ca, true), &repo_ref(&nginx.url("charts/bad"), "demo", None)).unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    assert!(!blobs(&cache5).contains(&real_hex.to_owned()), "a chart with the wrong digest was cached");
    assert_eq!(temp_files(&cache5), 0);

    // 6. Bad or missing credentials: a clear authentication error that does not echo the password.
    let mut wrong = options(&tmp.path().join("cache6"), &pki.ca, true);
    wrong.connection.password = Some(kiln_source::Secret::new("nope-wrong"));
    let err = fetch(&wrong, &repo_ref(&repo, "demo", None)).unwrap_err();
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err}");
    assert!(err.to_string().contains("authentication failed") && !err.to_string().contains("nope-wrong"), "{err}");
    let anon = options(&tmp.path().join("cache6"), &pki.ca, false);
    assert!(matches!(fetch(&anon, &repo_ref(&repo, "demo", None)), Err(Error::Auth { .. })));

    // 7. Credentials written into the repository URL work, and never show up in errors or the cache.
    let with_userinfo = format!("https://{USER}:{PASS}@127.0.0.1:{}/charts", nginx.port);
    let f7 = fetch(&anon, &repo_ref(&with_userinfo, "demo", Some("0.9.0"))).unwrap();
    assert!(!f7.source.contains(PASS), "{}", f7.source);

    // 8. Untrusted certificates are refused: another CA, and the system store.
    let other = options(&tmp.path().join("cache8"), &pki.other_ca, true);
    let err = fetch(&other, &repo_ref(&repo, "demo", None)).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err}");
    let mut system = options(&tmp.path().join("cache8"), &pki.ca, true);
    system.connection.ca_file = None;
    assert!(matches!(fetch(&system, &repo_ref(&repo, "demo", None)), Err(Error::Tls { .. })));
    // ... unless verification is explicitly skipped.
    system.connection.insecure_skip_tls_verify = true;
    fetch(&system, &repo_ref(&repo, "demo", Some("1.0.0"))).unwrap();

    // 9. Credentials are not sent to another host (the index's absolute URL), unless --pass-credentials.
    let abs_repo = nginx.url("charts/abs");
    let cache9 = tmp.path().join("cache9");
    let err = fetch(&options(&cache9, &pki.ca, true), &repo_ref(&abs_repo, "demo", None)).unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    let mut pass = options(&cache9, &pki.ca, true);
    pass.connection.pass_credentials = true;
    assert_eq!(fetch(&pass, &repo_ref(&abs_repo, "demo", None)).unwrap().chart_version.as_deref(), Some("1.0.0"));

    // 10. A chart archive URL.
    let direct = SourceRef::parse(&nginx.url("public/demo-1.1.0.tgz"), &RefFlags::default()).unwrap();
    let d = fetch(&opts, &direct).unwrap();
    assert_eq!(d.revision, format!("1.1.0@{}", sha256_file(&charts.join("demo-1.1.0.tgz"))));

    // 11. The server dies mid-download: the fetch fails, nothing enters the cache; a later fetch succeeds.
    let slow_repo = nginx.url("slow");
    let big_digest = sha256_file(&charts.join("big-1.0.0.tgz"));
    let big_hex = big_digest.trim_start_matches("sha256:").to_owned();
    let cache11 = tmp.path().join("cache11");
    let o11 = options(&cache11, &pki.ca, false);
    let handle = {
        let (o, r) = (o11.clone(), repo_ref(&slow_repo, "big", None));
        std::thread::spawn(move || fetch(&o, &r))
    };
    std::thread::sleep(Duration::from_millis(1500));
    nginx.kill();
    let err = handle.join().unwrap().unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err}");
    assert!(!blobs(&cache11).contains(&big_hex), "partial download entered the cache");
    assert_eq!(temp_files(&cache11), 0, "temporary file left behind");
    nginx.restart();
    let ok = fetch(&o11, &repo_ref(&slow_repo, "big", None)).unwrap();
    assert_eq!(ok.digest, big_digest);
    // With retries, a server that comes back during the backoff is picked up by the same fetch.
    let cache11b = tmp.path().join("cache11b");
    let mut o11b = options(&cache11b, &pki.ca, false);
    o11b.connection.retries = 3;
    o11b.connection.backoff = Duration::from_millis(700);
    let handle = {
        let (o, r) = (o11b.clone(), repo_ref(&slow_repo, "big", None));
        std::thread::spawn(move || fetch(&o, &r))
    };
    std::thread::sleep(Duration::from_millis(1500));
    nginx.kill();
    nginx.restart();
    let ok = handle.join().unwrap().unwrap();
    assert_eq!(ok.digest, big_digest);

    // 12. Concurrent fetches into one cache (as several kiln processes would) all succeed with one blob per digest.
    let cache12 = tmp.path().join("cache12");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (o, r) = (options(&cache12, &pki.ca, true), repo_ref(&repo, "demo", Some("^1")));
            std::thread::spawn(move || fetch(&o, &r).map(|f| f.digest))
        })
        .collect();
    let digests: Vec<String> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
    assert!(digests.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(temp_files(&cache12), 0);
    let cache = kiln_source::Cache::open(&cache12).unwrap();
    assert_eq!(cache.list().unwrap().len(), 2, "one index record and one chart record");
    let pruned = cache.prune(&kiln_source::PruneOptions::default()).unwrap();
    assert_eq!((pruned.entries, pruned.blobs), (2, 2));

    // 13. Mutual TLS: the server requires a client certificate (--cert-file/--key-file).
    let mtls_repo = format!("https://127.0.0.1:{}/charts", nginx.mtls_port);
    let mut no_cert = options(&tmp.path().join("cache13"), &pki.ca, false);
    let err = fetch(&no_cert, &repo_ref(&mtls_repo, "demo", None)).unwrap_err();
    assert!(matches!(err, Error::HttpStatus { status: 400, .. } | Error::Tls { .. } | Error::Network { .. }), "{err}");
    no_cert.connection.cert_file = Some(pki.client_cert.clone());
    assert!(matches!(fetch(&no_cert, &repo_ref(&mtls_repo, "demo", None)), Err(Error::Config(_))), "cert without key");
    no_cert.connection.key_file = Some(pki.client_key.clone());
    assert_eq!(fetch(&no_cert, &repo_ref(&mtls_repo, "demo", None)).unwrap().chart_version.as_deref(), Some("2.0.0"));

    // 14. No credential reached any cache.
    for e in std::fs::read_dir(tmp.path()).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("cache") {
            no_secret_in(&e.path());
        }
    }
}
