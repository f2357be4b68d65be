//! Helm values: values files, `--set` parsing and merging, shared by the host and the Helm renderer.
//!
//! The result of [`merge_values`] is what Helm's `values.Options.MergeValues` produces for `helm template`: a tree of
//! [`kiln_yaml::Value`] in which every number read from a file or from JSON is a [`Value::Float`] (Go `float64`)
//! and every integer given with `--set` is a [`Value::Int`] (Go `int64`). [`to_transport_json`] serialises it so
//! that the renderer can tell the two apart again ([`from_transport_json`]).
//!
//! ```
//! use kiln_helm_values::{ValueSources, merge_values};
//! let sources = ValueSources { set: vec!["replicas=3,image.tag=v1".into()], ..Default::default() };
//! let values = merge_values(&sources, &mut |_| Err("no files".into())).unwrap();
//! assert_eq!(kiln_helm_values::to_transport_json(&values).unwrap(), r#"{"replicas":3,"image":{"tag":"v1"}}"#);
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod files;
mod goquote;
mod json;
pub mod strvals;

pub use files::{LoadError, json_round_trip, load_values, merge_maps, parse_map_document, split_documents};
pub use goquote::{go_quote, is_go_printable};
pub use json::{TransportError, from_json_value, from_transport_json, to_transport_json};
pub use kiln_yaml::{Map, Value};

/// Every way `helm template` accepts user values, each list in command-line order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueSources {
    /// `-f/--values`: paths (or `-` for standard input, or URLs), read through the reader given to [`merge_values`].
    pub files: Vec<String>,
    /// `--set-json`: `key=JSON` lines or whole JSON objects.
    pub set_json: Vec<String>,
    /// `--set`.
    pub set: Vec<String>,
    /// `--set-string`.
    pub set_string: Vec<String>,
    /// `--set-file`: `key=path` lines; the reader returns each file's contents.
    pub set_file: Vec<String>,
    /// `--set-literal`.
    pub set_literal: Vec<String>,
}

/// Why the user's values could not be assembled. The text is what Helm prints after `Error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    /// A file could not be read (the reader's message).
    #[error("{0}")]
    Read(String),
    /// A values file is not valid.
    #[error("failed to parse {path}: {message}")]
    Parse {
        /// The path as the user gave it.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A `--set*` expression is not valid.
    #[error("{0}")]
    Set(String),
}

/// Read a file for [`merge_values`]: receives the path as the user wrote it, returns its bytes or a message.
pub type ReadFile<'a> = dyn FnMut(&str) -> Result<Vec<u8>, String> + 'a;

/// Merge every source in Helm's order: values files in order, then `--set-json`, `--set`, `--set-string`,
/// `--set-file`, `--set-literal`.
pub fn merge_values(sources: &ValueSources, read: &mut ReadFile<'_>) -> Result<Map, ValuesError> {
    let mut base = Map::new();
    for path in &sources.files {
        let raw = read(path).map_err(ValuesError::Read)?;
        let current = load_values(&raw).map_err(|e| ValuesError::Parse { path: path.clone(), message: e.0 })?;
        merge_maps(&mut base, current);
    }
    for value in &sources.set_json {
        let trimmed = value.trim();
        if trimmed.starts_with('{') {
            let parsed: serde_json::Value = serde_json::from_str(trimmed)
                .map_err(|_| ValuesError::Set(format!("failed parsing --set-json data JSON: {value}")))?;
            match from_json_value(parsed) {
                Value::Map(m) => merge_maps(&mut base, m),
                _ => {
                    return Err(ValuesError::Set(format!("failed parsing --set-json data JSON: {value}")));
                }
            }
        } else {
            strvals::parse_json(value, &mut base)
                .map_err(|_| ValuesError::Set(format!("failed parsing --set-json data {value}")))?;
        }
    }
    for value in &sources.set {
        strvals::parse_into(value, &mut base)
            .map_err(|e| ValuesError::Set(format!("failed parsing --set data: {e}")))?;
    }
    for value in &sources.set_string {
        strvals::parse_into_string(value, &mut base)
            .map_err(|e| ValuesError::Set(format!("failed parsing --set-string data: {e}")))?;
    }
    for value in &sources.set_file {
        let mut reader = |p: &str| read(p).map(|b| kiln_yaml::utf8_lossy(&b).into_owned());
        strvals::parse_into_file(value, &mut base, &mut reader)
            .map_err(|e| ValuesError::Set(format!("failed parsing --set-file data: {e}")))?;
    }
    for value in &sources.set_literal {
        strvals::parse_literal_into(value, &mut base)
            .map_err(|e| ValuesError::Set(format!("failed parsing --set-literal data: {e}")))?;
    }
    Ok(base)
}
