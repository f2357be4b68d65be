//! `kiln apply` and `kiln diff` taking the set from a `template …` or `kustomize …` subcommand, against a real
//! kube-apiserver (kiln-apply's harness: started from `tests/cluster`, or `KILN_TEST_KUBECONFIG`; skipped without
//! one, except under `CI=true`).

use crate::apply_cluster::{kubeconfig as cluster, repo_root};
use crate::support::{run_kiln, shared_cache, text};

fn kiln(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let out = run_kiln(args, stdin, shared_cache());
    let (o, e) = text(&out);
    (out.status.code(), o, e)
}

#[test]
fn apply_and_diff_render_a_chart_with_template_arguments() {
    let Some(kc) = cluster() else { return };
    let kc = kc.to_string_lossy().into_owned();
    let ns = format!("e2e-shop-{}", std::process::id());
    let chart = repo_root().join("examples/charts/shop").to_string_lossy().into_owned();
    let (code, _, err) = kiln(
        &["apply", "--kubeconfig", &kc, "-f", "-"],
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    assert_eq!(code, Some(0), "{err}");

    let cluster = ["--kubeconfig", kc.as_str(), "--inventory", "shop-set"];
    let template = ["template", "shop", chart.as_str(), "-n", ns.as_str()];
    let with = |cmd: &str, extra: &[&str]| -> Vec<String> {
        [cmd].iter().chain(&cluster).chain(&template).chain(extra).map(|s| (*s).to_owned()).collect()
    };
    let run = |argv: Vec<String>| kiln(&argv.iter().map(String::as_str).collect::<Vec<_>>(), "");

    // Nothing applied yet: the plan creates the chart's objects in the release namespace; exit 1 = changes.
    let (code, out, err) = run(with("diff", &[]));
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains(&format!("# Deployment.apps/{ns}/shop created")), "{out}");

    let (code, out, err) = run(with("apply", &[]));
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains(&format!("Deployment.apps/{ns}/shop created")), "{out}");

    // Same arguments again: nothing to change.
    let (code, out, err) = run(with("diff", &[]));
    assert_eq!(code, Some(0), "{out}\n{err}");

    // The same set given with -f (kiln template's output) plans exactly as the subcommand does.
    let mut tpl = vec!["template", "shop", chart.as_str(), "-n", ns.as_str()];
    let (code, rendered, err) = kiln(&tpl, "");
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) =
        kiln(&["diff", "--kubeconfig", &kc, "--inventory", "shop-set", "-n", &ns, "-f", "-"], &rendered);
    assert_eq!(code, Some(0), "{err}");

    // A changed value shows as a change of that field.
    let (code, out, err) = run(with("diff", &["--set", "replicaCount=5"]));
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains("+  replicas: 5"), "{out}");

    // -f and a subcommand together, or an output directory, are refused before anything is rendered or sent.
    tpl.insert(0, "-");
    let mut both = vec!["apply", "--kubeconfig", kc.as_str(), "-f"];
    both.extend(&tpl);
    let (code, _, err) = kiln(&both, "");
    assert_eq!(code, Some(1));
    assert!(err.contains("either with -f or with a `template` subcommand"), "{err}");
    let (code, _, err) = run(with("apply", &["--output-dir", "/tmp/never"]));
    assert_eq!(code, Some(1));
    assert!(err.contains("--output-dir cannot be combined"), "{err}");
}

#[test]
fn apply_builds_an_overlay_with_kustomize_arguments() {
    let Some(kc) = cluster() else { return };
    let kc = kc.to_string_lossy().into_owned();
    let ns = format!("e2e-overlay-{}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, body: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    };
    write("base/kustomization.yaml", "resources: [cm.yaml]\n");
    write("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n");
    write(
        "prod/kustomization.yaml",
        &format!(
            "resources: [ns.yaml, ../base]\nnamespace: {ns}\nnamePrefix: prod-\nconfigMapGenerator:\n- name: extra\n  literals: [a=1]\n"
        ),
    );
    write("prod/ns.yaml", &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"));
    let prod = dir.path().join("prod").to_string_lossy().into_owned();

    let apply =
        ["apply", "--kubeconfig", kc.as_str(), "--inventory", "web", "-n", ns.as_str(), "kustomize", prod.as_str()];
    // The set creates the inventory's namespace: the inventory cannot be written first, so kiln says so and
    // writes nothing.
    let (code, out, err) = kiln(&apply, "");
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(err.contains(&format!("namespace {ns} does not exist yet")), "{err}");
    let ns_yaml = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n");
    let (code, _, err) = kiln(&["apply", "--kubeconfig", &kc, "-f", "-"], &ns_yaml);
    assert_eq!(code, Some(0), "{err}");

    let (code, out, err) = kiln(&apply, "");
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains(&format!("ConfigMap/{ns}/prod-settings created")), "{out}");
    // The generated name carries kustomize's content hash, exactly as `kiln kustomize` prints it.
    let (_, built, _) = kiln(&["kustomize", &prod], "");
    let hashed = built.lines().find_map(|l| l.trim().strip_prefix("name: prod-extra-")).expect("hashed name");
    assert!(out.contains(&format!("ConfigMap/{ns}/prod-extra-{hashed} created")), "{out}");

    let (code, out, err) =
        kiln(&["diff", "--kubeconfig", &kc, "--inventory", "web", "-n", &ns, "kustomize", &prod], "");
    assert_eq!(code, Some(0), "{out}\n{err}");
}
