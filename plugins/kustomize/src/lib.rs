//! kiln's overlay renderer: the output of `kubectl kustomize` (kubectl v1.35.2, kustomize v5.7.1), in pure Rust.
//!
//! [`build`] takes the overlay's files (paths relative to a common root), the directory of the kustomization to
//! build and [`BuildOptions`], and returns the resources in output order; [`render_stream`] prints them exactly as
//! `kubectl kustomize` does. The pipeline follows kustomize's:
//!
//! 1. read `kustomization.yaml` (strictly: unknown fields are errors) and accumulate `resources` (files and
//!    directories with their own kustomization, built recursively);
//! 2. merge transformer configurations (kustomize's built-in field specs, `configurations`, `crds`);
//! 3. run the generators (`configMapGenerator`, `secretGenerator`, `helmCharts`, `generators`), then the
//!    `components`, then the transformers in kustomize's order (strategic-merge patches, `patches`, `namespace`,
//!    `namePrefix`/`nameSuffix`, `labels`/`commonLabels`, `commonAnnotations`, `patchesJson6902`, `replicas`,
//!    `images`, `replacements`, then `transformers`);
//! 4. at the top: name hash suffixes, name-reference fixing (every field of kustomize's name-reference table
//!    follows renames), `vars`, removal of local-config objects, and the sort (`sortOptions`, legacy by default).
//!
//! Strategic merge and JSON patches, selectors and image-name parsing come from `kpatch`; YAML reading and
//! printing from `kiln-yaml`. The WebAssembly entry point is in [`wasm`].

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod build;
pub mod config;
pub mod error;
pub mod fieldspec;
pub mod fs;
pub mod generators;
pub mod helm;
pub mod kustomization;
pub mod openapi;
pub mod origin;
pub mod replacement;
pub mod resource;
pub mod transformers;
pub mod types;
pub mod vars;
pub mod wasm;

pub use build::{BuildOptions, build};
pub use error::{Error, ErrorKind};
pub use fs::{FileTree, LoadRestrictor};

/// Print resources as `kubectl kustomize` does: each as YAML (keys sorted), separated by `---` lines.
pub fn render_stream(resources: &[resource::Resource]) -> Result<String, Error> {
    let mut out = String::new();
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        let text =
            kiln_yaml::try_to_string(&r.value).map_err(|e| Error::failed(format!("printing {}: {e}", r.cur_id())))?;
        out.push_str(&text);
    }
    Ok(out)
}

/// Build the kustomization at `dir` in the given files and print the result.
pub fn build_to_string(
    files: impl IntoIterator<Item = (String, Vec<u8>)>,
    dir: &str,
    opts: &BuildOptions,
) -> Result<String, Error> {
    let tree = FileTree::new(files)?;
    let resources = build(&tree, dir, opts)?;
    render_stream(&resources)
}
