//! `kiln kustomize` with remote bases: a Git repository made by the test (served through `file://`, which
//! kustomize's URL syntax accepts too), fetched by the host through kiln's source cache, never by the plugin.
//! Compared byte for byte with `kubectl kustomize` on the same overlay when the reference is available.

use std::path::Path;
use std::process::Command;

use crate::support::{self, git, require, run_kiln, text, which};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A repository with a base (`deploy/base`) that itself uses a sibling directory (`common`), tagged `v1`, then
/// changed on `main` so the tag and the branch give different answers.
fn make_repo(root: &Path) -> std::path::PathBuf {
    let repo = root.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q"]);
    write(&repo.join("common/kustomization.yaml"), "resources: [sa.yaml]\n");
    write(&repo.join("common/sa.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n");
    write(
        &repo.join("deploy/base/kustomization.yaml"),
        "resources: [../../common, cm.yaml]\nnamePrefix: base-\nlabels:\n- pairs: {team: web}\n",
    );
    write(
        &repo.join("deploy/base/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  v: one\n",
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "v1"]);
    git(&repo, &["tag", "v1"]);
    write(
        &repo.join("deploy/base/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  v: two\n",
    );
    git(&repo, &["commit", "-qam", "two"]);
    repo
}

#[test]
fn remote_git_bases_are_fetched_by_the_host() {
    if require("git", which("git")).is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(tmp.path());
    let overlay = tmp.path().join("overlay");
    let remote = format!("file://{}//deploy/base?ref=v1", repo.display());
    write(
        &overlay.join("kustomization.yaml"),
        &format!(
            "resources:\n- {remote}\nnamespace: prod\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n    data:\n      extra: x\n"
        ),
    );
    let out = run_kiln(&["kustomize", &overlay.display().to_string()], "", support::shared_cache());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "kiln kustomize failed: {stderr}");
    assert!(stdout.contains("name: base-cfg") && stdout.contains("v: one"), "the tag's content:\n{stdout}");
    assert!(stdout.contains("name: base-app") && stdout.contains("extra: x") && stdout.contains("namespace: prod"));

    // The overlay directory itself may be remote; `main` has the newer content.
    let head = format!("file://{}//deploy/base?ref=main", repo.display());
    let out = run_kiln(&["kustomize", &head], "", support::shared_cache());
    let (head_out, stderr) = text(&out);
    assert!(out.status.success(), "kiln kustomize REMOTE failed: {stderr}");
    assert!(head_out.contains("v: two"), "{head_out}");

    // A reference that is not a Git repository is a clear error naming it.
    write(&overlay.join("kustomization.yaml"), "resources:\n- https://example.invalid/manifests/app.yaml?x=1\n");
    let out = run_kiln(&["kustomize", &overlay.display().to_string()], "", support::shared_cache());
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("https://example.invalid/manifests/app.yaml?x=1"), "{stderr}");

    if let Some(kubectl) = std::env::var_os("KILN_REF_KUBECTL") {
        write(&overlay.join("kustomization.yaml"), &format!("resources:\n- {remote}\nnamespace: prod\n"));
        let reference = Command::new(&kubectl).arg("kustomize").arg(&overlay).output().expect("kubectl");
        assert!(reference.status.success(), "{}", String::from_utf8_lossy(&reference.stderr));
        let out = run_kiln(&["kustomize", &overlay.display().to_string()], "", support::shared_cache());
        assert!(out.status.success());
        assert_eq!(text(&out).0, String::from_utf8_lossy(&reference.stdout), "kiln and kubectl kustomize differ");
        let reference = Command::new(&kubectl).arg("kustomize").arg(&head).output().expect("kubectl");
        assert!(reference.status.success(), "{}", String::from_utf8_lossy(&reference.stderr));
        assert_eq!(
            head_out,
            String::from_utf8_lossy(&reference.stdout),
            "kiln and kubectl kustomize differ on a remote DIR"
        );
    }
}

/// Remote *files*: a resource list and a patch named by `https://` URLs, served by nginx with a test CA, fetched by
/// the host with TLS verified (`--ca-file`), never by the plugin. The same overlay built by `kubectl kustomize`
/// (trusting the same CA) gives the same bytes.
#[test]
fn remote_https_files_are_fetched_by_the_host() {
    use crate::source_servers as srv;
    let Some(_) = srv::require(&["nginx", "htpasswd"]) else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, root) = (tmp.path().join("srv"), tmp.path().join("root"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let pki = srv::make_pki(&dir);
    write(
        &root.join("charts/app.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  ports:\n  - port: 80\n",
    );
    write(
        &root.join("charts/patch.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: sidecar\n        image: envoy\n",
    );
    let nginx = srv::Nginx::start(&dir, &root, "100m");
    let overlay = tmp.path().join("overlay");
    let (app, patch) = (nginx.url("/public/app.yaml"), nginx.url("/public/patch.yaml"));
    write(
        &overlay.join("kustomization.yaml"),
        &format!("resources:\n- {app}\n- local.yaml\nnamespace: prod\nnamePrefix: p-\npatches:\n- path: {patch}\n"),
    );
    write(&overlay.join("local.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n");
    let ca = pki.ca.display().to_string();
    let dir_arg = overlay.display().to_string();

    let out = run_kiln(&["kustomize", &dir_arg, "--ca-file", &ca], "", support::shared_cache());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "kiln kustomize failed: {stderr}");
    for want in ["name: p-app", "name: p-local", "image: envoy", "image: app:1", "namespace: prod"] {
        assert!(stdout.contains(want), "{want} missing:\n{stdout}");
    }

    // TLS is verified: without the test CA the fetch fails, naming the URL.
    let out = run_kiln(&["kustomize", &dir_arg], "", support::shared_cache());
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "an untrusted certificate must fail");
    assert!(stderr.contains(&app), "{stderr}");

    // A missing file is an error with its status; nothing falls back to Git for a URL that is not a repository.
    let missing = nginx.url("/public/missing.yaml");
    write(&overlay.join("kustomization.yaml"), &format!("resources:\n- {missing}\n"));
    let out = run_kiln(&["kustomize", &dir_arg, "--ca-file", &ca], "", support::shared_cache());
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("HTTP status 404") && stderr.contains(&missing), "{stderr}");

    if let Some(kubectl) = std::env::var_os("KILN_REF_KUBECTL") {
        write(
            &overlay.join("kustomization.yaml"),
            &format!("resources:\n- {app}\n- local.yaml\nnamespace: prod\nnamePrefix: p-\npatches:\n- path: {patch}\n"),
        );
        let reference = Command::new(&kubectl)
            .arg("kustomize")
            .arg(&overlay)
            .env("SSL_CERT_FILE", &pki.ca)
            .output()
            .expect("kubectl");
        assert!(reference.status.success(), "{}", String::from_utf8_lossy(&reference.stderr));
        assert_eq!(stdout, String::from_utf8_lossy(&reference.stdout), "kiln and kubectl kustomize differ");
    }
}
