//! Kubernetes patching: RFC 6902 JSON patch, RFC 7396 merge patch, strategic merge patch with kustomize
//! semantics, kustomize-style targets, and the image and metadata transformers Flux exposes next to patches.
//!
//! The entry point for post-rendering is [`engine::apply`] with a [`config::Config`] parsed from the text a user
//! writes (a Flux HelmRelease `postRenderers[].kustomize` block):
//!
//! ```
//! use kiln_yaml::Value;
//! let config = kpatch::Config::parse(r#"{"patches": [{"target": {"kind": "Deployment"},
//!     "patch": "[{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 3}]"}]}"#).unwrap();
//! let deploy: Value = serde_json::from_str(
//!     r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1}}"#,
//! ).unwrap();
//! let out = kpatch::apply(&config, vec![deploy]).unwrap();
//! assert!(out[0].changed);
//! assert_eq!(out[0].value.pointer(&["spec", "replicas"]), Some(&Value::Int(3)));
//! ```
//!
//! The building blocks are usable on their own: [`json_patch::JsonPatch`], [`merge_patch::apply`],
//! [`smp::apply`], [`selector::Target`], [`images::Image`]. `docs/patching.md` in the repository describes the
//! semantics and every known difference from kustomize and the Kubernetes API server.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod config;
pub mod engine;
pub mod images;
pub mod json_patch;
pub mod merge_patch;
pub mod pointer;
pub mod postrender;
pub mod resid;
pub mod schema;
pub mod selector;
pub mod smp;
pub mod values;
pub mod yaml;

pub use config::{Config, ConfigError};
pub use engine::{Error, Resource, apply};
