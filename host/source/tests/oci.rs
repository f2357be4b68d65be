//! OCI registry against Debian's docker-registry (distribution 2.8) on loopback with TLS from a test CA and htpasswd
//! auth; charts pushed by the reference `helm push`, version choices compared with `helm pull`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use base64::Engine as _;
use kiln_source::{Error, FetchOptions, Fetcher, RefFlags, SourceRef};
use support::*;

fn oci(reference: &str, version: Option<&str>) -> SourceRef {
    let flags = RefFlags { repo: None, version: version.map(str::to_owned), devel: false };
    SourceRef::parse(reference, &flags).unwrap_or_else(|e| panic!("{reference}: {e}"))
}

fn fetch(opts: &FetchOptions, r: &SourceRef) -> Result<kiln_source::Fetched, Error> {
    Fetcher::new(opts.clone())?.fetch(r)
}

#[test]
fn oci_registry_with_tls_and_auth() {
    let Some(_) = require(&["docker-registry", "htpasswd"]) else { return };
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (dir, home) = (tmp.path().join("srv"), tmp.path().join("home"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let pki = make_pki(&dir);
    let mut registry = Registry::start(&dir);
    let host = registry.host();
    let pkgs = tmp.path().join("pkgs");
    let mut manifest_digests = std::collections::HashMap::new();
    let mut push = |dir: &std::path::Path, name: &str, version: &str, extra: &[(&str, &[u8])]| {
        let c = write_chart(dir, name, version, extra);
        let tgz = package(&helm, &home, &c, &pkgs);
        let out = run_helm(
            &helm,
            &home,
            &[
                "push",
                tgz.to_str().unwrap(),
                &format!("oci://{host}/charts"),
                "--ca-file",
                pki.ca.to_str().unwrap(),
                "--username",
                USER,
                "--password",
                PASS,
            ],
        );
        let digest = out.lines().find_map(|l| l.strip_prefix("Digest: ")).expect("helm push prints the digest");
        manifest_digests.insert(format!("{name}-{version}"), digest.trim().to_owned());
    };
    for v in ["0.5.0", "1.0.0", "1.1.0", "1.2.0+build.5", "2.0.0-rc.1"] {
        push(tmp.path(), "demo", v, &[]);
    }
    push(tmp.path(), "big", "1.0.0", &[("files/noise.bin", &noise(600 << 10, 11))]);

    let cache = tmp.path().join("cache");
    let opts = options(&cache, &pki.ca, true);
    let demo = format!("oci://{host}/charts/demo");

    // 1. Version ranges over tags resolve as `helm pull` resolves them (tags with `_` for `+`).
    let cases = [
        None,
        Some("^1"),
        Some("~1.0"),
        Some("1.1.0"),
        Some(">=2.0.0-0"),
        Some("<1"),
        Some("1.2.0+build.5"),
        Some("1.x || >=2"),
    ];
    for (i, c) in cases.into_iter().enumerate() {
        let kiln = fetch(&opts, &oci(&demo, c)).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let out_dir = tmp.path().join("pulled").join(i.to_string());
        std::fs::create_dir_all(&out_dir).unwrap();
        let mut args = vec![
            "pull".to_owned(),
            demo.clone(),
            "--ca-file".into(),
            pki.ca.display().to_string(),
            "--username".into(),
            USER.into(),
            "--password".into(),
            PASS.into(),
            "-d".into(),
            out_dir.display().to_string(),
        ];
        if let Some(c) = c {
            args.push("--version".into());
            args.push(c.into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_helm(&helm, &home, &args);
        let name = std::fs::read_dir(&out_dir).unwrap().next().unwrap().unwrap().file_name().into_string().unwrap();
        let helm_version = name.trim_start_matches("demo-").trim_end_matches(".tgz").to_owned();
        assert_eq!(kiln.chart_version.as_deref(), Some(helm_version.as_str()), "version {c:?}");
        assert_eq!(kiln.digest, sha256_file(&out_dir.join(&name)), "same chart bytes as helm pull for {c:?}");
        let manifest = &manifest_digests[&format!("demo-{helm_version}")];
        assert_eq!(kiln.revision, format!("{helm_version}@{manifest}"), "Flux-style revision");
    }

    // 2. Pinned by digest.
    let pinned_digest = manifest_digests["demo-1.1.0"].clone();
    let pinned = oci(&format!("{demo}@{pinned_digest}"), None);
    let p = fetch(&options(&tmp.path().join("cache2"), &pki.ca, true), &pinned).unwrap();
    assert_eq!(p.chart_version.as_deref(), Some("1.1.0"));
    assert!(p.revision.ends_with(&format!("@{pinned_digest}")));

    // 3. A wrong digest is refused; so is a tag that does not point at the pinned digest.
    let wrong = oci(&format!("{demo}@sha256:{}", "0".repeat(64)), None);
    let err = fetch(&opts, &wrong).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err}");
    let mismatch = oci(&format!("{demo}:1.0.0@{pinned_digest}"), None);
    let err = fetch(&options(&tmp.path().join("cache3"), &pki.ca, true), &mismatch).unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");

    // 4. Bad or missing credentials.
    let mut bad = options(&tmp.path().join("cache4"), &pki.ca, true);
    bad.connection.password = Some(kiln_source::Secret::new("wrong-one"));
    let err = fetch(&bad, &oci(&demo, Some("1.0.0"))).unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    assert!(!err.to_string().contains("wrong-one"));
    let anon = options(&tmp.path().join("cache4"), &pki.ca, false);
    let mut anon_isolated = anon.clone();
    anon_isolated.connection.registry_config = Some(tmp.path().join("no-such-config.json"));
    let err = fetch(&anon_isolated, &oci(&demo, Some("1.0.0"))).unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");

    // 5. Credentials from a registry config file (Docker's format, as `helm registry login` writes it).
    let cfg = tmp.path().join("registry-config.json");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASS}"));
    std::fs::write(&cfg, format!(r#"{{"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#)).unwrap();
    let mut from_cfg = anon.clone();
    from_cfg.connection.registry_config = Some(cfg);
    assert_eq!(fetch(&from_cfg, &oci(&demo, Some("0.5.0"))).unwrap().chart_version.as_deref(), Some("0.5.0"));

    // 6. Untrusted certificate.
    let err = fetch(&options(&tmp.path().join("cache6"), &pki.other_ca, true), &oci(&demo, None)).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err}");

    // 7. The connection dies mid-download (a relay cuts it after 100 KiB): nothing enters the cache, and a second
    //    fetch succeeds.
    let relay = CutRelay::start(registry.port, 100 << 10);
    let big = format!("oci://127.0.0.1:{}/charts/big", relay.port);
    let cache7 = tmp.path().join("cache7");
    let err = fetch(&options(&cache7, &pki.ca, true), &oci(&big, Some("1.0.0"))).unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err}");
    assert_eq!(relay.cuts.load(std::sync::atomic::Ordering::SeqCst), 1);
    let before = blobs(&cache7);
    assert_eq!(temp_files(&cache7), 0);
    let ok = fetch(&options(&cache7, &pki.ca, true), &oci(&big, Some("1.0.0"))).unwrap();
    let layer_hex = ok.digest.trim_start_matches("sha256:").to_owned();
    assert!(!before.contains(&layer_hex), "the interrupted layer had entered the cache");
    assert!(blobs(&cache7).contains(&layer_hex));

    // 8. Offline from the cache; a fresh cache cannot answer.
    let offline = FetchOptions { offline: true, ..opts.clone() };
    assert_eq!(fetch(&offline, &oci(&demo, Some("1.1.0"))).unwrap().chart_version.as_deref(), Some("1.1.0"));
    let fresh = FetchOptions { cache_root: Some(tmp.path().join("fresh")), ..offline };
    assert!(matches!(fetch(&fresh, &oci(&demo, Some("1.1.0"))), Err(Error::NotCached(_))));

    // 9. A warm pinned-digest fetch needs no network at all: it works with the registry stopped (online mode).
    registry.proc.terminate();
    std::thread::sleep(Duration::from_millis(100));
    let again = fetch(&options(&tmp.path().join("cache2"), &pki.ca, true), &pinned).unwrap();
    assert_eq!(again.revision, p.revision);
    assert_eq!(again.digest, p.digest);
}
