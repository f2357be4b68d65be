//! kiln's built-in patch post-renderer: a thin WebAssembly adapter over [`kpatch::postrender`].
//!
//! Configuration: the YAML (or JSON) of a Flux HelmRelease `postRenderers[].kustomize` block (`patches`,
//! `images`; see `kpatch::config`). Documents arrive as JSON objects; the plugin returns the surviving objects in
//! order, re-serialising (as compact JSON) only those it changed and passing the others through byte for byte,
//! each with its `origin`.
//!
//! Build: `cargo build --release --target wasm32-wasip2 -p kiln-plugin-patch`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use kiln_plugin_sdk::post_renderer::{Document, ErrorDetail, Guest, Location, PluginError};
use kpatch::postrender::{Output, PostRenderError, post_render};

/// The component's exported type.
pub struct Patch;

fn to_plugin_error(e: PostRenderError, documents: &[Document]) -> PluginError {
    match e {
        PostRenderError::Config(c) => PluginError::invalid_config(c.to_string()),
        PostRenderError::Document { index, message } => PluginError::InvalidInput(ErrorDetail {
            message,
            location: documents.get(index).map(|d| Location {
                file: Some(d.origin.clone()),
                line: None,
                column: None,
                object: None,
            }),
        }),
        PostRenderError::Apply(a) => {
            let object = a.object().map(str::to_owned);
            PluginError::Failed(ErrorDetail {
                message: a.to_string(),
                location: object.map(|o| Location { file: None, line: None, column: None, object: Some(o) }),
            })
        }
    }
}

/// Run the post-renderer on SDK documents (the exported function, callable natively in tests).
pub fn run(documents: Vec<Document>, config: &str) -> Result<Vec<Document>, PluginError> {
    let bytes: Vec<&[u8]> = documents.iter().map(|d| d.content.as_slice()).collect();
    let outputs = post_render(config, &bytes).map_err(|e| to_plugin_error(e, &documents))?;
    let mut slots: Vec<Option<Document>> = documents.into_iter().map(Some).collect();
    let mut result = Vec::with_capacity(outputs.len());
    for o in outputs {
        match o {
            Output::Unchanged { index } => {
                if let Some(d) = slots.get_mut(index).and_then(Option::take) {
                    result.push(d);
                }
            }
            Output::Changed { index, json } => {
                if let Some(d) = slots.get_mut(index).and_then(Option::take) {
                    result.push(Document { content: json, origin: d.origin });
                }
            }
        }
    }
    Ok(result)
}

impl Guest for Patch {
    fn post_render(documents: Vec<Document>, config: String) -> Result<Vec<Document>, PluginError> {
        run(documents, &config)
    }
}

// Exported only for WebAssembly: the export symbols (`cabi_post_kiln:plugin/post-render@0.1.0#...`) are not valid
// in a native linker's version script, so a native `cdylib` build (as `cargo test --workspace` does) would fail.
#[cfg(target_arch = "wasm32")]
kiln_plugin_sdk::export_post_renderer!(Patch);

// One call per instance: allocate from an arena first (see `kiln_plugin_sdk::alloc`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: kiln_plugin_sdk::alloc::ArenaThenSystem = kiln_plugin_sdk::alloc::ArenaThenSystem::new();

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str, origin: &str) -> Document {
        Document { content: json.as_bytes().to_vec(), origin: origin.to_owned() }
    }

    #[test]
    fn patches_and_keeps_untouched_bytes_and_origins() {
        let docs = vec![
            doc(
                r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}"#,
                "c/templates/deploy.yaml",
            ),
            doc(r#"{ "apiVersion" : "v1", "kind": "Service", "metadata": {"name": "web"} }"#, "c/templates/svc.yaml"),
        ];
        let config = "patches:\n  - target: {kind: Deployment}\n    patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 3\n";
        let out = run(docs, config).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].origin, "c/templates/deploy.yaml");
        assert_eq!(
            String::from_utf8(out[0].content.clone()).unwrap(),
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#
        );
        assert_eq!(out[1].content, br#"{ "apiVersion" : "v1", "kind": "Service", "metadata": {"name": "web"} }"#);
        assert_eq!(out[1].origin, "c/templates/svc.yaml");
    }

    #[test]
    fn errors_name_the_object() {
        let docs = vec![doc(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"}}"#,
            "d.yaml",
        )];
        let config =
            r#"{"patches":[{"target":{"kind":"Deployment"},"patch":"[{\"op\":\"remove\",\"path\":\"/spec/x\"}]"}]}"#;
        match run(docs, config) {
            Err(PluginError::Failed(d)) => {
                assert!(d.message.contains("/spec/x"), "{}", d.message);
                assert!(d.message.contains("patches[0]"), "{}", d.message);
                assert_eq!(d.location.and_then(|l| l.object).as_deref(), Some("Deployment/ns/web"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_config_fields_are_invalid_config() {
        let out = run(vec![], "patches: []\nimagez: []\n");
        assert!(matches!(out, Err(PluginError::InvalidConfig(_))));
    }
}
