//! The post-renderer contract on raw documents: JSON (or YAML) bytes in, only changed documents re-serialised.
//!
//! This is what the `kiln-plugin-patch` WebAssembly component calls; it lives here so it can be tested natively.

use crate::config::{Config, ConfigError};
use crate::engine::{self, Error};
use kiln_yaml::Value;

/// What to emit for one surviving object, in output order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Emit input document `index` byte for byte.
    Unchanged {
        /// Index into the input documents.
        index: usize,
    },
    /// Emit new content (compact JSON) for the object that came from input document `index`.
    Changed {
        /// Index into the input documents (its origin is kept).
        index: usize,
        /// The object as compact JSON.
        json: Vec<u8>,
    },
}

/// Why post-rendering failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PostRenderError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] Box<ConfigError>),
    /// An input document is not a JSON (or YAML) mapping.
    #[error("document {index}: {message}")]
    Document {
        /// Index of the document.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// Patching failed.
    #[error(transparent)]
    Apply(#[from] Box<Error>),
}

fn parse_document(index: usize, bytes: &[u8]) -> Result<Value, PostRenderError> {
    let err = |message: String| PostRenderError::Document { index, message };
    let v: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(json_err) => {
            let text = std::str::from_utf8(bytes).map_err(|e| err(format!("not UTF-8: {e}")))?;
            kiln_yaml::from_str(text).map_err(|e| err(format!("not a JSON object ({json_err}) nor YAML ({e})")))?
        }
    };
    if !matches!(v, Value::Map(_)) {
        return Err(err(format!("expected one object (a mapping), got a {}", v.type_name())));
    }
    Ok(v)
}

/// Apply configuration text `config` to `documents`.
pub fn post_render(config: &str, documents: &[&[u8]]) -> Result<Vec<Output>, PostRenderError> {
    let config = Config::parse(config).map_err(Box::new)?;
    if config.is_empty() {
        return Ok((0..documents.len()).map(|index| Output::Unchanged { index }).collect());
    }
    let values = documents.iter().enumerate().map(|(i, d)| parse_document(i, d)).collect::<Result<Vec<_>, _>>()?;
    let out = engine::apply(&config, values).map_err(Box::new)?;
    out.into_iter()
        .map(|r| {
            if r.changed {
                let json = serde_json::to_vec(&r.value).map_err(|e| PostRenderError::Document {
                    index: r.input_index,
                    message: format!("cannot serialise the patched object: {e}"),
                })?;
                Ok(Output::Changed { index: r.input_index, json })
            } else {
                Ok(Output::Unchanged { index: r.input_index })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_documents_keep_their_bytes_and_deleted_ones_go() {
        let a = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}"#;
        let b = br#"{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"} }"#;
        let c = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#;
        let config = r#"{"patches": [
            {"patch": "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"w\"}}"},
            {"patch": "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"$patch\":\"delete\"}"}]}"#;
        let out = post_render(config, &[a, b, c]).unwrap();
        assert_eq!(out.len(), 2);
        match &out[0] {
            Output::Changed { index: 0, json } => {
                let v: Value = serde_json::from_slice(json).unwrap();
                assert_eq!(v.pointer(&["data", "k"]), Some(&Value::String("w".into())));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(out[1], Output::Unchanged { index: 1 });
    }

    #[test]
    fn a_patch_that_changes_nothing_leaves_the_bytes() {
        let a = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}"#;
        let config = "patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data: {k: v}\n";
        assert_eq!(post_render(config, &[a]).unwrap(), vec![Output::Unchanged { index: 0 }]);
    }

    #[test]
    fn bad_documents_are_reported() {
        assert!(matches!(
            post_render("images: [{name: x, newTag: y}]", &[b"[1]"]),
            Err(PostRenderError::Document { .. })
        ));
    }
}
