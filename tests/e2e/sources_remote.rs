//! `kiln template` from an HTTPS Helm repository and from an OCI registry, both real servers on loopback (nginx and
//! Debian's docker-registry, TLS from a test CA, basic auth), compared byte for byte with `helm template` given the
//! same references and connection flags. The chart is the shipped example, packaged, indexed and pushed by the
//! reference helm. Servers come from kiln-source's test harness (`host/source/tests/support`).

use std::path::Path;

use crate::source_servers::{self as srv, PASS, USER};
use crate::support::{self, run_kiln, text};

/// `helm template ARGS` with an isolated home; its stdout.
fn helm_template(helm: &Path, home: &Path, args: &[&str]) -> String {
    let out = srv::helm_command(helm, home).arg("template").args(args).output().expect("run helm");
    assert!(out.status.success(), "helm template {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn template_from_https_repo_and_oci_registry_matches_helm() {
    let Some(_) = srv::require(&["nginx", "htpasswd", "docker-registry"]) else { return };
    let Some(helm) = srv::helm() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, root, home) = (tmp.path().join("srv"), tmp.path().join("root"), tmp.path().join("home"));
    for d in [&dir, &root, &home] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let pki = srv::make_pki(&dir);
    let ca = pki.ca.to_str().expect("utf8").to_owned();
    let chart = support::repo_root().join("examples/charts/shop");
    let charts = root.join("charts");
    let tgz = srv::package(&helm, &home, &chart, &charts);
    srv::run_helm(&helm, &home, &["repo", "index", charts.to_str().expect("utf8")]);
    let nginx = srv::Nginx::start(&dir, &root, "100m");
    let registry = srv::Registry::start(&dir);
    let host = registry.host();
    srv::run_helm(
        &helm,
        &home,
        &[
            "push",
            tgz.to_str().expect("utf8"),
            &format!("oci://{host}/charts"),
            "--ca-file",
            &ca,
            "--username",
            USER,
            "--password",
            PASS,
        ],
    );
    let cache = tmp.path().join("kiln-cache");
    let conn = ["--ca-file", ca.as_str(), "--username", USER, "--password", PASS];
    let values = ["-n", "prod", "--set", "autoscaling.enabled=true"];
    let repo_url = nginx.url("/charts");
    let oci_ref = format!("oci://{host}/charts/shop");

    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("https repository, version range", vec!["web", "shop", "--repo", &repo_url, "--version", "^0.3"]),
        ("oci registry, version range", vec!["web", &oci_ref, "--version", ">=0.3.0 <1"]),
        ("oci registry, exact tag", vec!["web", &oci_ref, "--version", "0.3.1"]),
    ];
    for (what, refs) in cases {
        let args: Vec<&str> = refs.iter().chain(values.iter()).chain(conn.iter()).copied().collect();
        let want = helm_template(&helm, &home, &args);
        let mut kiln_args = vec!["template"];
        kiln_args.extend(&args);
        let out = run_kiln(&kiln_args, "", &cache);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{what}: kiln failed: {stderr}");
        assert!(stdout.contains("kind: HorizontalPodAutoscaler"), "{what}: values did not apply");
        assert!(stdout == want, "{what}: kiln and helm differ\n--- kiln\n{stdout}\n--- helm\n{want}");
        assert!(!stderr.contains(PASS), "{what}: the password reached kiln's output");
    }

    // The same references work offline once cached, and give the same output.
    let offline: Vec<&str> = ["template", "web", oci_ref.as_str(), "--version", "0.3.1", "--offline"]
        .into_iter()
        .chain(values)
        .chain(["--ca-file", ca.as_str()])
        .collect();
    let out = run_kiln(&offline, "", &cache);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "offline from the cache: {stderr}");
    assert!(stdout.contains("name: web-shop"), "{stdout}");
}
