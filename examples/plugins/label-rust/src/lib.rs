//! Example kiln post-renderer in Rust: adds a label to every object.
//!
//! Configuration: `KEY=VALUE`, the label to add (default `kiln.dev/post-rendered=true`). kiln hands each object to
//! post-renderers as JSON, so `serde_json` is all this plugin needs; it returns JSON too.
//!
//! Build: `cargo build --release --target wasm32-wasip2 -p kiln-example-label`, then
//! `kiln post-render --plugin target/wasm32-wasip2/release/kiln_example_label.wasm=team=web < in.yaml`.

use kiln_plugin_sdk::post_renderer::{Document, ErrorDetail, Guest, Location, PluginError};
use serde_json::{Map, Value};

const DEFAULT_LABEL: (&str, &str) = ("kiln.dev/post-rendered", "true");

struct Label;

/// Parse `KEY=VALUE`; an empty config means the default label.
fn parse_config(config: &str) -> Result<(String, String), PluginError> {
    let config = config.trim();
    if config.is_empty() {
        return Ok((DEFAULT_LABEL.0.to_owned(), DEFAULT_LABEL.1.to_owned()));
    }
    match config.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(PluginError::invalid_config(format!("expected KEY=VALUE, got `{config}`"))),
    }
}

fn add_label(doc: &Document, key: &str, value: &str) -> Result<Document, PluginError> {
    let invalid = |message: String| {
        PluginError::InvalidInput(ErrorDetail {
            message,
            location: Some(Location { file: Some(doc.origin.clone()), line: None, column: None, object: None }),
        })
    };
    let mut obj: Value =
        serde_json::from_slice(&doc.content).map_err(|e| invalid(format!("not a JSON object: {e}")))?;
    let root = obj.as_object_mut().ok_or_else(|| invalid("not a JSON object".to_owned()))?;
    let metadata = root.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let metadata = metadata.as_object_mut().ok_or_else(|| invalid("`metadata` is not a mapping".to_owned()))?;
    let labels = metadata.entry("labels").or_insert_with(|| Value::Object(Map::new()));
    if labels.is_null() {
        *labels = Value::Object(Map::new());
    }
    let labels = labels.as_object_mut().ok_or_else(|| invalid("`metadata.labels` is not a mapping".to_owned()))?;
    labels.insert(key.to_owned(), Value::String(value.to_owned()));
    let content = serde_json::to_vec(&obj).map_err(|e| PluginError::failed(e.to_string()))?;
    Ok(Document { content, origin: doc.origin.clone() })
}

impl Guest for Label {
    fn post_render(documents: Vec<Document>, config: String) -> Result<Vec<Document>, PluginError> {
        let (key, value) = parse_config(&config)?;
        documents.iter().map(|d| add_label(d, &key, &value)).collect()
    }
}

kiln_plugin_sdk::export_post_renderer!(Label);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_label_and_keeps_origin() {
        let d =
            Document { content: br#"{"kind":"ConfigMap","metadata":{"name":"a"}}"#.to_vec(), origin: "x.yaml".into() };
        let out = add_label(&d, "team", "web").expect("labelled");
        assert_eq!(out.origin, "x.yaml");
        let v: Value = serde_json::from_slice(&out.content).expect("json");
        assert_eq!(v["metadata"]["labels"]["team"], "web");
    }

    #[test]
    fn rejects_bad_config() {
        assert!(parse_config("novalue").is_err());
        assert_eq!(parse_config("").expect("default").0, DEFAULT_LABEL.0);
    }
}
