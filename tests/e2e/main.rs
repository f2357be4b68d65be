//! kiln's end-to-end tests: the real `kiln` binary and runtime against real plugins built from source.
//!
//! Tests that need a toolchain or a server skip on a machine that lacks it, and fail when `CI=true`.

mod apply_cli;
/// kiln-apply's test-cluster harness (kube-apiserver + etcd from `tests/cluster`, or `KILN_TEST_KUBECONFIG`).
#[path = "../../host/apply/tests/common/mod.rs"]
mod apply_cluster;
mod examples;
mod helm;
mod ingress_kind;
mod kustomize_remote;
mod post_render;
mod sandbox;
/// kiln-source's real-server harness (nginx with a test CA, docker-registry, charts packaged and pushed by helm).
#[path = "../../host/source/tests/support/mod.rs"]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod source_servers;
mod sources;
mod sources_remote;
mod support;
