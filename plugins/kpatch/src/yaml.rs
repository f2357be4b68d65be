//! Parsing configuration and patch text into [`Value`]s with `kiln_yaml`.
//!
//! Which YAML dialect applies depends on who reads the text in Flux: the HelmRelease itself reaches Flux through
//! the Kubernetes API (`sigs.k8s.io/yaml`, go-yaml v2 typing: [`parse_config`]); kustomize reads strategic merge
//! patches with kyaml (go-yaml v3 typing: [`parse_multi`]) and JSON 6902 patches with `sigs.k8s.io/yaml`
//! ([`parse_json6902`]).

use kiln_yaml::{LoadOptions, Value};

/// Parse configuration text (one document, go-yaml v2 typing as the Kubernetes API reads a HelmRelease).
pub fn parse_config(text: &str) -> Result<Vec<Value>, String> {
    kiln_yaml::from_str_multi(text).map_err(|e| e.to_string())
}

/// Parse patch text holding one or more documents, as kustomize's kyaml reads them.
pub fn parse_multi(text: &str) -> Result<Vec<Value>, String> {
    kiln_yaml::from_str_multi_with(text, &LoadOptions::kustomize()).map_err(|e| e.to_string())
}

/// Parse the text of a JSON 6902 patch, as kustomize does (`sigs.k8s.io/yaml`).
pub fn parse_json6902(text: &str) -> Result<Value, String> {
    kiln_yaml::from_str(text).map_err(|e| e.to_string())
}
