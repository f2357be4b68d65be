//! Errors a user can act on: each names the patch, the object and the field or path involved.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::json;
use kpatch::{Config, apply};

fn deploy() -> kiln_yaml::Value {
    json(
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod"},
        "spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}"#,
    )
}

fn err(config: &str) -> String {
    let c = Config::parse(config).expect("config");
    apply(&c, vec![deploy()]).expect_err("should fail").to_string()
}

#[test]
fn json_patch_missing_path_names_object_patch_and_path() {
    let e = err(
        "patches:\n- target: {kind: Deployment}\n  patch: '[{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 2}]'\n",
    );
    assert!(e.contains("patches[0]") && e.contains("Deployment/prod/web") && e.contains("/spec/replicas"), "{e}");
}

#[test]
fn failing_test_op_shows_expected_and_actual() {
    let e = err(
        "patches:\n- target: {kind: Deployment}\n  patch: '[{\"op\": \"test\", \"path\": \"/metadata/name\", \"value\": \"api\"}]'\n",
    );
    assert!(e.contains("\"api\"") && e.contains("\"web\""), "{e}");
}

#[test]
fn missing_merge_key_names_the_field() {
    let e = err(
        "patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web, namespace: prod}\n    \
         spec:\n      template:\n        spec:\n          containers:\n          - image: other\n",
    );
    assert!(e.contains("spec.template.spec.containers") && e.contains("name"), "{e}");
}

#[test]
fn no_match_is_an_error_unless_allowed() {
    let e = err("patches:\n- target: {kind: StatefulSet}\n  patch: '[{\"op\": \"remove\", \"path\": \"/spec\"}]'\n");
    assert!(e.contains("patches[0]") && e.contains("StatefulSet") && e.contains("allowNoMatch"), "{e}");
    let c = Config::parse(
        "patches:\n- target: {kind: StatefulSet}\n  patch: '[{\"op\": \"remove\", \"path\": \"/spec\"}]'\n  options: {allowNoMatch: true}\n",
    )
    .unwrap();
    assert_eq!(apply(&c, vec![deploy()]).unwrap().len(), 1);
}

#[test]
fn config_errors_name_the_field() {
    let e = Config::parse("patches:\n- patch: x\n  targte: {kind: A}\n").unwrap_err().to_string();
    assert!(e.contains("patches[0]") && e.contains("targte") && e.contains("target"), "{e}");
    let e = Config::parse("images:\n- name: x\n  tag: y\n").unwrap_err().to_string();
    assert!(e.contains("images[0]") && e.contains("tag") && e.contains("newTag"), "{e}");
    let e = Config::parse("patches:\n- target: {labelSelector: 'a in b'}\n  patch: '[]'\n").unwrap_err().to_string();
    assert!(e.contains("patches[0].target") && e.contains("a in b"), "{e}");
    let e = Config::parse("patches:\n- patch: |\n    kind: Deployment\n    spec: {}\n").unwrap_err().to_string();
    assert!(e.contains("metadata.name"), "{e}");
    let e = Config::parse("patches:\n- path: p.yaml\n").unwrap_err().to_string();
    assert!(e.contains("path") && e.contains("inline"), "{e}");
}

#[test]
fn flux_block_pastes_unchanged() {
    let text = r#"
kustomize:
  patches:
    - target:
        version: v1
        kind: Deployment
        name: web
      patch: |
        - op: add
          path: /spec/template/spec/nodeSelector
          value:
            node.kubernetes.io/os: linux
    - patch: |
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: prod
        spec:
          template:
            spec:
              containers:
                - name: app
                  resources:
                    limits:
                      memory: 512Mi
  images:
    - name: nginx
      newName: mirror.example.com/nginx
      newTag: "1.27"
"#;
    let out = apply(&Config::parse(text).unwrap(), vec![deploy()]).unwrap();
    let v = &out[0].value;
    let c = v.pointer(&["spec", "template", "spec", "containers"]).and_then(|c| c.as_seq()).unwrap();
    assert_eq!(c[0].get("image").and_then(|i| i.as_str()), Some("mirror.example.com/nginx:1.27"));
    assert_eq!(c[0].pointer(&["resources", "limits", "memory"]).and_then(|m| m.as_str()), Some("512Mi"));
    assert!(v.pointer(&["spec", "template", "spec", "nodeSelector", "node.kubernetes.io/os"]).is_some());
}
