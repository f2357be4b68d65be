//! Scenarios against a real kube-apiserver (see `tests/common`). Each test works in its own namespace.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use kiln_apply::{Action, ApplyOptions, Error, ObjectError, PruneOutcome, apply, diff, inventory};
use serde_json::{Value, json};

fn action_of(r: &kiln_apply::Report, kind: &str, name: &str) -> Action {
    r.objects
        .iter()
        .find(|o| o.id.kind == kind && o.id.name == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in report:\n{}", r.render()))
        .action
}

fn prune_of(r: &kiln_apply::Report, kind: &str, name: &str) -> PruneOutcome {
    r.prune
        .iter()
        .find(|o| o.id.kind == kind && o.id.name == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in prune report:\n{}", r.render()))
        .outcome
        .clone()
}

fn deployment(ns: &str, name: &str, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image, "ports": [{"containerPort": 80}]}]}}}})
}

fn mixed_set(ns: &str) -> Vec<Value> {
    vec![
        cm(ns, "a", json!({"k": "v"})),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": ns}, "stringData": {"p": "hunter2"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": ns},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": ns}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": ns},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]}),
        deployment(ns, "web", "nginx:1.27"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reapply_is_a_noop() {
    let kc = need_cluster!();
    let ns = &uniq("t-noop");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let opts = inv("set", ns);
    let r1 = apply(&c, &mixed_set(ns), &opts).await.unwrap();
    assert!(!r1.failed(), "{}", r1.render());
    assert!(r1.objects.iter().all(|o| o.action == Action::Created), "{}", r1.render());
    let rv = |v: Option<Value>| ptr(&v.unwrap(), "/metadata/resourceVersion").unwrap().to_string();
    let before = (rv(get(&cms(&c, ns), "a").await), rv(get(&cms(&c, ns), "set").await));
    let dep_before = rv(get(&api(&c, ns, "apps", "v1", "Deployment", "deployments"), "web").await);

    // Fast path (the inventory proves nothing changed) and the full dry-run path both find nothing to do.
    for verify in [false, true] {
        let r = apply(&c, &mixed_set(ns), &ApplyOptions { verify_unchanged: verify, ..opts.clone() }).await.unwrap();
        assert!(r.objects.iter().all(|o| o.action == Action::Unchanged), "verify={verify}\n{}", r.render());
        assert!(!r.has_changes());
    }
    let after = (rv(get(&cms(&c, ns), "a").await), rv(get(&cms(&c, ns), "set").await));
    assert_eq!(before, after, "resourceVersion bumped by a no-op re-apply");
    assert_eq!(dep_before, rv(get(&api(&c, ns, "apps", "v1", "Deployment", "deployments"), "web").await));

    // Members carry the ApplySet label; the parent lists them.
    let a = get(&cms(&c, ns), "a").await.unwrap();
    assert_eq!(
        ptr(&a, "/metadata/labels/applyset.kubernetes.io~1part-of"),
        Some(inventory::applyset_id("set", ns).as_str())
    );
    let parent = get(&cms(&c, ns), "set").await.unwrap();
    assert!(ptr(&parent, "/metadata/annotations/applyset.kubernetes.io~1tooling").unwrap().starts_with("kiln/"));
    assert_eq!(
        ptr(&parent, "/metadata/annotations/applyset.kubernetes.io~1contains-group-kinds"),
        Some("ConfigMap,Deployment.apps,Role.rbac.authorization.k8s.io,Secret,Service,ServiceAccount")
    );
    assert_eq!(ptr(&parent, "/data/members").unwrap().lines().count(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applyset_id_matches_kubectl() {
    let kc = need_cluster!();
    if kubectl_path().is_none() {
        return;
    }
    let ns = &uniq("t-applyset-id");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let manifest = serde_json::to_string(&cm(ns, "x", json!({"a": "1"}))).unwrap();
    kubectl(
        &kc,
        &["apply", "--server-side", "--prune", "--applyset=configmaps/kset", "-n", ns, "-f", "-"],
        Some(&manifest),
        &[("KUBECTL_APPLYSET", "true")],
    );
    let parent = get(&cms(&c, ns), "kset").await.unwrap();
    assert_eq!(
        ptr(&parent, "/metadata/labels/applyset.kubernetes.io~1id"),
        Some(inventory::applyset_id("kset", ns).as_str())
    );
    // kiln refuses to take over kubectl's set.
    let err = apply(&c, &[cm(ns, "x", json!({"a": "1"}))], &inv("kset", ns)).await.unwrap_err();
    assert!(matches!(err, Error::Inventory { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_and_its_cr_in_one_set() {
    let kc = need_cluster!();
    let ns = &uniq("t-crd");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    // A group unique to this process: CRDs are cluster-scoped and outlive the test.
    let group = format!("p{}.kiln.test", std::process::id());
    let set = vec![
        json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "w1", "namespace": ns}, "spec": {"size": 3}}),
        widget_crd(&format!("widgets.{group}"), &group, "Widget", "widgets"),
    ];
    let plan = diff(&c, &set, &inv("crd", ns)).await.unwrap();
    assert_eq!(action_of(&plan, "Widget", "w1"), Action::Created);
    assert!(plan.objects.iter().any(|o| o.notes.iter().any(|n| n.contains("CRD"))), "{}", plan.render());
    let r = apply(&c, &set, &inv("crd", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    assert_eq!(action_of(&r, "CustomResourceDefinition", &format!("widgets.{group}")), Action::Created);
    assert_eq!(action_of(&r, "Widget", "w1"), Action::Created);
    let w = get(&api(&c, ns, &group, "v1", "Widget", "widgets"), "w1").await.unwrap();
    assert_eq!(w["spec"]["size"], 3);
    let again = apply(&c, &set, &inv("crd", ns)).await.unwrap();
    assert!(again.objects.iter().all(|o| o.action == Action::Unchanged), "{}", again.render());
}

fn widget_crd(name: &str, group: &str, kind: &str, plural: &str) -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": name},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"kind": kind, "plural": plural, "singular": kind.to_lowercase(), "listKind": format!("{kind}List")},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
                "subresources": {"status": {}}}]}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_is_created_first() {
    let kc = need_cluster!();
    let ns = &uniq("t-newns");
    let home = &uniq("t-newns-home");
    let c = connect(&kc, home).await;
    namespace(&c, home).await;
    let set = vec![
        cm(ns, "inside", json!({"a": "1"})),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    ];
    let plan = diff(&c, &set, &inv("newns", home)).await.unwrap();
    assert_eq!(plan.diff_exit_code(), 1);
    assert_eq!(action_of(&plan, "ConfigMap", "inside"), Action::Created, "{}", plan.render());
    let r = apply(&c, &set, &inv("newns", home)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    assert_eq!(r.objects[0].id.kind, "Namespace", "namespace applied first");
    assert!(get(&cms(&c, ns), "inside").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_object_writes_nothing_in_its_stage() {
    let kc = need_cluster!();
    let ns = &uniq("t-invalid");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let set = vec![
        cm(ns, "good-1", json!({"a": "1"})),
        cm(ns, "good-2", json!({"a": "1"})),
        // Unknown field: server-side apply refuses it.
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad", "namespace": ns}, "spec": {"x": 1}}),
        deployment(ns, "later", "nginx"),
    ];
    let r = apply(&c, &set, &inv("inv", ns)).await.unwrap();
    assert!(r.failed());
    let bad = r.objects.iter().find(|o| o.id.name == "bad").unwrap();
    assert_eq!(bad.action, Action::Failed);
    assert!(matches!(&bad.error, Some(ObjectError::DryRun { .. })), "{:?}", bad.error);
    assert!(r.render().contains(&format!("ConfigMap/{ns}/bad failed: dry-run failed")), "{}", r.render());
    assert!(get(&cms(&c, ns), "good-1").await.is_none(), "stage partially written");
    assert!(get(&cms(&c, ns), "good-2").await.is_none());
    assert!(get(&api(&c, ns, "apps", "v1", "Deployment", "deployments"), "later").await.is_none());
    assert_eq!(action_of(&r, "Deployment", "later"), Action::Failed);
}

/// kiln sends `fieldValidation=Ignore` for the kube-apiserver's own kinds (the strict pass only looks for
/// duplicate keys, which its JSON bodies cannot have) and `Strict` for custom resources: unknown fields must be
/// refused by the dry-run either way, deep in a list, at the top, and in the metadata of an embedded resource under
/// preserved-unknown fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_are_refused_for_every_kind() {
    let kc = need_cluster!();
    let ns = &uniq("t-unknown");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let group = format!("u{}.kiln.test", std::process::id());
    let mut gadgets = widget_crd(&format!("gadgets.{group}"), &group, "Gadget", "gadgets");
    gadgets["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["template"] =
        json!({"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true});
    let crds = vec![widget_crd(&format!("widgets.{group}"), &group, "Widget", "widgets"), gadgets];
    let r = apply(&c, &crds, &ApplyOptions::default()).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    let mut bogus_container = deployment(ns, "d", "nginx");
    bogus_container["spec"]["template"]["spec"]["containers"][0]["bogus"] = json!(1);
    let cases = [
        ("Deployment", "d", bogus_container, r#".spec.template.spec.containers[name="c"].bogus"#),
        (
            "Widget",
            "w",
            json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "w", "namespace": ns},
                "spec": {"size": 1, "colour": "red"}}),
            ".spec.colour",
        ),
        (
            "Widget",
            "top",
            json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "top", "namespace": ns},
                "extra": true}),
            ".extra",
        ),
        (
            "Gadget",
            "g",
            json!({"apiVersion": format!("{group}/v1"), "kind": "Gadget", "metadata": {"name": "g", "namespace": ns},
                "spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "colour": "red"}}}}),
            ".spec.template.metadata.colour",
        ),
    ];
    for (kind, name, body, path) in cases {
        // A valid object of the same stage (workloads and custom resources) is not written either.
        let r = apply(&c, &[body, deployment(ns, "fine", "nginx")], &inv("unknown", ns)).await.unwrap();
        assert!(r.failed(), "{kind}/{name}: {}", r.render());
        let o = r.objects.iter().find(|o| o.id.name == name).unwrap();
        match &o.error {
            Some(ObjectError::DryRun { message, .. }) => {
                assert!(
                    message.contains(path) && message.contains("not declared in schema"),
                    "{kind}/{name}: {message}"
                )
            }
            other => panic!("{kind}/{name}: {other:?}"),
        }
        let deployments = api(&c, ns, "apps", "v1", "Deployment", "deployments");
        assert!(get(&deployments, "fine").await.is_none(), "{kind}/{name}: its stage was written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_edit_drift_is_reverted() {
    let kc = need_cluster!();
    if kubectl_path().is_none() {
        return;
    }
    let ns = &uniq("t-edit");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let set = vec![cm(ns, "e", json!({"color": "blue", "size": "m"}))];
    apply(&c, &set, &inv("inv", ns)).await.unwrap();
    // A real `kubectl edit`, with a non-interactive editor.
    kubectl(&kc, &["edit", "-n", ns, "configmap/e"], None, &[("KUBE_EDITOR", "sed -i s/blue/red/")]);
    let edited = get(&cms(&c, ns), "e").await.unwrap();
    assert_eq!(edited["data"]["color"], "red");
    assert!(edited["metadata"]["managedFields"].as_array().unwrap().iter().any(|m| m["manager"] == "kubectl-edit"));
    let r = apply(&c, &set, &inv("inv", ns)).await.unwrap();
    assert_eq!(action_of(&r, "ConfigMap", "e"), Action::Configured, "{}", r.render());
    let live = get(&cms(&c, ns), "e").await.unwrap();
    assert_eq!(live["data"]["color"], "blue");
    assert!(!live["metadata"]["managedFields"].as_array().unwrap().iter().any(|m| m["manager"] == "kubectl-edit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_removed_after_client_side_apply_disappears() {
    let kc = need_cluster!();
    if kubectl_path().is_none() {
        return;
    }
    let ns = &uniq("t-csa");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let old = serde_json::to_string(&cm(ns, "csa", json!({"keep": "1", "drop": "2"}))).unwrap();
    kubectl(&kc, &["apply", "-f", "-"], Some(&old), &[]);
    let live = get(&cms(&c, ns), "csa").await.unwrap();
    assert!(ptr(&live, "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").is_some());
    let r = apply(&c, &[cm(ns, "csa", json!({"keep": "1"}))], &inv("inv", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    let live = get(&cms(&c, ns), "csa").await.unwrap();
    assert_eq!(live["data"], json!({"keep": "1"}), "removed field still there");
    assert!(ptr(&live, "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").is_none());
    let managers: Vec<&str> =
        live["metadata"]["managedFields"].as_array().unwrap().iter().filter_map(|m| m["manager"].as_str()).collect();
    assert_eq!(managers, vec!["kiln"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_are_reported_and_forced() {
    let kc = need_cluster!();
    let ns = &uniq("t-conflict");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let set = vec![cm(ns, "x", json!({"owner": "kiln", "other": "1"}))];
    apply(&c, &set, &inv("inv", ns)).await.unwrap();
    apply_as(
        &cms(&c, ns),
        "team-b",
        json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": ns}, "data": {"owner": "team-b"}}),
    )
    .await;
    let r = apply(&c, &set, &inv("inv", ns)).await.unwrap();
    let o = &r.objects[0];
    assert_eq!(o.action, Action::Failed);
    match &o.error {
        Some(ObjectError::Conflict(cs)) => {
            assert_eq!(cs.len(), 1, "{cs:?}");
            assert_eq!(cs[0].manager, "team-b");
            assert_eq!(cs[0].field, ".data.owner");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(get(&cms(&c, ns), "x").await.unwrap()["data"]["owner"], "team-b");
    // The diff reports it too (exit 2).
    assert_eq!(diff(&c, &set, &inv("inv", ns)).await.unwrap().diff_exit_code(), 2);
    let forced = apply(&c, &set, &ApplyOptions { force_conflicts: true, ..inv("inv", ns) }).await.unwrap();
    assert_eq!(forced.objects[0].action, Action::Configured, "{}", forced.render());
    assert_eq!(get(&cms(&c, ns), "x").await.unwrap()["data"]["owner"], "kiln");
}

fn job(ns: &str, name: &str, image: &str, parallelism: i64) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": ns},
        "spec": {"parallelism": parallelism, "template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "c", "image": image}]}}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn immutable_job_change_needs_force_recreate() {
    let kc = need_cluster!();
    let ns = &uniq("t-immutable");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let jobs = api(&c, ns, "batch", "v1", "Job", "jobs");
    apply(&c, &[job(ns, "j", "busybox:1", 1)], &inv("inv", ns)).await.unwrap();
    let uid0 = ptr(&get(&jobs, "j").await.unwrap(), "/metadata/uid").unwrap().to_string();

    let changed = vec![job(ns, "j", "busybox:2", 1)];
    let r = apply(&c, &changed, &inv("inv", ns)).await.unwrap();
    assert!(matches!(r.objects[0].error, Some(ObjectError::Immutable { .. })), "{}", r.render());
    assert_eq!(ptr(&get(&jobs, "j").await.unwrap(), "/metadata/uid"), Some(uid0.as_str()));

    // A plain validation error is not an immutable-field error: never recreated, even with force.
    let invalid = vec![job(ns, "j", "busybox:1", -1)];
    let r = apply(&c, &invalid, &ApplyOptions { force_recreate: true, ..inv("inv", ns) }).await.unwrap();
    assert!(matches!(r.objects[0].error, Some(ObjectError::DryRun { .. })), "{}", r.render());
    assert_eq!(ptr(&get(&jobs, "j").await.unwrap(), "/metadata/uid"), Some(uid0.as_str()));

    let plan = diff(&c, &changed, &ApplyOptions { force_recreate: true, ..inv("inv", ns) }).await.unwrap();
    assert_eq!(plan.objects[0].action, Action::Recreated, "{}", plan.render());
    let r = apply(&c, &changed, &ApplyOptions { force_recreate: true, ..inv("inv", ns) }).await.unwrap();
    assert_eq!(r.objects[0].action, Action::Recreated, "{}", r.render());
    let live = get(&jobs, "j").await.unwrap();
    assert_ne!(ptr(&live, "/metadata/uid"), Some(uid0.as_str()));
    assert_eq!(ptr(&live, "/spec/template/spec/containers/0/image"), Some("busybox:2"));

    // The per-object annotation allows it too.
    let mut annotated = job(ns, "j", "busybox:3", 1);
    annotated["metadata"]["annotations"] = json!({ kiln_apply::ANNOTATION_RECREATE: "enabled" });
    let r = apply(&c, &[annotated], &inv("inv", ns)).await.unwrap();
    assert_eq!(r.objects[0].action, Action::Recreated, "{}", r.render());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_rules() {
    let kc = need_cluster!();
    let ns = &uniq("t-prune");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let all: Vec<Value> =
        ["keep", "gone", "optout", "relabel", "manual"].iter().map(|n| cm(ns, n, json!({"v": n}))).collect();
    let r = apply(&c, &all, &inv("inv", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    // Opt-out annotation, re-labelled to another set, deleted by hand.
    merge_as(
        &cms(&c, ns),
        "someone",
        "optout",
        json!({"metadata": {"annotations": {kiln_apply::ANNOTATION_PRUNE: "disabled"}}}),
    )
    .await;
    merge_as(
        &cms(&c, ns),
        "someone",
        "relabel",
        json!({"metadata": {"labels": {"applyset.kubernetes.io/part-of": "applyset-other-v1"}}}),
    )
    .await;
    delete(&cms(&c, ns), "manual").await;

    let keep = vec![cm(ns, "keep", json!({"v": "keep"}))];
    let plan = diff(&c, &keep, &inv("inv", ns)).await.unwrap();
    assert_eq!(prune_of(&plan, "ConfigMap", "gone"), PruneOutcome::Pruned);
    assert!(plan.render_diff().contains("-  v: gone"), "{}", plan.render_diff());
    assert!(get(&cms(&c, ns), "gone").await.is_some(), "diff deleted something");

    let r = apply(&c, &keep, &inv("inv", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    assert_eq!(prune_of(&r, "ConfigMap", "gone"), PruneOutcome::Pruned);
    assert!(matches!(prune_of(&r, "ConfigMap", "optout"), PruneOutcome::Skipped(_)));
    assert!(matches!(prune_of(&r, "ConfigMap", "relabel"), PruneOutcome::Skipped(_)));
    assert_eq!(prune_of(&r, "ConfigMap", "manual"), PruneOutcome::Gone);
    assert!(get(&cms(&c, ns), "gone").await.is_none());
    assert!(get(&cms(&c, ns), "optout").await.is_some());
    assert!(get(&cms(&c, ns), "relabel").await.is_some());
    let parent = get(&cms(&c, ns), "inv").await.unwrap();
    assert_eq!(ptr(&parent, "/data/members").unwrap().lines().count(), 1, "inventory not shrunk to the set");

    // --prune=false keeps what leaves the set (and keeps tracking it).
    apply(&c, &[cm(ns, "keep", json!({"v": "keep"})), cm(ns, "later", json!({}))], &inv("inv", ns)).await.unwrap();
    let r = apply(&c, &keep, &ApplyOptions { prune: false, ..inv("inv", ns) }).await.unwrap();
    assert!(r.prune.is_empty());
    assert!(get(&cms(&c, ns), "later").await.is_some());
    let r = apply(&c, &keep, &inv("inv", ns)).await.unwrap();
    assert_eq!(prune_of(&r, "ConfigMap", "later"), PruneOutcome::Pruned);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_replaced_between_list_and_delete_is_not_pruned() {
    let kc = need_cluster!();
    let ns = &uniq("t-uid");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    apply(&c, &[cm(ns, "stay", json!({})), cm(ns, "victim", json!({"v": "1"}))], &inv("inv", ns)).await.unwrap();
    let set_id = inventory::applyset_id("inv", ns);
    let hook_cluster = c.clone();
    let hook_ns = ns.to_string();
    let mut opts = inv("inv", ns);
    opts.before_prune_delete = Some(Arc::new(move |id| {
        let c = hook_cluster.clone();
        let ns = hook_ns.clone();
        let set_id = set_id.clone();
        Box::pin(async move {
            if id.name == "victim" {
                // Someone deletes it and creates another object of the same name (even with our label).
                let api = cms(&c, &ns);
                delete(&api, "victim").await;
                for _ in 0..50 {
                    if get(&api, "victim").await.is_none() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                let mut o = cm(&ns, "victim", json!({"v": "someone else's"}));
                o["metadata"]["labels"] = json!({"applyset.kubernetes.io/part-of": set_id});
                apply_as(&api, "someone", o).await;
            }
        })
    }));
    let r = apply(&c, &[cm(ns, "stay", json!({}))], &opts).await.unwrap();
    assert!(
        matches!(prune_of(&r, "ConfigMap", "victim"), PruneOutcome::Kept(ref why) if why.contains("UID")),
        "{}",
        r.render()
    );
    let live = get(&cms(&c, ns), "victim").await.unwrap();
    assert_eq!(live["data"]["v"], "someone else's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_cr_whose_crd_is_gone_is_skipped() {
    let kc = need_cluster!();
    let ns = &uniq("t-stalecr");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let group = format!("stale{}.kiln.test", std::process::id());
    let crd_name = format!("gadgets.{group}");
    let crd = widget_crd(&crd_name, &group, "Gadget", "gadgets");
    apply(&c, &[crd], &ApplyOptions::default()).await.unwrap();
    let set = vec![
        cm(ns, "c", json!({})),
        json!({"apiVersion": format!("{group}/v1"), "kind": "Gadget", "metadata": {"name": "g", "namespace": ns}}),
    ];
    let r = apply(&c, &set, &inv("inv", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    let crds = api_all(&c, "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions");
    delete(&crds, &crd_name).await;
    for _ in 0..100 {
        if get(&crds, &crd_name).await.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = apply(&c, &set[..1], &inv("inv", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    assert!(matches!(prune_of(&r, "Gadget", "g"), PruneOutcome::Skipped(_)), "{}", r.render());
    let parent = get(&cms(&c, ns), "inv").await.unwrap();
    assert!(!ptr(&parent, "/data/members").unwrap().contains("Gadget"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_holding_members_is_kept() {
    let kc = need_cluster!();
    let ns = &uniq("t-nskeep");
    let home = &uniq("t-nskeep-home");
    let c = connect(&kc, home).await;
    namespace(&c, home).await;
    let nsobj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
    let inside = cm(ns, "inside", json!({}));
    apply(&c, &[nsobj, inside.clone()], &inv("inv", home)).await.unwrap();
    let r = apply(&c, std::slice::from_ref(&inside), &inv("inv", home)).await.unwrap();
    assert!(matches!(prune_of(&r, "Namespace", ns), PruneOutcome::Kept(_)), "{}", r.render());
    let nss = api_all(&c, "", "v1", "Namespace", "namespaces");
    assert!(get(&nss, ns).await.is_some());
    assert!(ptr(&get(&cms(&c, home), "inv").await.unwrap(), "/data/members").unwrap().contains("Namespace"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_named_like_the_inventory_is_refused_before_any_write() {
    let kc = need_cluster!();
    let ns = &uniq("t-invname");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let err =
        apply(&c, &[cm(ns, "app", json!({"k": "v"})), cm(ns, "other", json!({}))], &inv("app", ns)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Inventory { message, .. } if message.contains("choose another --inventory name")),
        "{err}"
    );
    assert!(get(&cms(&c, ns), "app").await.is_none(), "nothing may be written");
    assert!(get(&cms(&c, ns), "other").await.is_none(), "nothing may be written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_set_is_refused_unless_allowed() {
    let kc = need_cluster!();
    let ns = &uniq("t-empty");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    apply(&c, &[cm(ns, "only", json!({}))], &inv("inv", ns)).await.unwrap();
    let err = apply(&c, &[], &inv("inv", ns)).await.unwrap_err();
    assert!(matches!(err, Error::EmptySet { count: 1, .. }), "{err}");
    assert!(get(&cms(&c, ns), "only").await.is_some());
    let r = apply(&c, &[], &ApplyOptions { allow_empty: true, ..inv("inv", ns) }).await.unwrap();
    assert_eq!(prune_of(&r, "ConfigMap", "only"), PruneOutcome::Pruned);
    assert!(get(&cms(&c, ns), "only").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_masks_secrets_and_sets_exit_codes() {
    let kc = need_cluster!();
    let ns = &uniq("t-diff");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let secret = |pw: &str| {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": ns},
            "stringData": {"password": pw, "user": "admin-user-name"}})
    };
    let set = vec![secret("correct-horse"), cm(ns, "c", json!({"a": "1"}))];
    let d = diff(&c, &set, &inv("inv", ns)).await.unwrap();
    assert_eq!(d.diff_exit_code(), 1);
    apply(&c, &set, &inv("inv", ns)).await.unwrap();
    assert_eq!(diff(&c, &set, &inv("inv", ns)).await.unwrap().diff_exit_code(), 0);

    let changed = vec![secret("battery-staple"), cm(ns, "c", json!({"a": "1"}))];
    let d = diff(&c, &changed, &inv("inv", ns)).await.unwrap();
    assert_eq!(d.diff_exit_code(), 1);
    let text = d.render_diff();
    for plain in [
        "correct-horse",
        "battery-staple",
        "admin-user-name",
        "Y29ycmVjdC1ob3JzZQ",
        "YmF0dGVyeS1zdGFwbGU",
        "YWRtaW4tdXNlci1uYW1l",
    ] {
        assert!(!text.contains(plain), "secret value {plain} revealed:\n{text}");
    }
    let minus: Vec<&str> = text.lines().filter(|l| l.starts_with("-  password:")).collect();
    let plus: Vec<&str> = text.lines().filter(|l| l.starts_with("+  password:")).collect();
    assert_eq!((minus.len(), plus.len()), (1, 1), "{text}");
    assert_ne!(minus[0][1..], plus[0][1..]);
    assert!(
        !text.contains("user:") || !text.lines().any(|l| l.starts_with("+  user:")),
        "unchanged value shown as changed:\n{text}"
    );
    assert!(text.contains("*** (sha256:"), "{text}");
    // Error: exit 2.
    let bad = vec![json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name", "namespace": ns}})];
    assert_eq!(diff(&c, &bad, &ApplyOptions::default()).await.unwrap().diff_exit_code(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_uses_status_rules() {
    let kc = need_cluster!();
    let ns = &uniq("t-wait");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    let set = vec![deployment(ns, "app", "nginx"), cm(ns, "cfg", json!({}))];
    let r = apply(&c, &set, &ApplyOptions { wait: Some(Duration::from_secs(2)), ..inv("inv", ns) }).await.unwrap();
    let err = r.wait_error.clone().expect("no controllers run: the Deployment cannot be ready");
    assert!(err.contains("timed out") && err.contains(&format!("Deployment.apps/{ns}/app")), "{err}");
    assert!(r.render().contains("not ready: Deployment.apps/"), "{}", r.render());

    // Write the status a controller would write, through the status subresource.
    let deps = api(&c, ns, "apps", "v1", "Deployment", "deployments");
    let live = get(&deps, "app").await.unwrap();
    let generation = live["metadata"]["generation"].as_i64().unwrap();
    let status = |s: Value| {
        let deps = deps.clone();
        async move {
            let pp = kube::api::PatchParams::default();
            deps.patch_status("app", &pp, &kube::api::Patch::Merge(&json!({"status": s}))).await.unwrap();
        }
    };
    status(json!({"observedGeneration": generation, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
        "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "ok"},
                       {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ok"}]}))
    .await;
    let r = apply(&c, &set, &ApplyOptions { wait: Some(Duration::from_secs(10)), ..inv("inv", ns) }).await.unwrap();
    assert!(r.wait_error.is_none(), "{}", r.render());

    // A terminal failure fails fast, well before the timeout.
    status(json!({"observedGeneration": generation, "readyReplicas": 0, "availableReplicas": 0,
        "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "no"},
                       {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "too slow"}]}))
    .await;
    let start = std::time::Instant::now();
    let r = apply(&c, &set, &ApplyOptions { wait: Some(Duration::from_secs(60)), ..inv("inv", ns) }).await.unwrap();
    assert!(r.wait_error.as_deref().is_some_and(|e| e.contains("ProgressDeadlineExceeded")), "{}", r.render());
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_aggregated_api_degrades_per_group() {
    let kc = need_cluster!();
    let ns = &uniq("t-broken");
    let c = connect(&kc, ns).await;
    namespace(&c, ns).await;
    // An aggregated API whose backend does not exist: discovery reports the group as stale.
    let group = format!("broken{}.kiln.test", std::process::id());
    let apiservices = api_all(&c, "apiregistration.k8s.io", "v1", "APIService", "apiservices");
    let svc_name = format!("v1.{group}");
    apply_as(
        &apiservices,
        "test",
        json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
        "metadata": {"name": svc_name},
        "spec": {"group": group, "version": "v1", "groupPriorityMinimum": 100, "versionPriority": 100,
            "insecureSkipTLSVerify": true, "service": {"namespace": "default", "name": "nothing-here"}}}),
    )
    .await;
    let thing =
        json!({"apiVersion": format!("{group}/v1"), "kind": "Thing", "metadata": {"name": "t", "namespace": ns}});
    let mut r = None;
    for _ in 0..50 {
        let rep = apply(&c, &[cm(ns, "a", json!({})), thing.clone()], &inv("inv", ns)).await.unwrap();
        if rep.warnings.iter().any(|w| w.contains(&group)) {
            r = Some(rep);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = r.expect("discovery never reported the broken group");
    // The unrelated kind is applied; the broken group's object fails alone. (The loop above may have applied the
    // ConfigMap on an earlier round, before discovery reported the group, so it may already be unchanged.)
    let cm_action = action_of(&r, "ConfigMap", "a");
    assert!(matches!(cm_action, Action::Created | Action::Unchanged), "{cm_action:?}\n{}", r.render());
    assert!(matches!(
        r.objects.iter().find(|o| o.id.kind == "Thing").unwrap().error,
        Some(ObjectError::GroupUnavailable { .. })
    ));
    assert!(get(&cms(&c, ns), "a").await.is_some());

    // A member of the broken group recorded by an earlier run (when the API worked) is not pruned: deferred.
    let parent = get(&cms(&c, ns), "inv").await.unwrap();
    let members = format!("{}Thing.{group} {ns} old uid-1 1 -\n", ptr(&parent, "/data/members").unwrap());
    merge_as(&cms(&c, ns), "test", "inv", json!({"data": {"members": members}})).await;
    let r = apply(&c, &[cm(ns, "a", json!({}))], &inv("inv", ns)).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
    assert!(
        matches!(prune_of(&r, "Thing", "old"), PruneOutcome::Kept(ref why) if why.contains("unavailable")),
        "{}",
        r.render()
    );
    assert!(ptr(&get(&cms(&c, ns), "inv").await.unwrap(), "/data/members").unwrap().contains("Thing."));
    delete(&apiservices, &svc_name).await;
}
