//! kiln's end-to-end tests: the real `kiln` binary and runtime against real plugins built from source.
//!
//! Tests that need a toolchain or a server skip on a machine that lacks it, and fail when `CI=true`.

mod examples;
mod helm;
mod ingress_kind;
mod kustomize_remote;
mod post_render;
mod sandbox;
mod sources;
mod support;
