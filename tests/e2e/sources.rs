//! `kiln template` prints exactly what the reference `helm template` prints for the same chart, whichever way the
//! chart arrives: a directory, a packaged `.tgz` (made by the reference `helm package`), and a Git repository
//! (`git+file://…//path?ref=TAG`, fetched through kiln's source cache). The remote kinds over real servers
//! (HTTPS repository, OCI registry, git over HTTPS and SSH) are tested in `host/source/tests/`.

use std::path::Path;
use std::process::Command;

use crate::support::{self, git, require, run_kiln, text, which};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn template_from_directory_tgz_and_git_matches_helm() {
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    if require("git", which("git")).is_none() {
        return;
    }
    let chart = support::repo_root().join("examples/charts/shop");
    let tmp = tempfile::tempdir().expect("tempdir");

    let expected =
        Command::new(&helm).arg("template").arg("shop").arg(&chart).args(["-n", "shop"]).output().expect("helm");
    assert!(expected.status.success(), "helm template failed");
    let expected = String::from_utf8_lossy(&expected.stdout).into_owned();

    let packaged = Command::new(&helm).arg("package").arg(&chart).arg("-d").arg(tmp.path()).output().expect("helm");
    assert!(packaged.status.success(), "helm package failed: {}", String::from_utf8_lossy(&packaged.stderr));
    let tgz = std::fs::read_dir(tmp.path())
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .expect("a packaged chart");

    let repo = tmp.path().join("repo");
    copy_tree(&chart, &repo.join("charts/shop"));
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "shop"]);
    git(&repo, &["tag", "v1.0.0"]);

    let sources = [
        chart.display().to_string(),
        tgz.display().to_string(),
        format!("git+file://{}//charts/shop?ref=v1.0.0", repo.display()),
        format!("git+file://{}//charts/shop?semver=^1", repo.display()),
    ];
    for source in &sources {
        let out = run_kiln(&["template", "shop", source, "-n", "shop"], "", support::shared_cache());
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "kiln template {source} failed: {stderr}");
        assert_eq!(stdout, expected, "kiln template {source} differs from helm template");
    }
}
