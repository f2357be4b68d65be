//! The warnings Helm logs while it renders (and kiln logs through the host): the deprecation of the chart being
//! rendered, and values that could not be coalesced. Expected lines are what helm v4.1.4 printed for these charts.

mod common;

use std::path::Path;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
}

fn warnings(chart: &Path) -> Vec<String> {
    let inv = common::invocation("rel", chart, "ns1", &[], &[], chart).expect("invocation");
    match kiln_plugin_helm::render_with_warnings(&inv.request) {
        Ok((_, w)) => w,
        Err(e) => e.warnings,
    }
}

#[test]
fn deprecated_chart_and_uncoalesced_values_are_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("top");
    let chart = |parent_values: &str, sub_values: &str| {
        write(
            &root,
            &[
                ("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\ndeprecated: true\n"),
                ("values.yaml", parent_values),
                ("templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
                // A deprecated subchart is not reported: Helm warns about the chart it was asked to render.
                ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\ndeprecated: true\n"),
                ("charts/sub/values.yaml", sub_values),
            ],
        );
    };
    chart("sub:\n  tls:\n    auto: false\n", "tls:\n  auto:\n    enabled: true\n");
    assert_eq!(
        warnings(&root),
        [
            "this chart is deprecated",
            "warning: cannot overwrite table with non table for top.sub.tls.auto (map[enabled:true])",
        ]
    );
    chart("sub:\n  tls:\n    auto:\n      enabled: true\n", "tls:\n  auto: false\n");
    assert_eq!(
        warnings(&root),
        [
            "this chart is deprecated",
            "warning: destination for top.sub.tls.auto is a table. Ignoring non-table value (false)",
        ]
    );
}

/// The deprecation warning comes before the dependency check, so it is printed even when that check fails.
#[test]
fn deprecation_is_reported_before_a_missing_dependency_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("top");
    write(
        &root,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: top\nversion: 1.0.0\ndeprecated: true\ndependencies:\n- name: gone\n  version: 1.0.0\n",
            ),
            ("templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        ],
    );
    assert_eq!(warnings(&root), ["this chart is deprecated"]);
}
