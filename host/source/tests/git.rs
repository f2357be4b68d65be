//! Git sources against a real `git http-backend` behind nginx + fcgiwrap on loopback (TLS from a test CA, basic
//! auth), and over `file://`. Expected commits come from the real `git rev-parse`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kiln_source::{Error, FetchOptions, Fetcher, RefFlags, SourceRef};
use support::*;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=kiln",
            "-c",
            "user.email=kiln@test",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn chart(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir.join("charts/app/templates")).unwrap();
    std::fs::write(dir.join("charts/app/Chart.yaml"), format!("apiVersion: v2\nname: app\nversion: {version}\n"))
        .unwrap();
    std::fs::write(dir.join("charts/app/templates/cm.yaml"), "kind: ConfigMap\n").unwrap();
}

fn r(s: &str) -> SourceRef {
    SourceRef::parse(s, &RefFlags::default()).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn fetch(opts: &FetchOptions, s: &SourceRef) -> Result<kiln_source::Fetched, Error> {
    Fetcher::new(opts.clone())?.fetch(s)
}

#[test]
fn git_over_https_and_file() {
    let Some(_) = require(&["git", "nginx", "fcgiwrap", "htpasswd"]) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (dir, root, work) = (tmp.path().join("srv"), tmp.path().join("root"), tmp.path().join("work"));
    for d in [&dir, &root.join("git"), &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    let pki = make_pki(&dir);
    // A repository: annotated tag v0.1.0, lightweight tag v0.2.0 on main, a dev branch ahead of it.
    git(&work, &["init", "-q"]);
    chart(&work, "0.1.0");
    std::fs::create_dir_all(work.join("overlays/base")).unwrap();
    std::fs::write(work.join("overlays/base/kustomization.yaml"), "resources: []\n").unwrap();
    std::fs::write(work.join("README.md"), "outside the sub-path\n").unwrap();
    std::fs::write(work.join("blob.bin"), noise(1 << 20, 3)).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["tag", "-a", "v0.1.0", "-m", "release 0.1.0"]);
    let c1 = git(&work, &["rev-parse", "HEAD"]);
    chart(&work, "0.2.0");
    git(&work, &["commit", "-q", "-am", "two"]);
    git(&work, &["tag", "v0.2.0"]);
    let c2 = git(&work, &["rev-parse", "HEAD"]);
    git(&work, &["checkout", "-q", "-b", "dev"]);
    chart(&work, "0.3.0-dev");
    git(&work, &["commit", "-q", "-am", "three"]);
    let c3 = git(&work, &["rev-parse", "HEAD"]);
    git(&work, &["checkout", "-q", "main"]);
    let bare = root.join("git/demo.git");
    git(tmp.path(), &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    git(&bare, &["config", "http.receivepack", "false"]);

    let mut nginx = Nginx::start(&dir, &root, "128k");
    let base = format!("git+https://127.0.0.1:{}/git/demo.git", nginx.port);
    let cache = tmp.path().join("cache");
    let opts = options(&cache, &pki.ca, true);

    // 1. A branch, the default branch, an annotated tag, a lightweight tag, a commit, semver over tags.
    let f = fetch(&opts, &r(&format!("{base}//charts/app?ref=main"))).unwrap();
    assert_eq!(f.revision, format!("main@sha1:{c2}"));
    let paths: Vec<_> = f.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["Chart.yaml", "templates/cm.yaml"], "only the sub-path, relative to it");
    assert_eq!(f.chart_version.as_deref(), Some("0.2.0"));
    assert_eq!(fetch(&opts, &r(&format!("{base}//charts/app"))).unwrap().revision, format!("main@sha1:{c2}"));
    let t1 = fetch(&opts, &r(&format!("{base}//charts/app?ref=v0.1.0"))).unwrap();
    assert_eq!(
        (t1.revision.as_str(), t1.chart_version.as_deref()),
        (format!("v0.1.0@sha1:{c1}").as_str(), Some("0.1.0"))
    );
    assert_eq!(
        fetch(&opts, &r(&format!("{base}//charts/app?ref=v0.2.0"))).unwrap().revision,
        format!("v0.2.0@sha1:{c2}")
    );
    let d = fetch(&opts, &r(&format!("{base}//charts/app?ref=dev"))).unwrap();
    assert_eq!((d.revision, d.chart_version.as_deref()), (format!("dev@sha1:{c3}"), Some("0.3.0-dev")));
    let by_commit = fetch(&opts, &r(&format!("{base}//charts/app?ref={c3}"))).unwrap();
    assert_eq!(by_commit.revision, format!("sha1:{c3}"));
    let short = fetch(&opts, &r(&format!("{base}//charts/app?ref={}", &c1[..10]))).unwrap();
    assert_eq!(short.chart_version.as_deref(), Some("0.1.0"));
    assert_eq!(
        fetch(&opts, &r(&format!("{base}//charts/app?semver=~0.1"))).unwrap().revision,
        format!("v0.1.0@sha1:{c1}")
    );
    assert_eq!(
        fetch(&opts, &r(&format!("{base}//charts/app?semver=>=0.1.0"))).unwrap().revision,
        format!("v0.2.0@sha1:{c2}")
    );
    let overlay = fetch(&opts, &r(&format!("{base}//overlays/base?ref=main"))).unwrap();
    assert_eq!(overlay.files.len(), 1);
    assert_eq!(overlay.files[0].path, "kustomization.yaml");
    assert!(matches!(fetch(&opts, &r(&format!("{base}//no/such?ref=main"))), Err(Error::NotFound(_))));
    assert!(matches!(fetch(&opts, &r(&format!("{base}//charts/app?ref=nope"))), Err(Error::NotFound(_))));
    assert!(matches!(fetch(&opts, &r(&format!("{base}//charts/app?semver=>=9"))), Err(Error::NotFound(_))));

    // 2. A warm cache needs only the ref advertisement, no pack transfer.
    // (Protocol v2 also POSTs to git-upload-pack for the ref listing, so count large responses: packs.)
    let packs = |n: &Nginx| {
        let log = std::fs::read_to_string(n.dir.join("nginx-access.log")).unwrap_or_default();
        log.lines()
            .filter(|l| l.contains("POST /git/demo.git/git-upload-pack"))
            .filter_map(|l| l.split("\" ").nth(1)?.split(' ').nth(1)?.parse::<u64>().ok())
            .filter(|bytes| *bytes > 100_000)
            .count()
    };
    std::thread::sleep(Duration::from_millis(200));
    let before = packs(&nginx);
    assert!(before > 0, "cold fetches transferred packs");
    fetch(&opts, &r(&format!("{base}//charts/app?ref=main"))).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(packs(&nginx), before, "a warm fetch transferred a pack");

    // 3. Offline: from the cache; a fresh cache cannot answer.
    let offline = FetchOptions { offline: true, ..opts.clone() };
    assert_eq!(
        fetch(&offline, &r(&format!("{base}//charts/app?ref=v0.1.0"))).unwrap().revision,
        format!("v0.1.0@sha1:{c1}")
    );
    let fresh = FetchOptions { cache_root: Some(tmp.path().join("fresh")), ..offline };
    assert!(matches!(fetch(&fresh, &r(&format!("{base}//charts/app?ref=main"))), Err(Error::NotCached(_))));

    // 4. Bad credentials and an untrusted certificate give clear errors without secrets.
    let mut bad = options(&tmp.path().join("cache4"), &pki.ca, true);
    bad.connection.password = Some(kiln_source::Secret::new("wrong-pass-xyz"));
    let err = fetch(&bad, &r(&format!("{base}//charts/app?ref=main"))).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Git { .. }) && msg.contains("authentication failed"), "{msg}");
    assert!(!msg.contains("wrong-pass-xyz"), "{msg}");
    let err =
        fetch(&options(&tmp.path().join("cache4"), &pki.other_ca, true), &r(&format!("{base}//charts/app?ref=main")))
            .unwrap_err();
    let msg = err.to_string().to_ascii_lowercase();
    assert!(msg.contains("certificate") || msg.contains("ssl"), "{msg}");
    // Credentials in the URL work too, and are not shown.
    let with_userinfo = format!("git+https://{USER}:{PASS}@127.0.0.1:{}/git/demo.git//charts/app?ref=main", nginx.port);
    let u = fetch(&options(&tmp.path().join("cache4"), &pki.ca, false), &r(&with_userinfo)).unwrap();
    assert!(!u.source.contains(PASS));

    // 5. file:// works the same way.
    let file = format!("git+file://{}//charts/app?ref=v0.2.0", bare.display());
    assert_eq!(fetch(&opts, &r(&file)).unwrap().revision, format!("v0.2.0@sha1:{c2}"));
    assert_eq!(
        fetch(&opts, &r(&format!("git+file://{}//charts/app?ref={c1}", bare.display()))).unwrap().revision,
        format!("sha1:{c1}")
    );

    // 6. The server dies mid-fetch: the fetch fails and nothing enters the cache; after a restart it succeeds.
    let slow = format!("git+https://127.0.0.1:{}/slowgit/demo.git//charts/app?ref=main", nginx.port);
    let cache6 = tmp.path().join("cache6");
    let o6 = options(&cache6, &pki.ca, false);
    let handle = {
        let (o, s) = (o6.clone(), r(&slow));
        std::thread::spawn(move || fetch(&o, &s))
    };
    std::thread::sleep(Duration::from_millis(2000));
    nginx.kill();
    let err = handle.join().unwrap().unwrap_err();
    assert!(matches!(err, Error::Git { .. }), "{err}");
    assert!(blobs(&cache6).is_empty(), "an interrupted fetch left a blob");
    assert_eq!(temp_files(&cache6), 0, "an interrupted fetch left temporary files");
    nginx.restart();
    assert_eq!(fetch(&o6, &r(&slow)).unwrap().revision, format!("main@sha1:{c2}"));

    // 7. No credential reached the caches.
    for c in ["cache", "cache4", "cache6"] {
        for e in std::fs::read_dir(tmp.path().join(c).join("sources/refs")).unwrap().flatten() {
            for f in std::fs::read_dir(e.path()).unwrap().flatten() {
                let text = std::fs::read_to_string(f.path()).unwrap();
                assert!(!text.contains(PASS), "{}", f.path().display());
            }
        }
    }
}
